"""French display of figures, and of the figures inside the rules' messages."""

from __future__ import annotations

from decimal import Decimal

from carnot.applications.formatting import french_decimal, french_message
from carnot.rules.verdicts import Status, Verdict


def test_figures_have_a_decimal_comma_no_trailing_zero_and_grouped_thousands() -> None:
    assert french_decimal(Decimal("20.50")) == "20,5"
    assert french_decimal(Decimal("8.00")) == "8"
    assert french_decimal(Decimal("100")) == "100"
    assert french_decimal(Decimal("1234.25")) == "1\u202f234,25"
    assert french_decimal(None) == "—"


def test_only_the_verdict_figures_are_rewritten_not_rule_ids_nor_rnsr() -> None:
    verdict = Verdict("FAQ-2.17", Status.FAILED,
                      "Unité partagée 201923456A : ETP 2025 différents entre a (12.50) et b "
                      "(2.5) ; voir FAQ-2.17 et 12.500.", figures={"a": Decimal("12.50"),
                                                                   "b": Decimal("2.5")})
    assert french_message(verdict).message == (
        "Unité partagée 201923456A : ETP 2025 différents entre a (12,5) et b (2,5) ; voir "
        "FAQ-2.17 et 12.500.")
    assert french_message(verdict).figures == verdict.figures
