"""The rules of the call with their ids, read from the packaged rules catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

ROW = re.compile(r"^\| (FAQ-\d+\.\d+|ASSO-\d+) \| (.+) \|$")
SECTION = re.compile(r"^## (.+)$")


@dataclass(frozen=True)
class FaqEntry:
    rule: str
    text: str


@cache
def faq_entries() -> list[tuple[str, list[FaqEntry]]]:
    """(section title, entries) in catalogue order."""
    text = (resources.files("carnot.rules") / "catalogue.md").read_text(encoding="utf-8")
    sections: list[tuple[str, list[FaqEntry]]] = []
    for line in text.splitlines():
        if match := SECTION.match(line):
            sections.append((match.group(1), []))
        elif (match := ROW.match(line)) and sections:
            sections[-1][1].append(FaqEntry(match.group(1), match.group(2)))
    return [(title, entries) for title, entries in sections if entries]
