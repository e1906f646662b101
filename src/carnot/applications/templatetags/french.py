"""``{% load french %}``: figures in French notation (``{{ fte|nombre }}`` → ``20,5``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from carnot.applications.formatting import french_decimal

register = template.Library()


@register.filter
def nombre(value: Decimal | int | float | None) -> str:
    """A figure in French: decimal comma, no trailing zeros, « — » when there is none."""
    return french_decimal(value)
