"""The what-if simulation page: the effect of a change on every consortium, nothing stored.

``/financement/<year>/simulation/``: the form (envelope, parameter overrides, changes one per
line — ``carnot.allocation.forms.simulation`` documents the format, the page shows it) and the
results table of every consortium, baseline and simulated, the largest difference first, the
user's own consortia highlighted. GET shows the call as it stands; POST simulates. With htmx the
form is posted in the background and the view answers the simulation section alone (form and
results), swapped in place; without JavaScript the same POST answers the whole page.

Who (``carnot.allocation.permissions``): programme officers, association staff, administrators
and coordinators — a coordinator may change the envelope and parameters, and only the units and
contracts of their own consortia (another consortium's change is refused on the form); unit
leads 403; anonymous users are sent to log in. Nothing is ever stored: the simulation reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from carnot.allocation.forms.simulation import SimulationForm
from carnot.allocation.permissions import call_or_404, simulation_scope, simulator_or_403
from carnot.allocation.presenters import KIND_LABELS, LINE_FIGURE_LABELS, line_figure
from carnot.allocation.services import ENVELOPE
from carnot.allocation.simulation import ConsortiumOutcome, SimulationResult, simulate
from carnot.allocation.simulation_scenario import ChangeRefused, Scenario
from carnot.common.errors import ServiceError
from carnot.common.requests import is_htmx
from carnot.rules.money import euros_to_cents, format_euros

AMOUNTS = frozenset({"pro_rata_cents", "allocation_cents"})
"""Figures the results table shows in their own columns."""



def _parameter(value: Any, name: str) -> str:
    """A parameter's value as the page shows it: the envelope in euros, « oui »/« non »."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name == ENVELOPE:
        return format_euros(euros_to_cents(str(value)))
    return str(value)


def _signed_euros(cents: int) -> str:
    return ("+" if cents > 0 else "") + format_euros(cents)


def _row(outcome: ConsortiumOutcome, own: frozenset[str]) -> dict[str, Any]:
    return {
        "outcome": outcome,
        "kind": KIND_LABELS.get(outcome.kind, outcome.kind),
        "own": outcome.code in own,
        "baseline": format_euros(outcome.baseline.allocation_cents),
        "simulated": format_euros(outcome.simulated.allocation_cents),
        "difference": _signed_euros(outcome.difference_cents),
        "direction": ("up" if outcome.difference_cents > 0
                      else "down" if outcome.difference_cents < 0 else "same"),
        "changes": [f"{LINE_FIGURE_LABELS.get(change.name, change.name)} : "
                    f"{line_figure(change.before, change.name)} → "
                    f"{line_figure(change.after, change.name)}"
                    for change in outcome.changes if change.name not in AMOUNTS],
    }


def _results(result: SimulationResult, own: frozenset[str]) -> dict[str, Any]:
    return {
        "result": result,
        "rows": [_row(outcome, own) for outcome in result.consortia],
        "totals": {
            "baseline_envelope": format_euros(result.baseline_envelope_cents),
            "simulated_envelope": format_euros(result.simulated_envelope_cents),
            "baseline": format_euros(result.baseline_total_cents),
            "simulated": format_euros(result.simulated_total_cents),
            "difference": _signed_euros(result.difference_cents),
            "baseline_unallocated": format_euros(result.baseline_unallocated_cents),
            "simulated_unallocated": format_euros(result.simulated_unallocated_cents),
        },
        "parameter_changes": [
            {"name": change.name, "before": _parameter(change.before, change.name),
             "after": _parameter(change.after, change.name)} for change in result.parameters],
        "seconds": f"{result.read_seconds + result.evaluate_seconds:.2f}".replace(".", ","),
    }


@require_http_methods(["GET", "POST"])
@login_required
def simulation(request: HttpRequest, year: int) -> HttpResponse:
    """Programme officers, association staff, administrators and coordinators (changes on
    their own consortia's units and contracts only); unit leads 403. GET: the call as it
    stands; POST: the simulated scenario. Nothing is stored."""
    simulator_or_403(request.user)
    call = call_or_404(year)
    scope = simulation_scope(request.user, call.pk)
    own = scope or frozenset()
    posted = request.method == "POST"
    form = SimulationForm(request.POST if posted else None,
                          parameters=call.parameters().describe())
    result: SimulationResult | None = None
    if not posted:
        result = simulate(call=call, scenario=Scenario(), scope=scope)
    elif form.is_valid():
        try:
            result = simulate(call=call, scenario=form.scenario(), scope=scope)
        except ChangeRefused as refusal:
            form.refused(refusal.errors)
        except ServiceError as error:
            form.refused(error.message_dict if hasattr(error, "error_dict")
                         else {"": error.messages})
    context: dict[str, Any] = {
        "call": call, "form": form, "posted": posted, "own": sorted(own),
        "coordinator": scope is not None, "title": f"Simulation de la répartition {call.year}",
    }
    if result is not None:
        context.update(_results(result, own))
    template = ("allocation/simulation/_simulation.html" if is_htmx(request)
                else "allocation/simulation/page.html")
    return render(request, template, context)


urlpatterns: list[URLPattern] = [
    path("<int:year>/simulation/", simulation, name="simulation"),
]
