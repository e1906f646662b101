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
    sections = [(title, entries) for title, entries in sections if entries]
    sections.append(("Interprétations et étapes de calcul de la plateforme", [
        FaqEntry(rule, text) for rule, text in INTERPRETATIONS.items()]))
    return sections


INTERPRETATIONS = {
    "INT-1": "Nature juridique que la FAQ ne cite pas (université, EPST, EPIC, école, "
             "établissement de santé, fondation…) : membre ou coordinateur selon la table datée "
             "« structure_kinds » des paramètres de l'appel (voir docs/interpretations.md).",
    "ALLOC-1": "Partage de l'enveloppe nationale entre la part au prorata des assiettes et le "
               "bonus performance (à partir de 2027).",
    "ALLOC-2": "Planchers garantis des anciens Carnot 4 honorés selon la règle datée "
               "« floor_policy ».",
    "ALLOC-3": "Arrondi au centime par la méthode des plus forts restes : le total réparti "
               "égale l'enveloppe.",
}
