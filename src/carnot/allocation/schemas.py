"""Shapes of the allocation's JSON API (django-ninja schemas). Amounts are integer cents."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from carnot.applications.schemas import faq_url
from carnot.rules.explanation import Explanation

# --- Allocation: a consortium's explanation, parameters that changed ----------------------


class FigureOut(Schema):
    """A figure behind a verdict or an amount: key, French label, French value."""

    name: str
    label: str
    value: str


class StepOut(Schema):
    """One verdict of the explanation: rule id and its FAQ link, outcome, subject, French
    message and the figures it used."""

    rule: str
    faq_url: str
    status: str
    subject: str
    message: str
    figures: list[FigureOut]


class GuaranteeOut(Schema):
    """The guarantee of a former Carnot 4 (FAQ-3.4 to 3.7): verdict, floor, each condition."""

    applies: bool
    amount_cents: int
    failed_rules: list[str]
    conditions: list[StepOut]


class ParameterReadOut(Schema):
    """A dated parameter of the call read for this consortium, as a person reads it."""

    name: str
    value: str
    source: str
    note: str
    overridden: bool


class ExplanationOut(Schema):
    """Why the consortium got its amount, in French, from the run's stored trace."""

    code: str
    name: str
    kind: str
    admissible: bool
    allocation_cents: int
    summary: list[str]
    violations: list[StepOut]
    warnings: list[StepOut]
    guarantee: GuaranteeOut | None
    steps: list[StepOut]
    allocation_steps: list[StepOut]
    parameters: list[ParameterReadOut]
    figures: list[FigureOut]
    text: str = Field(description="la même explication en texte (carnot evaluate --explain)")


def explanation_out(explanation: Explanation) -> dict[str, Any]:
    """``ExplanationOut`` of an explanation: its JSON form, each step with its FAQ link."""
    found = explanation.as_dict()
    guarantee = found["guarantee"]
    for step in (*found["violations"], *found["warnings"], *found["steps"],
                 *found["allocation_steps"], *(guarantee["conditions"] if guarantee else ())):
        step["faq_url"] = faq_url(step["rule"])
    return found


class LineFiguresOut(Schema):
    """The figures of a consortium's allocation line (``selectors.LINE_FIGURES``): bases
    (FAQ-2.22: shared units in full for the threshold, half for the abondement), guarantee
    (FAQ-3.5 to 3.7), pro-rata share, bonus, amount."""

    admissible: bool
    threshold_revenue_cents: int
    abondement_revenue_cents: int
    guarantee_applies: bool
    guarantee_cents: int
    pro_rata_cents: int
    bonus_cents: int
    allocation_cents: int


class FigureChangeOut(Schema):
    """A figure of a consortium's line that differs: its name, before and after."""

    name: str
    before: Any
    after: Any


class ParameterChangeOut(Schema):
    """A parameter whose value or source differs between two runs (or a simulation)."""

    name: str
    before: Any
    after: Any
    source_before: str | None
    source_after: str | None
