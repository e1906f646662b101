"""Exact money (open question 9): amounts are integer cents, read strictly, shared exactly.

Every amount the rules show or allocate goes through ``carnot.rules.money``: reading euros
(``euros_to_cents``), sharing a total (``apportion``, largest remainder) and French display
(``format_euros``).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carnot.rules.money import (
    MoneyError,
    apportion,
    euros_to_cents,
    format_euros,
    format_euros_plain,
    round_to_cent,
)

NNBSP = "\u202f"
"""Narrow no-break space: the French thousands separator."""

MAX_CENTS = 10**15
"""Ten thousand billion euros: far above any envelope, well inside Decimal's 28 digits."""


# --- euros_to_cents -------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "cents"), [
    ("15000.00", 1_500_000),
    ("15000.01", 1_500_001),
    ("30000", 3_000_000),
    ("0.5", 50),
    ("0.01", 1),
    ("0", 0),
    (Decimal("2500000.00"), 250_000_000),
    (62_000_000, 6_200_000_000),
    ("1234567.89", 123_456_789),
])
def test_euros_with_at_most_two_decimals_are_read_as_exact_cents(amount: object,
                                                                  cents: int) -> None:
    """FAQ-3.2 thresholds (15 000,00 € / 30 000,00 €) are read to the cent, never rounded."""
    assert euros_to_cents(amount) == cents  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["15000.001", "0.005", "29999.999", Decimal("1.001"),
                                    "1e-3", "0.0000001"])
def test_euros_with_three_or_more_significant_decimals_are_refused(amount: object) -> None:
    """Rounding 15 000,005 € would decide a FAQ-3.2 threshold by accident: refuse it."""
    with pytest.raises(MoneyError, match="décimales"):
        euros_to_cents(amount)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["", "abc", "12,50", "1 000", "15 000,00 €", "NaN", "-Infinity",
                                    "Infinity", "sNaN", "1.2.3", "--1"])
def test_text_that_is_not_an_amount_is_refused(amount: str) -> None:
    """A French-formatted or garbage amount is an input error, with a French message."""
    with pytest.raises(MoneyError, match="montant en euros"):
        euros_to_cents(amount)


@pytest.mark.parametrize("amount", ["1e30", "123456789012345678901234567890.12"])
def test_amount_beyond_decimal_precision_is_refused_as_a_money_error(amount: str) -> None:
    """An absurdly large amount must be refused like any other bad amount (MoneyError, a
    ValueError the parameter and scenario readers catch), not escape as a raw
    ``decimal.InvalidOperation``."""
    with pytest.raises(MoneyError):
        euros_to_cents(amount)


@given(st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS))
def test_any_amount_written_with_two_decimals_reads_back_to_its_cents(cents: int) -> None:
    sign = "-" if cents < 0 else ""
    euros, cent = divmod(abs(cents), 100)
    assert euros_to_cents(f"{sign}{euros}.{cent:02d}") == cents


@given(st.integers(min_value=0, max_value=MAX_CENTS), st.integers(min_value=1, max_value=9))
def test_any_third_decimal_other_than_zero_is_refused(cents: int, thousandth: int) -> None:
    euros, cent = divmod(cents, 100)
    with pytest.raises(MoneyError):
        euros_to_cents(f"{euros}.{cent:02d}{thousandth}")


# --- round_to_cent --------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "cents"), [
    (Fraction(4), 4),
    (Fraction(9, 2), 5),
    (Fraction(-9, 2), -5),
    (Fraction(98_765_431_2, 10), 98_765_431),  # 80 % of 1 234 567,89 € in cents
    (Fraction(400_000_008, 10), 40_000_001),  # 80 % of 500 000,01 € in cents
    (Decimal("2.5"), 3),
    (Decimal("2.4999"), 2),
])
def test_derived_amounts_round_to_the_nearest_cent_halves_away_from_zero(
        amount: Fraction | Decimal, cents: int) -> None:
    """The one rounding rule (open question 9): FAQ-3.5's 80 % guarantee is exact to the cent."""
    assert round_to_cent(amount) == cents


@pytest.mark.parametrize(("amount", "cents"), [
    (Fraction(10**30 - 1, 2 * 10**30), 0),  # 0.4999…9 (30 nines): below the half
    (Fraction(-(10**30 - 1), 2 * 10**30), 0),
    (Fraction(10**30 + 1, 2 * 10**30), 1),  # 0.5000…01: above the half
    (Fraction(2 * 10**30 + 1, 2), 10**30 + 1),  # a half beyond Decimal's 28 digits
    (Fraction(-(2 * 10**30 + 1), 2), -(10**30 + 1)),
    (Fraction(10**29 * 3 + 1, 3), 10**29),  # 10^29 + 1/3
])
def test_rounding_a_fraction_is_exact_whatever_its_size(amount: Fraction, cents: int) -> None:
    """Open question 9: the one rounding rule decides on the exact fraction, never on a
    28-digit decimal approximation of it (which would turn 0.4999…9 into a half, then 1)."""
    assert round_to_cent(amount) == cents


@given(st.integers(min_value=-MAX_CENTS * 100, max_value=MAX_CENTS * 100),
       st.integers(min_value=1, max_value=10**12))
def test_rounded_fraction_is_within_half_a_cent_halves_away_from_zero(numerator: int,
                                                                       denominator: int) -> None:
    amount = Fraction(numerator, denominator)
    rounded = round_to_cent(amount)
    assert abs(rounded - amount) <= Fraction(1, 2)
    if abs(rounded - amount) == Fraction(1, 2):
        assert abs(rounded) > abs(amount)


# --- apportion ------------------------------------------------------------------------------

weights_strategy = st.lists(
    st.fractions(min_value=0, max_value=10**9, max_denominator=1000), min_size=1, max_size=8,
).filter(any)


@given(st.integers(min_value=0, max_value=MAX_CENTS), weights_strategy)
def test_apportioned_parts_add_up_to_the_total_exactly(total: int,
                                                       weights: list[Fraction]) -> None:
    parts = apportion(total, list(enumerate(weights)))
    assert sum(parts.values()) == total
    assert set(parts) == set(range(len(weights)))


@given(st.integers(min_value=0, max_value=MAX_CENTS), weights_strategy)
def test_each_part_is_its_exact_quota_rounded_down_or_up(total: int,
                                                         weights: list[Fraction]) -> None:
    """Largest remainder: every part is within one cent of its exact share, never negative."""
    parts = apportion(total, list(enumerate(weights)))
    weight_sum = sum(weights)
    for key, weight in enumerate(weights):
        quota = Fraction(total) * weight / weight_sum
        assert parts[key] >= 0
        assert quota - 1 < parts[key] < quota + 1


@given(st.integers(min_value=0, max_value=MAX_CENTS), weights_strategy)
def test_zero_weight_gets_nothing(total: int, weights: list[Fraction]) -> None:
    parts = apportion(total, [*enumerate(weights), ("zero", Fraction(0))])
    assert parts["zero"] == 0


def test_left_over_cent_goes_to_the_largest_remainder() -> None:
    # 100 cents at 1 : 2 → quotas 33,33… and 66,66… → 33 and 67.
    assert apportion(100, [("a", Fraction(1)), ("b", Fraction(2))]) == {"a": 33, "b": 67}


def test_ties_on_the_remainder_go_to_the_first_key_in_order() -> None:
    # 100 cents in three equal parts: 33,33… each, the left-over cent to the first listed.
    assert apportion(100, [("c", Fraction(1)), ("a", Fraction(1)), ("b", Fraction(1))]) == {
        "c": 34, "a": 33, "b": 33}
    assert apportion(1, [("b", Fraction(1)), ("a", Fraction(1))]) == {"b": 1, "a": 0}


def test_apportioning_nothing_or_among_nobody() -> None:
    assert apportion(0, [("a", Fraction(3)), ("b", Fraction(1))]) == {"a": 0, "b": 0}
    assert apportion(500, []) == {}


def test_apportioning_a_negative_total_or_over_zero_weights_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        apportion(-1, [("a", Fraction(1))])
    with pytest.raises(ValueError, match="zero"):
        apportion(100, [("a", Fraction(0)), ("b", Fraction(0))])


# --- format_euros ---------------------------------------------------------------------------

@pytest.mark.parametrize(("cents", "text"), [
    (0, "0,00 €"),
    (5, "0,05 €"),
    (150, "1,50 €"),
    (99_999, "999,99 €"),
    (100_000, f"1{NNBSP}000,00 €"),
    (1_500_000, f"15{NNBSP}000,00 €"),
    (250_000_000, f"2{NNBSP}500{NNBSP}000,00 €"),
    (123_456_789, f"1{NNBSP}234{NNBSP}567,89 €"),
    (6_200_000_000, f"62{NNBSP}000{NNBSP}000,00 €"),
    (-150, "-1,50 €"),
    (-123_456_789, f"-1{NNBSP}234{NNBSP}567,89 €"),
])
def test_amounts_are_shown_the_french_way(cents: int, text: str) -> None:
    """Decimal comma, two decimals, narrow no-break spaces between thousands, euro sign after."""
    assert format_euros(cents) == text


@given(st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS))
def test_shown_amount_reads_back_to_the_same_cents(cents: int) -> None:
    text = format_euros(cents)
    assert text.endswith(" €")
    plain = text.removesuffix(" €").replace(NNBSP, "").replace(",", ".")
    assert euros_to_cents(plain) == cents


def test_plain_euros_for_spreadsheets_have_a_decimal_comma_and_no_grouping() -> None:
    assert format_euros_plain(2_214_285_720) == "22142857,20"
    assert format_euros_plain(5) == "0,05"
    assert format_euros_plain(-123_456) == "-1234,56"
