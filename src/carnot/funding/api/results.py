"""JSON API of a consortium's published allocation and its explanation.

Same permissions as the result page (``carnot.funding.permissions``, "Results"): whoever may see
the application, once a run of its call is published; 404 for anyone else, and for everyone
while no run of the call is published; anonymous requests 401. Amounts are integer cents; each
step of the explanation carries its rule id and the link to the rule in the FAQ.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from carnot.applications.schemas import ErrorOut, faq_url
from carnot.funding.letters import spending_deadline
from carnot.funding.permissions import published_result_or_404
from carnot.rules.explanation import Step

router = Router(tags=["abondements"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
"""Refusals every endpoint may answer (see carnot.web.api), as the other routers document."""
RESULT = "/{int:year}/{code}/abondement"


# --- Schemas -------------------------------------------------------------------------------


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


class ParameterOut(Schema):
    """A dated parameter of the call read for this consortium, as a person reads it."""

    name: str
    value: str
    source: str
    note: str
    overridden: bool


class RunOut(Schema):
    """The published run the result comes from."""

    number: int
    published_at: datetime | None
    envelope_cents: int
    allocated_cents: int
    inputs_fingerprint: str
    consortia: int
    admissible_consortia: int


class ResultOut(Schema):
    """A consortium's published result: the figures of its line, then the explanation."""

    year: int
    code: str
    name: str
    kind: str
    admissible: bool
    threshold_revenue_cents: int
    abondement_revenue_cents: int
    guarantee_applies: bool
    guarantee_cents: int
    pro_rata_cents: int
    bonus_cents: int
    allocation_cents: int
    spend_by: date | None
    run: RunOut
    summary: list[str]
    violations: list[StepOut]
    warnings: list[StepOut]
    guarantee: GuaranteeOut | None
    steps: list[StepOut]
    allocation_steps: list[StepOut]
    parameters: list[ParameterOut]
    figures: list[FigureOut]
    text: str


def _steps(steps: tuple[Step, ...]) -> list[StepOut]:
    return [StepOut(rule=step.rule, faq_url=faq_url(step.rule), status=step.status,
                    subject=step.subject, message=step.message,
                    figures=[FigureOut(name=f.name, label=f.label, value=f.value)
                             for f in step.figures])
            for step in steps]


# --- Endpoint ------------------------------------------------------------------------------


@router.get(RESULT, response={200: ResultOut, **ERRORS},
            summary="Lire l'abondement publié d'une candidature et son explication")
def get_published_result(request: HttpRequest, year: int, code: str) -> ResultOut:
    """Whoever may see the application, once a run of its call is published: the figures of
    its line (threshold base, abondement base, guarantee, pro-rata share, bonus, amount), the
    run (envelope, consortia, fingerprint), the spending deadline (FAQ-4.1) and the explanation
    step by step, each with its rule id."""
    result = published_result_or_404(request.user, year, code)
    line, run, explanation = result.line, result.run, result.explanation
    guarantee = explanation.guarantee
    return ResultOut(
        year=year, code=code, name=line.name, kind=line.kind, admissible=line.admissible,
        threshold_revenue_cents=line.threshold_revenue_cents,
        abondement_revenue_cents=line.abondement_revenue_cents,
        guarantee_applies=line.guarantee_applies, guarantee_cents=line.guarantee_cents,
        pro_rata_cents=line.pro_rata_cents, bonus_cents=line.bonus_cents,
        allocation_cents=line.allocation_cents,
        spend_by=spending_deadline(result) if line.allocation_cents else None,
        run=RunOut(number=run.number, published_at=run.published_at,
                   envelope_cents=run.envelope_cents, allocated_cents=run.allocated_cents,
                   inputs_fingerprint=run.inputs_fingerprint, consortia=result.consortia,
                   admissible_consortia=result.admissible_consortia),
        summary=list(explanation.summary),
        violations=_steps(explanation.violations), warnings=_steps(explanation.warnings),
        guarantee=None if guarantee is None else GuaranteeOut(
            applies=guarantee.applies, amount_cents=guarantee.amount_cents,
            failed_rules=list(guarantee.failed_rules),
            conditions=_steps(guarantee.conditions)),
        steps=_steps(explanation.steps), allocation_steps=_steps(explanation.allocation_steps),
        parameters=[ParameterOut(name=p.name, value=p.value, source=p.source, note=p.note,
                                 overridden=p.overridden) for p in explanation.parameters],
        figures=[FigureOut(name=f.name, label=f.label, value=f.value)
                 for f in explanation.figures],
        text=explanation.as_text())
