"""JSON API of the yearly allocation: runs, their lines and traces, comparison and publication.

Same permissions as the pages (``carnot.allocation.permissions``, "Allocation"): programme
officers and administrators run and publish; association staff read (403 on writes);
coordinators and unit leads get 403 on every operation (their own published result is in the
results API); anonymous requests 401. An unknown call, run or consortium is a 404; a refusal of
a service (an unusable parameter, publishing a run that is not a draft, superseding without
``supersede``, money already spent beyond a new amount) is a 422 with its French reason, keyed
by parameter name where it concerns one. Amounts are integer cents.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from carnot.allocation.models import AllocationRun
from carnot.allocation.permissions import (
    allocation_reader_or_403,
    allocation_run_or_404,
    allocation_runner_or_403,
    call_or_404,
)
from carnot.allocation.schemas import (
    ExplanationOut,
    FigureChangeOut,
    ParameterChangeOut,
    explanation_out,
)
from carnot.allocation.selectors import (
    LineChange,
    ParameterChange,
    RunLine,
    allocation_compare,
    allocation_lines,
    allocation_runs,
    parameter_changes,
)
from carnot.allocation.services import allocation_publish_and_grant, allocation_run
from carnot.applications.ledgers.schemas import ERRORS
from carnot.common.requests import signed_in_user
from carnot.rules.explanation import UnknownConsortium, explain_stored_consortium

router = Router(tags=["répartitions"])

RUNS = "/{int:year}/repartitions"
RUN = RUNS + "/{int:number}"


# --- Schemas -------------------------------------------------------------------------------


class RunOut(Schema):
    """A run of a call's allocation: immutable figures, and its publication."""

    year: int
    number: int
    status: str = Field(description="draft, published ou superseded")
    status_label: str
    envelope_cents: int
    allocated_cents: int
    unallocated_cents: int
    inputs_fingerprint: str = Field(description="SHA-256 des candidatures, unités, contrats et "
                                                "paramètres lus")
    created_by: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None


class ParameterOut(Schema):
    """A parameter as the run used it; ``overridden_from`` is the source the call's or the
    run's override replaced."""

    name: str
    value: Any
    source: str
    valid_from: date | None
    valid_until: date | None
    note: str
    overridden_from: str | None = None


class ReasonOut(Schema):
    rule: str
    status: str
    message: str


class ViolationOut(Schema):
    rule: str
    message: str


class LineOut(Schema):
    """One consortium's result in a run: bases (FAQ-2.22: shared units in full for the
    threshold, half for the abondement), guarantee (FAQ-3.5 to 3.7), pro-rata share, bonus,
    amount; why it is not admissible; the guarantee's conditions."""

    application_code: str
    name: str
    kind: str
    admissible: bool
    failed_rules: list[str]
    violations: list[ViolationOut]
    threshold_revenue_cents: int
    abondement_revenue_cents: int
    guarantee_applies: bool
    guarantee_cents: int
    guarantee_conditions: list[ReasonOut]
    at_floor: bool
    pro_rata_cents: int
    bonus_cents: int
    allocation_cents: int


class TotalsOut(Schema):
    """Sums of the lines; ``allocation_cents`` equals the envelope to the cent unless no
    consortium could take it (then ``balanced`` is false)."""

    threshold_revenue_cents: int
    abondement_revenue_cents: int
    guarantee_cents: int
    pro_rata_cents: int
    bonus_cents: int
    allocation_cents: int
    envelope_cents: int
    balanced: bool


class RunDetailOut(RunOut):
    parameters: list[ParameterOut]
    lines: list[LineOut]
    totals: TotalsOut


class RunIn(Schema):
    """A new run: the envelope (omitted: the call's parameter) and overrides of parameters for
    this run only, by name (a value, or ``{"value": …, "note": …}``)."""

    envelope_cents: int | None = Field(None, description="enveloppe en centimes")
    overrides: dict[str, Any] = Field(default_factory=dict)


class LineDetailOut(Schema):
    year: int
    number: int
    line: LineOut
    explanation: ExplanationOut


class RuleChangeOut(Schema):
    rule: str
    before: list[str]
    after: list[str]


class LineChangeOut(Schema):
    """One consortium between two runs: ``change`` (added, removed, changed, unchanged), the
    figures that differ, and why (parameters its rules read that changed, inputs changed,
    rules whose verdicts changed)."""

    application_code: str
    name: str
    change: str
    figures: list[FigureChangeOut]
    parameters: list[ParameterChangeOut]
    inputs_changed: bool
    rules: list[RuleChangeOut]


class CompareOut(Schema):
    year: int
    before: RunOut
    after: RunOut
    inputs_changed: bool
    parameters: list[ParameterChangeOut]
    lines: list[LineChangeOut]


class CompareQuery(Schema):
    before: int = Field(description="numéro de la répartition de référence")
    after: int = Field(description="numéro de la répartition comparée")


class PublishIn(Schema):
    supersede: bool = Field(False, description="confirmer le remplacement de la répartition "
                                               "déjà publiée")


class GrantOut(Schema):
    application_code: str
    year: int
    amount_cents: int


class PublishOut(Schema):
    run: RunOut
    grants: list[GrantOut]


# --- Conversions ---------------------------------------------------------------------------



def _who(user: Any) -> str | None:
    return None if user is None else str(user.username)


def _run_out(run: AllocationRun) -> dict[str, Any]:
    return {"year": run.call.year, "number": run.number, "status": run.status,
            "status_label": run.get_status_display(), "envelope_cents": run.envelope_cents,
            "allocated_cents": run.allocated_cents,
            "unallocated_cents": run.envelope_cents - run.allocated_cents,
            "inputs_fingerprint": run.inputs_fingerprint,
            "created_by": _who(run.created_by) or "", "created_at": run.created_at,
            "published_by": _who(run.published_by), "published_at": run.published_at}


def _line_out(row: RunLine) -> dict[str, Any]:
    line = row.line
    return {"application_code": line.application_code, "name": line.name, "kind": line.kind,
            "admissible": line.admissible, "failed_rules": list(row.failed_rules),
            "violations": list(row.violations),
            "threshold_revenue_cents": line.threshold_revenue_cents,
            "abondement_revenue_cents": line.abondement_revenue_cents,
            "guarantee_applies": line.guarantee_applies, "guarantee_cents": line.guarantee_cents,
            "guarantee_conditions": list(row.guarantee), "at_floor": row.at_floor,
            "pro_rata_cents": line.pro_rata_cents, "bonus_cents": line.bonus_cents,
            "allocation_cents": line.allocation_cents}


TOTALLED = ("threshold_revenue_cents", "abondement_revenue_cents", "guarantee_cents",
            "pro_rata_cents", "bonus_cents", "allocation_cents")


def _run_detail(run: AllocationRun) -> dict[str, Any]:
    lines = allocation_lines(run=run)
    totals: dict[str, Any] = {name: sum(getattr(row.line, name) for row in lines)
                              for name in TOTALLED}
    totals.update(envelope_cents=run.envelope_cents,
                  balanced=totals["allocation_cents"] == run.envelope_cents)
    return {**_run_out(run), "parameters": run.parameters,
            "lines": [_line_out(row) for row in lines], "totals": totals}


def _parameter_change(change: ParameterChange) -> dict[str, Any]:
    return {"name": change.name, "before": change.before, "after": change.after,
            "source_before": change.source_before, "source_after": change.source_after}


def _line_change(change: LineChange) -> dict[str, Any]:
    return {"application_code": change.application_code, "name": change.name,
            "change": change.change,
            "figures": [{"name": f.name, "before": f.before, "after": f.after}
                        for f in change.figures],
            "parameters": [_parameter_change(p) for p in change.parameters],
            "inputs_changed": change.inputs_changed,
            "rules": [{"rule": r.rule, "before": list(r.before), "after": list(r.after)}
                      for r in change.rules]}


# --- Endpoints -----------------------------------------------------------------------------


@router.get(RUNS, response={200: list[RunOut], **ERRORS},
            summary="Lister les répartitions d'un appel")
def list_allocation_runs(request: HttpRequest, year: int) -> list[dict[str, Any]]:
    """Programme officers, administrators, association staff: every run of the call, first to
    last, with its status, envelope, amount allocated, fingerprint, who ran and published it."""
    allocation_reader_or_403(request.user)
    return [_run_out(run) for run in allocation_runs(call=call_or_404(year))]


@router.post(RUNS, response={201: RunDetailOut, **ERRORS},
             summary="Calculer une nouvelle répartition")
def create_allocation_run(request: HttpRequest, year: int, payload: RunIn) -> Status[Any]:
    """Programme officers and administrators: run the call's allocation with this envelope and
    these overrides (checked by the rules: an unusable value is a 422 keyed by parameter); the
    run is stored as a draft, immutable, with its parameters, fingerprint and trace."""
    allocation_runner_or_403(request.user)
    run = allocation_run(call=call_or_404(year), envelope_cents=payload.envelope_cents,
                                  overrides=payload.overrides, by=signed_in_user(request))
    return Status(201, _run_detail(allocation_run_or_404(year, run.number)))


@router.get(RUNS + "/comparer", response={200: CompareOut, **ERRORS},
            summary="Comparer deux répartitions ligne à ligne")
def compare_allocation_runs(request: HttpRequest, year: int,
                            query: Query[CompareQuery]) -> dict[str, Any]:
    """Programme officers, administrators, association staff: two runs of the call line by
    line — what changed and why (see ``LineChangeOut``), and every parameter that changed."""
    allocation_reader_or_403(request.user)
    before = allocation_run_or_404(year, query.before)
    after = allocation_run_or_404(year, query.after)
    return {"year": year, "before": _run_out(before), "after": _run_out(after),
            "inputs_changed": before.inputs_fingerprint != after.inputs_fingerprint,
            "parameters": [_parameter_change(change)
                           for change in parameter_changes(before=before, after=after)],
            "lines": [_line_change(change)
                      for change in allocation_compare(before=before, after=after)]}


@router.get(RUN, response={200: RunDetailOut, **ERRORS}, summary="Lire une répartition")
def get_allocation_run(request: HttpRequest, year: int, number: int) -> dict[str, Any]:
    """Programme officers, administrators, association staff: a run with its parameters
    (sources, overrides), fingerprint, every consortium's line and the totals."""
    allocation_reader_or_403(request.user)
    return _run_detail(allocation_run_or_404(year, number))


# Before the line's operation: « publier » would read as a consortium's code.
@router.post(RUN + "/publier", response={200: PublishOut, **ERRORS},
             summary="Publier une répartition et enregistrer les abondements")
def publish_allocation_run(request: HttpRequest, year: int, number: int,
                           payload: PublishIn) -> dict[str, Any]:
    """Programme officers and administrators: publish a draft and turn it into the consortia's
    grants of the year, in one transaction. Superseding the published run needs
    ``supersede: true``; a refusal (not a draft, no confirmation, money already spent beyond a
    new amount) is a 422 and changes nothing."""
    allocation_runner_or_403(request.user)
    run = allocation_run_or_404(year, number)
    published, grants = allocation_publish_and_grant(
        run=run, by=signed_in_user(request), supersede=payload.supersede)
    return {"run": _run_out(allocation_run_or_404(year, published.number)),
            "grants": [{"application_code": grant.application.code, "year": grant.year,
                        "amount_cents": grant.amount_cents} for grant in grants]}


@router.get(RUN + "/{code}", response={200: LineDetailOut, **ERRORS},
            summary="Lire la ligne d'un consortium et son explication")
def get_allocation_line(request: HttpRequest, year: int, number: int,
                        code: str) -> dict[str, Any]:
    """Programme officers, administrators, association staff: one consortium's line and why it
    got its amount, in French, from the run's stored trace."""
    allocation_reader_or_403(request.user)
    run = allocation_run_or_404(year, number)
    row = next((row for row in allocation_lines(run=run)
                if row.line.application_code == code), None)
    if row is None:
        raise Http404
    try:
        explanation = explain_stored_consortium(run.results, code)
    except UnknownConsortium:
        raise Http404 from None
    return {"year": year, "number": number, "line": _line_out(row),
            "explanation": explanation_out(explanation)}
