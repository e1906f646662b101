"""JSON API of the what-if simulation: the effect of a change on every consortium, unstored.

``POST /api/financement/{year}/simulation`` takes an envelope, parameter overrides and a list
of changes (``carnot.allocation.simulation``) and answers every consortium's baseline and simulated
abondement, the difference and what changed. It is a POST because the scenario is a structured
body, not because anything is written: nothing is stored, no query writes (tested). Like every
unsafe method of the API it needs the CSRF token (header ``X-CSRFToken``) with the session.

Who (``carnot.allocation.permissions``): programme officers, association staff, administrators
(any change), coordinators (the envelope and parameters, and only the units and contracts of
their own consortia — another consortium's change answers 403 naming it); unit leads 403,
anonymous 401. Refused input answers 422 with French errors located as ``envelope_cents``,
``parameters.<nom>`` or ``changes[<i>].<champ>`` (``i`` from 0).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from carnot.allocation.permissions import call_or_404, simulation_scope, simulator_or_403
from carnot.allocation.schemas import FigureChangeOut, LineFiguresOut, ParameterChangeOut
from carnot.allocation.simulation import Figures, SimulationResult, simulate
from carnot.allocation.simulation_scenario import (
    AddContract,
    AddUnit,
    Change,
    ChangeContract,
    RemoveUnit,
    Scenario,
    change_key,
)
from carnot.applications.ledgers.schemas import ERRORS
from carnot.common.errors import ServiceError
from carnot.rules.domain import PartnerCategory

router = Router(tags=["simulation"])

MAX_CHANGES = 200


# --- Schemas -------------------------------------------------------------------------------


class ChangeKind(StrEnum):
    REMOVE_UNIT = "remove_unit"
    ADD_UNIT = "add_unit"
    CHANGE_CONTRACT = "change_contract"
    ADD_CONTRACT = "add_contract"


class ChangeIn(Schema):
    """One change; the fields each kind reads:

    * ``remove_unit``: ``consortium``, ``rnsr``;
    * ``add_unit``: ``consortium``, ``rnsr`` (a unit of the national directory), ``fte``
      (research FTE of the reference year; absent: those of its other declaration in the call);
    * ``change_contract``: ``contract`` (``RNSR/référence``) and at least one of
      ``total_cents``, ``invoiced_cents`` (by year, replaces those years only),
      ``partner_category``, ``in_theme``, ``cifre``;
    * ``add_contract``: ``rnsr``, ``reference``, ``partner_category``, ``total_cents``,
      ``signed_on``, optionally ``invoiced_cents``, ``cifre``, ``in_theme``, ``partner``.
    """

    kind: ChangeKind
    consortium: str | None = Field(None, description="code de la candidature")
    rnsr: str | None = None
    fte: Decimal | None = None
    contract: str | None = Field(None, description="RNSR/référence")
    reference: str | None = None
    total_cents: int | None = None
    invoiced_cents: dict[int, int] | None = Field(None, description="centimes par année")
    partner_category: PartnerCategory | None = None
    in_theme: bool | None = None
    cifre: bool | None = None
    signed_on: date | None = None
    partner: str | None = None


class SimulationIn(Schema):
    envelope_cents: int | None = Field(None, description="enveloppe simulée ; absente : celle "
                                                         "des paramètres")
    parameters: dict[str, Any] = Field(default_factory=dict,
                                       description="surcharges de paramètres, par nom")
    changes: list[ChangeIn] = Field(default_factory=list)


class RuleNoteOut(Schema):
    rule: str
    message: str


class ConsortiumOut(Schema):
    code: str
    name: str
    kind: str
    own: bool = Field(description="un consortium de l'utilisateur (coordinateur)")
    baseline: LineFiguresOut
    simulated: LineFiguresOut
    difference_cents: int
    changes: list[FigureChangeOut]
    new_failures: list[RuleNoteOut]
    resolved_failures: list[RuleNoteOut]


class TotalsOut(Schema):
    envelope_cents: int
    allocated_cents: int
    unallocated_cents: int


class ContractEffectOut(Schema):
    contract: str
    counted_before: bool | None
    rule_before: str | None
    counted_after: bool
    rule_after: str
    reason_after: str


class SimulationOut(Schema):
    """Every consortium, the largest absolute difference first; nothing was stored."""

    year: int
    stored: bool = Field(False, description="toujours faux : une simulation n'enregistre rien")
    baseline: TotalsOut
    simulated: TotalsOut
    difference_cents: int
    consortia: list[ConsortiumOut]
    parameters: list[ParameterChangeOut]
    changes: list[str] = Field(description="chaque changement appliqué, en français")
    assumptions: list[str] = Field(description="hypothèses faites par la simulation")
    contracts: list[ContractEffectOut]


# --- Input as changes ----------------------------------------------------------------------

REQUIRED: dict[ChangeKind, tuple[str, ...]] = {
    ChangeKind.REMOVE_UNIT: ("consortium", "rnsr"),
    ChangeKind.ADD_UNIT: ("consortium", "rnsr"),
    ChangeKind.CHANGE_CONTRACT: ("contract",),
    ChangeKind.ADD_CONTRACT: ("rnsr", "reference", "partner_category", "total_cents",
                              "signed_on"),
}
READ: dict[ChangeKind, frozenset[str]] = {
    ChangeKind.REMOVE_UNIT: frozenset({"consortium", "rnsr"}),
    ChangeKind.ADD_UNIT: frozenset({"consortium", "rnsr", "fte"}),
    ChangeKind.CHANGE_CONTRACT: frozenset({"contract", "total_cents", "invoiced_cents",
                                           "partner_category", "in_theme", "cifre"}),
    ChangeKind.ADD_CONTRACT: frozenset({"rnsr", "reference", "partner_category", "total_cents",
                                        "signed_on", "invoiced_cents", "cifre", "in_theme",
                                        "partner"}),
}


def _problems(index: int, item: ChangeIn) -> dict[str, list[str]]:
    """What is wrong with one change's fields, in French, by location."""
    errors: dict[str, list[str]] = {}
    given = item.model_dump(exclude_none=True, exclude={"kind"})
    for name in REQUIRED[item.kind]:
        if name not in given or given[name] == "":
            errors[change_key(index, name)] = [f"champ requis pour « {item.kind.value} »"]
    for name in sorted(set(given) - READ[item.kind]):
        errors[change_key(index, name)] = [f"champ sans objet pour « {item.kind.value} »"]
    if item.total_cents is not None and item.total_cents < 0:
        errors[change_key(index, "total_cents")] = ["un montant est positif ou nul"]
    if item.fte is not None and (not item.fte.is_finite() or item.fte < 0):
        errors[change_key(index, "fte")] = ["un nombre d'ETP est positif ou nul"]
    for year, cents in (item.invoiced_cents or {}).items():
        if not 1900 <= year <= 2100 or cents < 0:
            errors[change_key(index, "invoiced_cents")] = [
                f"{year} : une année (AAAA) et un montant positif ou nul attendus"]
    if item.contract is not None and "/" not in item.contract.strip("/"):
        errors[change_key(index, "contract")] = ["identifiant « RNSR/référence » attendu"]
    if (item.kind is ChangeKind.CHANGE_CONTRACT and item.contract
            and not set(given) - {"contract"}):
        errors[change_key(index)] = [f"contrat {item.contract} : aucune modification donnée"]
    return errors


def _change(item: ChangeIn) -> Change:
    """A checked change as the simulation reads it."""
    rnsr = (item.rnsr or "").strip().upper()
    if item.kind is ChangeKind.REMOVE_UNIT:
        return RemoveUnit(consortium=item.consortium or "", rnsr=rnsr)
    if item.kind is ChangeKind.ADD_UNIT:
        return AddUnit(consortium=item.consortium or "", rnsr=rnsr, fte=item.fte)
    if item.kind is ChangeKind.CHANGE_CONTRACT:
        return ChangeContract(contract=(item.contract or "").strip(),
                              total_cents=item.total_cents,
                              invoiced_cents=dict(item.invoiced_cents or {}),
                              partner_category=item.partner_category, in_theme=item.in_theme,
                              cifre=item.cifre)
    assert item.partner_category is not None and item.total_cents is not None
    assert item.signed_on is not None
    return AddContract(rnsr=rnsr, reference=(item.reference or "").strip(),
                       partner_category=item.partner_category, total_cents=item.total_cents,
                       signed_on=item.signed_on, invoiced_cents=dict(item.invoiced_cents or {}),
                       cifre=bool(item.cifre),
                       in_theme=True if item.in_theme is None else item.in_theme,
                       partner=(item.partner or "").strip()[:255])


def scenario_of(payload: SimulationIn) -> Scenario:
    """The body as a scenario; raises ``ServiceError`` with every located problem."""
    errors: dict[str, list[str]] = {}
    if payload.envelope_cents is not None and payload.envelope_cents < 0:
        errors["envelope_cents"] = ["L'enveloppe ne peut pas être négative."]
    if len(payload.changes) > MAX_CHANGES:
        errors["changes"] = [f"Au plus {MAX_CHANGES} changements par simulation."]
    for index, item in enumerate(payload.changes):
        errors.update(_problems(index, item))
    if errors:
        raise ServiceError(errors)
    return Scenario(envelope_cents=payload.envelope_cents, parameters=dict(payload.parameters),
                    changes=tuple(_change(item) for item in payload.changes))


# --- Output ----------------------------------------------------------------------------------

def _figures(figures: Figures) -> dict[str, Any]:
    return {name: getattr(figures, name) for name in LineFiguresOut.model_fields}


def result_as_dict(result: SimulationResult, own: frozenset[str]) -> dict[str, Any]:
    """The simulation as ``SimulationOut`` reads it (``own``: the user's consortia)."""
    return {
        "year": result.year, "stored": False,
        "baseline": {"envelope_cents": result.baseline_envelope_cents,
                     "allocated_cents": result.baseline_allocated_cents,
                     "unallocated_cents": result.baseline_unallocated_cents},
        "simulated": {"envelope_cents": result.simulated_envelope_cents,
                      "allocated_cents": result.simulated_allocated_cents,
                      "unallocated_cents": result.simulated_unallocated_cents},
        "difference_cents": result.difference_cents,
        "consortia": [{
            "code": outcome.code, "name": outcome.name, "kind": outcome.kind,
            "own": outcome.code in own, "baseline": _figures(outcome.baseline),
            "simulated": _figures(outcome.simulated),
            "difference_cents": outcome.difference_cents,
            "changes": [asdict(change) for change in outcome.changes],
            "new_failures": [asdict(note) for note in outcome.new_failures],
            "resolved_failures": [asdict(note) for note in outcome.resolved_failures],
        } for outcome in result.consortia],
        "parameters": [asdict(change) for change in result.parameters],
        "changes": list(result.changes), "assumptions": list(result.assumptions),
        "contracts": [asdict(effect) for effect in result.contracts],
    }


# --- Endpoint --------------------------------------------------------------------------------


@router.post("/{int:year}/simulation", response={200: SimulationOut, **ERRORS},
             summary="Simuler la répartition (rien n'est enregistré)")
def run_simulation(request: HttpRequest, year: int,
                        payload: SimulationIn) -> dict[str, Any]:
    """Programme officers, association staff, administrators and coordinators (changes on
    their own consortia's units and contracts only; the others answer 403); unit leads 403.
    Nothing is stored: a POST only because the scenario is a body (CSRF token required like
    every POST). Every consortium's baseline and simulated amounts, the largest difference
    first, with what changed; on each side the amounts add up to the envelope to the cent."""
    simulator_or_403(request.user)
    call = call_or_404(year)
    scope = simulation_scope(request.user, call.pk)
    result = simulate(call=call, scenario=scenario_of(payload), scope=scope)
    return result_as_dict(result, scope or frozenset())
