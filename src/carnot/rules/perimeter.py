"""The perimeter of a consortium in FTE of permanent researchers (FAQ-2.13, 2.15, 2.16)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from carnot.rules.domain import Unit, UnitFte


def unit_research_fte(fte: UnitFte) -> Decimal:
    """FAQ-2.13, FAQ-2.16: permanent researchers of the whole unit, plus its research engineers
    only when they do research."""
    if fte.research_engineers_do_research:
        return fte.permanent_researchers + fte.research_engineers
    return fte.permanent_researchers


def perimeter_fte(units: Iterable[Unit], year: int) -> Decimal | None:
    """The perimeter's research FTE for ``year``; None when a unit has no figure for that year."""
    total = Decimal(0)
    for unit in units:
        fte = unit.fte_by_year.get(year)
        if fte is None:
            return None
        total += unit_research_fte(fte)
    return total


def perimeter_ratio(current: Decimal, reference: Decimal) -> Fraction | None:
    """Current FTE over reference FTE, exact; None when there is no reference to compare to."""
    if reference <= 0:
        return None
    return Fraction(current) / Fraction(reference)


def within_tolerance(ratio: Fraction, tolerance: Fraction) -> bool:
    """FAQ-2.14: constant perimeter means within ±tolerance of the reference, both ways."""
    return 1 - tolerance <= ratio <= 1 + tolerance


def percent(ratio: Fraction) -> str:
    """A ratio as a French percentage with two decimals, truncated so that a figure just below
    a threshold never displays as the threshold itself (display only)."""
    hundredths = int(ratio * 10000)
    return f"{hundredths // 100},{hundredths % 100:02d} %"
