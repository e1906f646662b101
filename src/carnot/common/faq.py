"""The rules of the call with their ids, in French, for the page the panel links to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class FaqEntry:
    rule: str
    text: str


@cache
def faq_entries() -> list[tuple[str, list[FaqEntry]]]:
    """(section title, entries) in the order of the FAQ."""
    document = yaml.safe_load(
        (resources.files("carnot.common") / "faq_fr.yaml").read_text(encoding="utf-8"))
    return [(section["title"], [FaqEntry(rule, text) for rule, text in section["rules"].items()])
            for section in document["sections"]]
