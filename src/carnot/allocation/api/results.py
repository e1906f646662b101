"""JSON API of a consortium's published allocation and its explanation.

Same permissions as the result page (``carnot.allocation.permissions``, "Results"): whoever may see
the application, once a run of its call is published; 404 for anyone else, and for everyone
while no run of the call is published; anonymous requests 401. Amounts are integer cents; each
step of the explanation carries its rule id and the link to the rule in the FAQ.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema

from carnot.allocation.letters import spending_deadline
from carnot.allocation.permissions import published_result_or_404
from carnot.allocation.schemas import ExplanationOut, LineFiguresOut, explanation_out
from carnot.applications.ledgers.schemas import ERRORS

router = Router(tags=["abondements"])

RESULT = "/{int:year}/{code}/abondement"


# --- Schemas -------------------------------------------------------------------------------


class RunOut(Schema):
    """The published run the result comes from."""

    number: int
    published_at: datetime | None
    envelope_cents: int
    allocated_cents: int
    inputs_fingerprint: str
    consortia: int
    admissible_consortia: int


class ResultOut(ExplanationOut, LineFiguresOut):
    """A consortium's published result: the explanation, the figures of its line, the run,
    the spending deadline."""

    year: int
    spend_by: date | None
    run: RunOut


# --- Endpoint ------------------------------------------------------------------------------


@router.get(RESULT, response={200: ResultOut, **ERRORS},
            summary="Lire l'abondement publié d'une candidature et son explication")
def get_published_result(request: HttpRequest, year: int, code: str) -> ResultOut:
    """Whoever may see the application, once a run of its call is published: the figures of
    its line (threshold base, abondement base, guarantee, pro-rata share, bonus, amount), the
    run (envelope, consortia, fingerprint), the spending deadline (FAQ-4.1) and the explanation
    step by step, each with its rule id."""
    result = published_result_or_404(request.user, year, code)
    line, run = result.line, result.run
    return ResultOut(**{
        **explanation_out(result.explanation),
        "year": year, "code": code, "name": line.name, "kind": line.kind,
        "admissible": line.admissible, "threshold_revenue_cents": line.threshold_revenue_cents,
        "abondement_revenue_cents": line.abondement_revenue_cents,
        "guarantee_applies": line.guarantee_applies, "guarantee_cents": line.guarantee_cents,
        "pro_rata_cents": line.pro_rata_cents, "bonus_cents": line.bonus_cents,
        "allocation_cents": line.allocation_cents,
        "spend_by": spending_deadline(result) if line.allocation_cents else None,
        "run": RunOut(number=run.number, published_at=run.published_at,
                      envelope_cents=run.envelope_cents, allocated_cents=run.allocated_cents,
                      inputs_fingerprint=run.inputs_fingerprint, consortia=result.consortia,
                      admissible_consortia=result.admissible_consortia)})
