"""The French rules page covers every rule id of the catalogue and every id the engine emits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from carnot.common.faq import faq_entries
from carnot.rules.membership import MEMBERSHIP_INTERPRETATION

CATALOGUE = Path(__file__).resolve().parents[2] / "src" / "carnot" / "rules" / "catalogue.md"


def test_every_catalogue_rule_has_its_french_entry() -> None:
    catalogue = set(re.findall(r"^\| ((?:FAQ|ASSO)-[\d.]+) \|", CATALOGUE.read_text(
        encoding="utf-8"), flags=re.M))
    shown = {entry.rule for _, entries in faq_entries() for entry in entries}
    assert catalogue - shown == set()
    assert {MEMBERSHIP_INTERPRETATION, "ALLOC-1", "ALLOC-2", "ALLOC-3"} <= shown


@pytest.mark.django_db
def test_rules_page_is_in_french_with_an_anchor_per_rule(client: Client) -> None:
    page = client.get("/faq/").content.decode()
    assert 'id="FAQ-2.18"' in page
    assert 'id="INT-1"' in page
    assert "porte la signature de toutes les tutelles de toutes les unités" in page
    assert "**" not in page
