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

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

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
from carnot.allocation.selectors import (
    LINE_FIGURES,
    LineChange,
    RunLine,
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
from carnot.applications.models import KIND_CHOICES
from carnot.common.errors import ServiceError
from carnot.common.requests import is_htmx, signed_in_user
from carnot.registry.models import Call
from carnot.rules.explanation import UnknownConsortium, explain_stored_consortium
from carnot.rules.money import Cents, format_euros, format_euros_plain

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_LABELS = dict(KIND_CHOICES)
SOURCE_LABELS = {"assumption": "hypothèse", "scenario": "surcharge"}
FIGURE_LABELS = {
    "admissible": "recevable",
    "threshold_revenue_cents": "assiette du seuil",
    "abondement_revenue_cents": "assiette de l'abondement",
    "guarantee_applies": "abondement garanti",
    "guarantee_cents": "plancher garanti",
    "pro_rata_cents": "part au prorata",
    "bonus_cents": "bonus de performance",
    "allocation_cents": "abondement attribué",
}
"""French names of a line's figures (``selectors.LINE_FIGURES``)."""
STATUS_LABELS = {"passed": "respectée", "failed": "échec", "warning": "avertissement",
                 "not_checkable": "pas encore vérifiable"}
CHANGE_LABELS = {"added": "ajouté", "removed": "retiré", "changed": "modifié",
                 "unchanged": "inchangé"}
SERVICE_FIELDS = {"envelope_cents": ENVELOPE}
"""Fields named by the service's refusals, as the form names them."""
FINGERPRINT_SHOWN = 12
AMOUNT_COLUMNS = ("threshold_revenue_cents", "abondement_revenue_cents", "guarantee_cents",
                  "pro_rata_cents", "bonus_cents", "allocation_cents")


# --- Helpers -----------------------------------------------------------------------------------



def _detail_url(run: AllocationRun) -> str:
    return reverse("funding:allocation-detail",
                   kwargs={"year": run.call.year, "number": run.number})


def _who(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)




def _number_text(text: str) -> str:
    """A decimal written by the parameter files (``62000000.00``) as a French reader reads it
    (``62 000 000,00``)."""
    match = re.fullmatch(r"(-?)(\d+)(?:\.(\d+))?", text)
    if match is None:
        return text
    sign, whole, decimals = match.groups()
    grouped = f"{int(whole):,}".replace(",", "\u202f")
    return f"{sign}{grouped},{decimals}" if decimals else f"{sign}{grouped}"


def _shown_value(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_shown_value(item) for item in value)
    if isinstance(value, int):
        return str(value)
    return _number_text(str(value))


def _source(source: Any) -> str:
    return SOURCE_LABELS.get(str(source), str(source)) if source else "—"


def _day(text: Any) -> date | None:
    return date.fromisoformat(str(text)) if text else None


@dataclass(frozen=True)
class ParameterShown:
    """A parameter as the pages show it: value (a table as its rows), source, validity, and
    whether the call or the run overrides it (with the source it replaces)."""

    name: str
    value: str
    rows: list[tuple[str, str]]
    source: str
    valid_from: date | None
    valid_until: date | None
    note: str
    overridden_from: str
    by_call: bool

    @property
    def overridden(self) -> bool:
        return bool(self.overridden_from)


def _parameters(described: list[dict[str, Any]], call: Call) -> list[ParameterShown]:
    shown = []
    for parameter in described:
        value = parameter["value"]
        rows = ([(str(key), ", ".join(f"{column} : {_shown_value(item)}"
                                      for column, item in row.items())
                  if isinstance(row, dict) else _shown_value(row))
                 for key, row in value.items()] if isinstance(value, dict) else [])
        shown.append(ParameterShown(
            name=parameter["name"], value="table" if rows else _shown_value(value), rows=rows,
            source=_source(parameter["source"]), valid_from=_day(parameter.get("valid_from")),
            valid_until=_day(parameter.get("valid_until")), note=parameter.get("note", ""),
            overridden_from=(_source(parameter["overridden_from"])
                             if "overridden_from" in parameter else ""),
            by_call=_by_call(parameter, call)))
    return shown


def _by_call(parameter: dict[str, Any], call: Call) -> bool:
    """Whether the value is the call's override (not the file's, nor the run's own)."""
    if "overridden_from" not in parameter or parameter["name"] not in call.parameter_overrides:
        return False
    override = call.parameter_overrides[parameter["name"]]
    if isinstance(override, dict) and "value" in override:
        override = override["value"]
    return str(override) == str(parameter["value"])


@dataclass(frozen=True)
class RunShown:
    """A run's header figures, in French."""

    run: AllocationRun
    envelope: str
    allocated: str
    unallocated: str
    fingerprint: str
    created_by: str
    published_by: str

    @property
    def status_class(self) -> str:
        return {AllocationStatus.DRAFT: "fr-badge--info",
                AllocationStatus.PUBLISHED: "fr-badge--success"}.get(
            AllocationStatus(self.run.status), "")


def _run_shown(run: AllocationRun) -> RunShown:
    return RunShown(run=run, envelope=format_euros(run.envelope_cents),
                    allocated=format_euros(run.allocated_cents),
                    unallocated=format_euros(run.envelope_cents - run.allocated_cents),
                    fingerprint=run.inputs_fingerprint[:FINGERPRINT_SHOWN],
                    created_by=_who(run.created_by), published_by=_who(run.published_by))


@dataclass(frozen=True)
class LineShown:
    """One consortium's line of a run, amounts in French."""

    row: RunLine
    kind: str
    amounts: dict[str, str]

    @property
    def line(self) -> Any:
        return self.row.line


def _lines_shown(lines: list[RunLine]) -> list[LineShown]:
    return [LineShown(row=row, kind=KIND_LABELS.get(row.line.kind, row.line.kind),
                      amounts={name: format_euros(getattr(row.line, name))
                               for name in AMOUNT_COLUMNS})
            for row in lines]


def _totals(lines: list[RunLine]) -> dict[str, Cents]:
    return {name: sum(getattr(row.line, name) for row in lines) for name in AMOUNT_COLUMNS}


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
    runs = [_run_shown(run) for run in allocation_runs(call=call)]
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
                       for parameter in _parameters(described, call)],
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
    totals = _totals(lines)
    published = (allocation_runs(call=run.call).filter(status=AllocationStatus.PUBLISHED)
                 .exclude(pk=run.pk).first())
    previous = (allocation_runs(call=run.call).filter(number__lt=run.number)
                .order_by("-number").first())
    return render(request, "allocation/runs/detail.html", {
        "call": run.call, "shown": _run_shown(run), "run": run,
        "lines": _lines_shown(lines),
        "totals": {name: format_euros(cents) for name, cents in totals.items()},
        "balanced": totals["allocation_cents"] == run.envelope_cents,
        "lines_match": totals["allocation_cents"] == run.allocated_cents,
        "parameters": _parameters(run.parameters, run.call),
        "published": published, "previous": previous,
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


EXPORT_HEADER = ["appel", "répartition", "statut", "identifiant", "consortium", "type",
                 "recevable", "règles en échec", "assiette du seuil (€)",
                 "assiette de l'abondement (€)", "abondement garanti", "plancher garanti (€)",
                 "part au prorata (€)", "bonus (€)", "abondement (€)"]


def _export_rows(run: AllocationRun) -> list[tuple[RunLine, list[Any]]]:
    rows = []
    for row in allocation_lines(run=run):
        line = row.line
        guarantee = ("oui" if line.guarantee_applies else "non") if row.guarantee else "—"
        rows.append((row, [run.call.year, run.number, run.get_status_display(),
                           line.application_code, line.name,
                           KIND_LABELS.get(line.kind, line.kind),
                           "oui" if line.admissible else "non", " ".join(row.failed_rules),
                           guarantee]))
    return rows


def _export_name(run: AllocationRun, extension: str) -> str:
    return f"repartition-{run.call.year}-n{run.number}.{extension}"


@require_GET
@login_required
def allocation_csv(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """Programme officers, administrators, association staff: the run's lines as CSV (UTF-8,
    « ; », amounts in euros with a decimal comma)."""
    allocation_reader_or_403(request.user)
    run = allocation_run_or_404(year, number)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(run, "csv")}"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(EXPORT_HEADER)
    for row, cells in _export_rows(run):
        line = row.line
        plain = [format_euros_plain(cents) for cents in (
            line.threshold_revenue_cents, line.abondement_revenue_cents, line.guarantee_cents,
            line.pro_rata_cents, line.bonus_cents, line.allocation_cents)]
        writer.writerow([*cells[:8], *plain[:2], cells[8], *plain[2:]])
    return response


EUROS_FORMAT = '#,##0.00 "€"'


@require_GET
@login_required
def allocation_xlsx(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """Programme officers, administrators, association staff: the run's lines as a workbook
    (amounts as numbers in euros, a total row), with its parameters on a second sheet."""
    allocation_reader_or_403(request.user)
    run = allocation_run_or_404(year, number)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Répartition n° {run.number}"
    sheet.append(EXPORT_HEADER)
    totals: dict[str, Cents] = dict.fromkeys(AMOUNT_COLUMNS, 0)
    for row, cells in _export_rows(run):
        line = row.line
        amounts = [Decimal(getattr(line, name)) / 100 for name in AMOUNT_COLUMNS]
        for name in AMOUNT_COLUMNS:
            totals[name] += getattr(line, name)
        sheet.append([*cells[:8], amounts[0], amounts[1], cells[8], *amounts[2:]])
    sheet.append(["", "", "", "", "Total", "", "", "",
                  *[Decimal(totals[name]) / 100 for name in AMOUNT_COLUMNS[:2]], "",
                  *[Decimal(totals[name]) / 100 for name in AMOUNT_COLUMNS[2:]]])
    sheet.append(["", "", "", "", "Enveloppe", "", "", "", "", "", "", "", "", "",
                  Decimal(run.envelope_cents) / 100])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("I", "J", "L", "M", "N", "O"):
        for cell in sheet[column][1:]:
            cell.number_format = EUROS_FORMAT
    parameters = workbook.create_sheet("Paramètres")
    parameters.append(["paramètre", "valeur", "source", "valable du", "valable jusqu'au",
                       "surchargé (source remplacée)", "note"])
    for parameter in _parameters(run.parameters, run.call):
        value = parameter.value if not parameter.rows else " ; ".join(
            f"{key} : {row}" for key, row in parameter.rows)
        parameters.append([parameter.name, value, parameter.source, parameter.valid_from,
                           parameter.valid_until, parameter.overridden_from, parameter.note])
    parameters.append([])
    parameters.append(["empreinte des données (SHA-256)", run.inputs_fingerprint])
    for cell in parameters[1]:
        cell.font = Font(bold=True)
    content = io.BytesIO()
    workbook.save(content)
    response = HttpResponse(content.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_export_name(run, "xlsx")}"'
    return response


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

@dataclass(frozen=True)
class FigureShown:
    label: str
    before: str
    after: str


def _figure(value: Any, name: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name.endswith("_cents") and isinstance(value, int):
        return format_euros(value)
    return str(value)


@dataclass(frozen=True)
class ChangeShown:
    """A line's change between two runs, in French: its figures before and after, and the
    parameters its rules read that changed (name, before, after)."""

    change: LineChange
    label: str
    figures: list[FigureShown]
    parameters: list[tuple[str, str, str]]
    rules: list[tuple[str, str, str]]


def _change_shown(change: LineChange) -> ChangeShown:
    return ChangeShown(
        change=change, label=CHANGE_LABELS[change.change],
        figures=[FigureShown(FIGURE_LABELS.get(figure.name, figure.name),
                             _figure(figure.before, figure.name),
                             _figure(figure.after, figure.name))
                 for figure in change.figures if figure.name in LINE_FIGURES],
        parameters=[(parameter.name, _shown_value(parameter.before),
                     _shown_value(parameter.after)) for parameter in change.parameters],
        rules=[(rule.rule, _verdicts(rule.before), _verdicts(rule.after))
               for rule in change.rules])


def _verdicts(statuses: tuple[str, ...]) -> str:
    """A rule's verdicts on a consortium (« subject : status »), in French."""
    if not statuses:
        return "aucun"
    shown = []
    for entry in statuses:
        subject, _, status = entry.rpartition(" : ")
        label = STATUS_LABELS.get(status, status)
        shown.append(f"{subject} : {label}" if subject else label)
    return ", ".join(shown)


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
        changes = [_change_shown(change)
                   for change in allocation_compare(before=before, after=after)]
        context.update(
            compared=True, before=_run_shown(before), after=_run_shown(after),
            parameters=[(change, _shown_value(change.before), _shown_value(change.after),
                         _source(change.source_before), _source(change.source_after))
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
