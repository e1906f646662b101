"""Pages of the yearly allocation for programme officers: open, run, compare and publish runs.

Access (``carnot.allocation.permissions``, "Allocation"): the runs are national — programme
officers and administrators run and publish them, association staff read them (403 on every
write), coordinators and unit leads get 403 on every page of this area (they see their own
consortium's published result on the results pages); anonymous users are sent to the login
page. Writes are POST only, with the CSRF token.

A run is immutable: "change" means open a new run and compare. Publishing a draft turns it into
the consortia's grants of the year in the same transaction
(``allocation_publish_and_grant``); superseding an already published run needs an
explicit confirmation.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carnot.allocation.exports import export_name, run_csv, run_xlsx
from carnot.allocation.forms.allocation import (
    ENVELOPE,
    AllocationRunForm,
    CompareForm,
    PublishForm,
    euros_input,
)
from carnot.allocation.models import AllocationRun, AllocationStatus
from carnot.allocation.permissions import (
    allocation_reader_or_403,
    allocation_run_or_404,
    allocation_runner_or_403,
    call_or_404,
    can_run_allocation,
)
from carnot.allocation.presenters import (
    change_shown,
    line_totals,
    lines_shown,
    parameters_shown,
    run_shown,
    shown_value,
    source_label,
)
from carnot.allocation.selectors import (
    allocation_compare,
    allocation_lines,
    allocation_runs,
    parameter_changes,
)
from carnot.allocation.services import (
    allocation_parameters,
    allocation_publish_and_grant,
    allocation_run,
)
from carnot.applications.forms import show_refusal
from carnot.common.downloads import CSV, XLSX, attachment
from carnot.common.errors import ServiceError
from carnot.common.requests import is_htmx, signed_in_user
from carnot.registry.models import Call
from carnot.rules.explanation import UnknownConsortium, explain_stored_consortium
from carnot.rules.money import format_euros
from carnot.rules.spending import spend_by

SERVICE_FIELDS = {"envelope_cents": ENVELOPE}
"""Fields named by the service's refusals, as the form names them."""


# --- Helpers -----------------------------------------------------------------------------------



def _detail_url(run: AllocationRun) -> str:
    return reverse("funding:allocation-detail",
                   kwargs={"year": run.call.year, "number": run.number})


def _numbers(call: Call) -> list[tuple[int, str]]:
    return [(run.number, f"n° {run.number} — {run.get_status_display().lower()} — "
                         f"{format_euros(run.envelope_cents)}")
            for run in allocation_runs(call=call)]


# --- Runs of a call ----------------------------------------------------------------------------

@require_GET
@login_required
def allocation_list(request: HttpRequest, year: int) -> HttpResponse:
    """Programme officers, administrators, association staff: every run of the call with its
    status, envelope, amount allocated, fingerprint, who ran and published it."""
    allocation_reader_or_403(request.user)
    call = call_or_404(year)
    runs = [run_shown(run) for run in allocation_runs(call=call)]
    numbers = [run.run.number for run in runs]
    compare = CompareForm(numbers=_numbers(call), auto_id="compare_%s",
                          initial={"avant": numbers[-2] if len(numbers) > 1 else None,
                                   "apres": numbers[-1] if numbers else None})
    return render(request, "allocation/runs/list.html", {
        "call": call, "runs": runs, "compare_form": compare,
        "can_run": can_run_allocation(request.user),
        "title": f"Répartitions de l'abondement {year}"})


# --- Open a new run ----------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
def allocation_create(request: HttpRequest, year: int) -> HttpResponse:
    """Programme officers and administrators: set the envelope, review every parameter of the
    call (value, source, validity, override by the call), override some for this run, run."""
    allocation_runner_or_403(request.user)
    call = call_or_404(year)
    problem = ""
    try:
        params = allocation_parameters(call=call)
        described = params.describe()
        envelope = params.envelope_cents()
    except ServiceError as error:
        problem, described, envelope = " ".join(error.messages), [], 0
    form = AllocationRunForm(request.POST or None, parameters=described, auto_id="run_%s",
                             initial={ENVELOPE: euros_input(envelope)})
    if request.method == "POST" and not problem and form.is_valid():
        try:
            run = allocation_run(call=call, envelope_cents=form.cleaned_data[ENVELOPE],
                                          overrides=form.overrides(), by=signed_in_user(request))
        except ServiceError as error:
            show_refusal(form, error, SERVICE_FIELDS)
        else:
            overridden = sorted(form.overrides())
            messages.success(request, (
                f"Répartition n° {run.number} calculée : {format_euros(run.allocated_cents)} "
                f"répartis sur une enveloppe de {format_euros(run.envelope_cents)}"
                + (f" (paramètres surchargés : {', '.join(overridden)})" if overridden else "")
                + ". Elle est en brouillon : vérifiez-la, comparez-la, puis publiez-la."))
            return redirect(_detail_url(run))
    fields = form.override_fields()
    return render(request, "allocation/runs/create.html", {
        "call": call, "form": form, "problem": problem,
        "parameters": [(parameter, fields.get(parameter.name))
                       for parameter in parameters_shown(described, call)],
        "title": f"Nouvelle répartition de l'abondement {year}"})


# --- A run -------------------------------------------------------------------------------------

@require_GET
@login_required
def allocation_detail(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """Programme officers, administrators, association staff: a run's parameters (sources and
    overrides), fingerprint and every consortium's line (admissibility and failed rules, bases,
    guarantee with its conditions, pro-rata share, bonus, amount), totals against the envelope;
    publication for officers and administrators."""
    allocation_reader_or_403(request.user)
    run = allocation_run_or_404(year, number)
    lines = allocation_lines(run=run)
    totals = line_totals(lines)
    published = (allocation_runs(call=run.call).filter(status=AllocationStatus.PUBLISHED)
                 .exclude(pk=run.pk).first())
    previous = (allocation_runs(call=run.call).filter(number__lt=run.number)
                .order_by("-number").first())
    return render(request, "allocation/runs/detail.html", {
        "call": run.call, "shown": run_shown(run), "run": run,
        "lines": lines_shown(lines),
        "totals": {name: format_euros(cents) for name, cents in totals.items()},
        "balanced": totals["allocation_cents"] == run.envelope_cents,
        "lines_match": totals["allocation_cents"] == run.allocated_cents,
        "parameters": parameters_shown(run.parameters, run.call),
        "published": published, "previous": previous,
        "spend_by": spend_by(run.call.year, run.call.parameters()),
        "can_publish": can_run_allocation(request.user)
        and run.status == AllocationStatus.DRAFT,
        "publish_form": PublishForm(auto_id="publish_%s"),
        "title": f"Répartition {year} n° {number}"})


@require_GET
@login_required
def allocation_line(request: HttpRequest, year: int, number: int, code: str) -> HttpResponse:
    """Programme officers, administrators, association staff: why one consortium got its
    amount in this run, from the run's stored trace (an htmx fragment under the run's table, or
    a page of its own)."""
    allocation_reader_or_403(request.user)
    run = allocation_run_or_404(year, number)
    try:
        explanation = explain_stored_consortium(run.results, code)
    except UnknownConsortium:
        raise Http404 from None
    context = {"call": run.call, "run": run, "explanation": explanation,
               "title": f"Répartition {year} n° {number} — {code}"}
    template = ("allocation/runs/_explanation.html" if is_htmx(request)
                else "allocation/runs/line.html")
    return render(request, template, context)


@require_GET
@login_required
def allocation_csv(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """Programme officers, administrators, association staff: the run's lines as CSV (UTF-8,
    « ; », amounts in euros with a decimal comma)."""
    allocation_reader_or_403(request.user)
    run = allocation_run_or_404(year, number)
    return attachment(run_csv(run), CSV, export_name(run, "csv"))


@require_GET
@login_required
def allocation_xlsx(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """Programme officers, administrators, association staff: the run's lines as a workbook
    (amounts as numbers in euros, a total row), with its parameters on a second sheet."""
    allocation_reader_or_403(request.user)
    run = allocation_run_or_404(year, number)
    return attachment(run_xlsx(run), XLSX, export_name(run, "xlsx"))


# --- Publish -----------------------------------------------------------------------------------

@require_POST
@login_required
def allocation_publish(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """Programme officers and administrators: publish a draft and turn it into the consortia's
    grants of the year, in one transaction. Superseding the published run needs the explicit
    confirmation (« remplacer »); a refusal (not a draft, no confirmation, money already spent
    beyond a new amount) comes back as an alert on the run's page."""
    allocation_runner_or_403(request.user)
    run = allocation_run_or_404(year, number)
    form = PublishForm(request.POST)
    supersede = bool(form.is_valid() and form.cleaned_data["remplacer"])
    try:
        published, grants = allocation_publish_and_grant(
            run=run, by=signed_in_user(request), supersede=supersede)
    except ServiceError as error:
        messages.error(request, f"Publication refusée : {' '.join(error.messages)}")
    else:
        granted = sum(grant.amount_cents for grant in grants)
        messages.success(request, (
            f"Répartition n° {published.number} publiée : {len(grants)} abondement"
            f"{'s' if len(grants) > 1 else ''} {year} enregistré{'s' if len(grants) > 1 else ''}"
            f" ({format_euros(granted)}). Chaque coordinateur voit désormais son résultat."))
    return redirect(_detail_url(run))


# --- Compare two runs --------------------------------------------------------------------------

@require_GET
@login_required
def allocation_compare_view(request: HttpRequest, year: int) -> HttpResponse:
    """Programme officers, administrators, association staff: two runs of the call line by
    line — what changed (figures before → after) and why (parameters changed that the line's
    rules read, inputs changed or not, rules whose verdicts changed)."""
    allocation_reader_or_403(request.user)
    call = call_or_404(year)
    numbers = _numbers(call)
    chosen = bool({"avant", "apres"} & set(request.GET))
    initial = {}
    if len(numbers) > 1:
        initial = {"avant": numbers[-2][0], "apres": numbers[-1][0]}
    form = CompareForm(request.GET if chosen else None, numbers=numbers, auto_id="compare_%s",
                       initial=initial)
    context: dict[str, Any] = {"call": call, "form": form, "compared": False,
                               "title": f"Comparer deux répartitions {year}"}
    if chosen and form.is_valid():
        runs = {run.number: run for run in allocation_runs(call=call).filter(
            number__in=[form.cleaned_data["avant"], form.cleaned_data["apres"]])}
        before, after = runs[form.cleaned_data["avant"]], runs[form.cleaned_data["apres"]]
        changes = [change_shown(change)
                   for change in allocation_compare(before=before, after=after)]
        context.update(
            compared=True, before=run_shown(before), after=run_shown(after),
            parameters=[(change, shown_value(change.before), shown_value(change.after),
                         source_label(change.source_before), source_label(change.source_after))
                        for change in parameter_changes(before=before, after=after)],
            inputs_changed=before.inputs_fingerprint != after.inputs_fingerprint,
            changed=[shown for shown in changes if shown.change.change != "unchanged"],
            unchanged=[shown for shown in changes if shown.change.change == "unchanged"],
            title=f"Répartitions {year} : n° {before.number} → n° {after.number}")
    return render(request, "allocation/runs/compare.html", context)


RUNS = "<int:year>/repartitions/"

urlpatterns = [
    path(RUNS, allocation_list, name="allocation-list"),
    path(RUNS + "nouvelle/", allocation_create, name="allocation-create"),
    path(RUNS + "comparer/", allocation_compare_view, name="allocation-compare"),
    path(RUNS + "<int:number>/", allocation_detail, name="allocation-detail"),
    path(RUNS + "<int:number>/publier/", allocation_publish, name="allocation-publish"),
    path(RUNS + "<int:number>/lignes.csv", allocation_csv, name="allocation-csv"),
    path(RUNS + "<int:number>/lignes.xlsx", allocation_xlsx, name="allocation-xlsx"),
    path(RUNS + "<int:number>/<slug:code>/", allocation_line, name="allocation-line"),
]
