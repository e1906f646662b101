"""Reading what French users type in a spreadsheet or a form: one implementation each."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

YES, NO = "oui", "non"
"""How a yes/no value is written in the files the platform produces."""


def folded_key(text: object) -> str:
    """How a header, sheet name or label is recognised: without case, accents, parenthesised
    hints, years or punctuation (« Tutelles (codes) » and « tutelles » are the same)."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    folded = re.sub(r"\([^)]*\)", " ", folded.casefold())
    folded = re.sub(r"\b(19|20)\d\d\b", " ", folded)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell as text, as the user typed it (an integer in a text column stays « 12 »), spaces
    trimmed and runs of blanks made one space."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return " ".join(str(value).split())
