"""Exact money: integer cents end to end, one place for rounding and apportioning."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import TypeVar

Cents = int
K = TypeVar("K", bound=Hashable)

_CENT = Decimal("0.01")


class MoneyError(ValueError):
    """An amount that cannot be read as euros with at most two decimals."""


def euros_to_cents(amount: Decimal | int | str) -> Cents:
    """Read an amount in euros (at most two decimals) as cents, refusing anything inexact."""
    try:
        value = Decimal(amount) if not isinstance(amount, Decimal) else amount
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"« {amount} » n'est pas un montant en euros") from exc
    if not value.is_finite():
        raise MoneyError(f"« {amount} » n'est pas un montant en euros")
    try:
        exact = value == value.quantize(_CENT)
    except InvalidOperation as exc:
        raise MoneyError(f"« {amount} » est hors de la précision des montants") from exc
    if not exact:
        raise MoneyError(f"« {amount} » a plus de deux décimales")
    return int(value * 100)


def round_to_cent(amount: Fraction | Decimal) -> Cents:
    """The single rounding rule for derived amounts (in cents): to the nearest cent, halves away
    from zero (open question 9).

    A fraction is rounded on its exact value, in integers: a decimal approximation of it (28
    digits) could turn 0.4999…9 into a half and round it the wrong way.
    """
    if isinstance(amount, Decimal):
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    whole, remainder = divmod(abs(amount.numerator), amount.denominator)
    if 2 * remainder >= amount.denominator:
        whole += 1
    return whole if amount >= 0 else -whole


def apportion(total: Cents, weights: Sequence[tuple[K, Fraction]]) -> dict[K, Cents]:
    """Share ``total`` cents in proportion to ``weights`` so that the parts add up exactly.

    Largest-remainder method: each key first gets the whole cents of its exact quota; the cents
    left over go one by one to the largest fractional remainders, ties broken by the order of
    ``weights`` (callers pass keys sorted by id, so the result is deterministic).
    """
    if total < 0:
        raise ValueError("cannot apportion a negative amount")
    weight_sum = sum((w for _, w in weights), Fraction(0))
    if not weights:
        return {}
    if weight_sum == 0:
        raise ValueError("cannot apportion over weights that are all zero")
    quotas = [(key, Fraction(total) * weight / weight_sum) for key, weight in weights]
    parts = {key: int(quota) for key, quota in quotas}
    left_over = total - sum(parts.values())
    by_remainder = sorted(
        range(len(quotas)), key=lambda i: (-(quotas[i][1] - int(quotas[i][1])), i)
    )
    for index in by_remainder[:left_over]:
        parts[quotas[index][0]] += 1
    return parts


def format_euros_plain(cents: Cents) -> str:
    """An amount for a French spreadsheet cell: ``1234567,89`` (decimal comma, no grouping, no
    currency sign), which Excel and LibreOffice read as a number."""
    sign = "-" if cents < 0 else ""
    euros, cent = divmod(abs(cents), 100)
    return f"{sign}{euros},{cent:02d}"


def format_euros(cents: Cents) -> str:
    """French display of an amount: ``1 234 567,89 €`` (narrow no-break spaces for thousands)."""
    sign = "-" if cents < 0 else ""
    euros, cent = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{cent:02d} €"
