"""French display of the figures the pages show: ``20,5`` ETP, not ``20.50``.

The rules package writes its messages with Python's notation (``Périmètre 2025 : 20.50 ETP``);
each verdict also carries the figures it used, so the figures of its message are rewritten here,
and only them (``FAQ-2.18`` or an RNSR id are left alone).
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

from carnot.rules.verdicts import Verdict

THOUSANDS = "\u202f"
"""Narrow no-break space, as ``rules.money.format_euros`` groups thousands."""


def french_decimal(value: Decimal | int | float | None, empty: str = "—") -> str:
    """``Decimal("20.50")`` → ``20,5``; ``Decimal("8.00")`` → ``8``; ``1234.5`` → ``1 234,5``."""
    if value is None or value == "":
        return empty
    number = Decimal(str(value))
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", THOUSANDS)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def french_message(verdict: Verdict) -> Verdict:
    """The verdict with the decimal figures of its message in French notation."""
    message = verdict.message
    for figure in verdict.figures.values():
        if isinstance(figure, Decimal) and "." in str(figure):
            message = re.sub(rf"(?<![\w.,-]){re.escape(str(figure))}(?![\w.]*\d)",
                             french_decimal(figure), message)
    return verdict if message == verdict.message else dataclasses.replace(verdict,
                                                                          message=message)
