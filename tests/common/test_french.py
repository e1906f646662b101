"""French input, read once for every app: the ledger import, the application spreadsheet, the
allocation and simulation forms, the spending form and API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carnot.common.french import (
    InvalidInput,
    fold,
    folded_key,
    parse_date,
    parse_decimal,
    parse_fte,
    parse_money,
    parse_non_negative_money,
    parse_whole,
    parse_yes_no,
)


def test_accents_and_case_are_folded_once() -> None:
    assert fold("Écart Thématique") == "ecart thematique"
    assert folded_key("Tutelles (codes séparés par « ; »)") == "tutelles"
    assert folded_key("Facturé 2025 HT") == "facture ht"
    assert folded_key("Facturé 2025 HT", keep_years=True) == "facture 2025 ht"


@pytest.mark.parametrize(("typed", "cents"), [
    ("45 000,00 €", 4_500_000), ("45000.5", 4_500_050), ("45.000,00", 4_500_000), (12, 1200),
])
def test_amounts_are_read_as_french_users_write_them(typed: object, cents: int) -> None:
    assert parse_money(typed) == cents


def test_a_negative_amount_is_refused_where_amounts_are_positive() -> None:
    assert parse_money("-3") == -300
    with pytest.raises(InvalidInput, match="montant négatif"):
        parse_non_negative_money("-3")


@pytest.mark.parametrize("typed", ["oui", "Oui", "o", "VRAI", "x", "1", True])
def test_every_spelling_of_yes_is_yes(typed: object) -> None:
    assert parse_yes_no(typed) is True


def test_an_unknown_yes_no_says_what_is_expected() -> None:
    with pytest.raises(InvalidInput, match=r"« peut-être » : « oui » ou « non » attendu\."):
        parse_yes_no("peut-être")


def test_dates_are_day_first_or_iso_and_must_exist() -> None:
    assert parse_date("15/03/2025") == parse_date("2025-03-15") == date(2025, 3, 15)
    with pytest.raises(InvalidInput, match="cette date n'existe pas"):
        parse_date("31/02/2025")


def test_whole_numbers_name_what_they_are_and_show_an_example() -> None:
    assert parse_whole("2 024") == 2024
    with pytest.raises(InvalidInput, match=r"« deux » : nombre entier attendu \(ex\. 2025\)\."):
        parse_whole("deux", example=2025)
    with pytest.raises(InvalidInput, match=r"« deux » : effectif : nombre entier attendu\."):
        parse_whole("deux", "effectif")


def test_fte_are_non_negative_with_at_most_two_decimals() -> None:
    assert parse_fte("1 234,5") == Decimal("1234.50")
    assert parse_decimal("0,8") == Decimal("0.8")
    with pytest.raises(InvalidInput, match="positif ou nul"):
        parse_fte("-1")
    with pytest.raises(InvalidInput, match="au plus deux décimales"):
        parse_fte("1,234")
