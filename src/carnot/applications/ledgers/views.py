"""Pages of the contract ledgers: contracts per unit and per consortium, each with its
eligibility (FAQ-2.6, 2.28, 3.1 to 3.3), one contract in full, and ledger imports.

Access (``applications.ledgers.permissions``): a unit's ledger is read by the unit's leads, the
coordinators of an application declaring it, programme officers, association staff and
administrators (anyone else gets 404); it is imported by its leads, those coordinators and
administrators (officers and association staff get 403). A consortium's ledger is read by
whoever may see the application (each unit's contracts only by those who may read that unit's
ledger) and imported by its coordinators and administrators. Anonymous users get the login page.

An import creates a job run by a task (``carnot.applications.ledgers.tasks``) whose page polls
its status partial every second with htmx: a progress bar while the rows are checked, then what
was created, updated and left unchanged, or every error with its row, column and rule (nothing
written then). Each poll also takes back the job if its worker died (enqueued again, or failed).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from carnot.applications.ledgers import jobs, tasks
from carnot.applications.ledgers.forms import LedgerFilterForm, LedgerImportForm
from carnot.applications.ledgers.permissions import (
    can_import_application_ledger,
    can_import_ledger,
    importable_application_or_403,
    importable_unit_or_403,
    ledger_application_or_404,
    ledger_contract_or_404,
    ledger_import_job_or_404,
    ledger_unit_or_404,
    readable_ledger_units,
)
from carnot.applications.ledgers.selectors import consortium_ledger
from carnot.applications.models import (
    Application,
    ApplicationUnit,
    LedgerImportJob,
    LedgerImportStatus,
)
from carnot.applications.selectors import latest_call
from carnot.common.requests import signed_in_user
from carnot.ledgers.checking import megabytes
from carnot.ledgers.format import ALIASES, MAX_BYTES
from carnot.ledgers.selectors import (
    LedgerRow,
    UnitLedger,
    contract_ledger_row,
    partner_category_explanation,
    unit_ledger,
)
from carnot.registry.models import Call, Unit
from carnot.rules.money import Cents, format_euros

TEMPLATE_YEARS = 4
ROWS_PER_PAGE = 100
"""Contracts per page of a unit's ledger (the totals are always over all of them)."""
ROWS_PER_UNIT_IN_CONSORTIUM = 50
"""Contracts shown per unit on a consortium's ledger; the rest are on the unit's page."""
"""« Facturé AAAA » columns of the template file: the call's revenue year and those before."""


# --- Helpers -----------------------------------------------------------------------------------


def _euros(cents: Cents | None) -> str:
    return "—" if cents is None else format_euros(cents)


@dataclass(frozen=True)
class RowShown:
    """A contract as a ledger table shows it: amounts in euros, one cell per year."""

    row: LedgerRow
    total: str
    invoiced: list[tuple[int, str]]
    invoiced_total: str


@dataclass(frozen=True)
class UnitShown:
    """A unit's ledger as a page shows it: its rows and its totals per year, in euros."""

    ledger: UnitLedger
    rows: list[RowShown]
    invoiced: list[tuple[int, str]]
    counted: list[tuple[int, str]]
    invoiced_total: str
    counted_total: str
    declaration: ApplicationUnit | None = None


def _row_shown(row: LedgerRow, years: tuple[int, ...]) -> RowShown:
    return RowShown(row=row, total=format_euros(row.contract.total_cents),
                    invoiced=[(year, _euros(row.invoiced.get(year))) for year in years],
                    invoiced_total=format_euros(row.invoiced_total_cents))


def _unit_shown(ledger: UnitLedger, years: tuple[int, ...], rows: Sequence[LedgerRow],
                declaration: ApplicationUnit | None = None) -> UnitShown:
    return UnitShown(
        ledger=ledger, rows=[_row_shown(row, years) for row in rows],
        invoiced=[(year, format_euros(ledger.invoiced_by_year.get(year, 0))) for year in years],
        counted=[(year, format_euros(ledger.counted_by_year.get(year, 0))) for year in years],
        invoiced_total=format_euros(ledger.invoiced_cents),
        counted_total=format_euros(ledger.counted_cents), declaration=declaration)


def _call_context(call: Call | None) -> dict[str, Any]:
    """The call that judges the contracts, and the years of revenue it reads (FAQ-2.22)."""
    if call is None:
        return {"call": None, "abondement_years": (), "threshold_years": ()}
    params = call.parameters()
    return {"call": call, "abondement_years": params.abondement_revenue_years(),
            "threshold_years": params.threshold_revenue_years()}


def _unit_url(unit: Unit) -> str:
    return reverse("funding:ledger-unit", kwargs={"rnsr": unit.rnsr})


def _application_url(application: Application) -> str:
    return reverse("funding:ledger-application",
                   kwargs={"year": application.call.year, "code": application.code})


# --- Ledgers -----------------------------------------------------------------------------------

@require_GET
@login_required
def unit_ledger_page(request: HttpRequest, rnsr: str) -> HttpResponse:
    """The unit's leads, coordinators of an application declaring it, officers, association,
    administrators: every contract of the unit, whether it counts for the abondement of the
    chosen call (``?appel=``, the latest by default) and, if not, the rule that excludes it;
    totals per year of what counts (``?contrats=comptes|exclus`` filters the rows only)."""
    unit = ledger_unit_or_404(request.user, rnsr)
    filters = LedgerFilterForm(request.GET or None)
    chosen, only = filters.chosen()
    call = chosen or latest_call()
    ledger = unit_ledger(unit=unit, call=call, only=only)
    page = Paginator(ledger.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledgers/unit.html", {
        **_call_context(call), "unit": unit, "filters": filters, "only": only,
        "shown": _unit_shown(ledger, ledger.years, list(page.object_list)), "years": ledger.years,
        "page": page, "page_query": query.urlencode(),
        "page_range": list(page.paginator.get_elided_page_range(page.number)),
        "can_import": can_import_ledger(request.user, unit),
        "title": f"Registre des contrats — {unit.name}"})


@require_GET
@login_required
def application_ledger_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application: its units' contracts grouped by unit (each unit's
    only for those who may read its ledger) under the application's call, with the totals of
    what counts per unit and overall."""
    application = ledger_application_or_404(request.user, year, code)
    filters = LedgerFilterForm(request.GET or None, with_call=False)
    _, only = filters.chosen()
    ledger = consortium_ledger(application=application,
                               units=readable_ledger_units(request.user, application), only=only)
    years = ledger.years
    return render(request, "ledgers/application.html", {
        **_call_context(application.call), "application": application, "filters": filters,
        "only": only, "ledger": ledger, "years": years,
        "units": [_unit_shown(item.ledger, years, item.ledger.rows[:ROWS_PER_UNIT_IN_CONSORTIUM],
                              item.declaration) for item in ledger.units],
        "invoiced": [(y, format_euros(ledger.invoiced_by_year.get(y, 0))) for y in years],
        "counted": [(y, format_euros(ledger.counted_by_year.get(y, 0))) for y in years],
        "invoiced_total": format_euros(ledger.invoiced_cents),
        "counted_total": format_euros(ledger.counted_cents),
        "can_import": can_import_application_ledger(request.user, application),
        "title": f"Registre des contrats — {application.name}"})


@require_GET
@login_required
def contract_page(request: HttpRequest, contract_id: int) -> HttpResponse:
    """Those who may read the unit's ledger: one contract in full, its eligibility under the
    chosen call (``?appel=``) with the rule and why, and why its partner has its category."""
    contract = ledger_contract_or_404(request.user, contract_id)
    filters = LedgerFilterForm(request.GET or None, with_contracts=False)
    chosen, _ = filters.chosen()
    call = chosen or latest_call()
    row = contract_ledger_row(contract=contract, call=call)
    threshold = row.eligibility.threshold_cents if row.eligibility is not None else None
    return render(request, "ledgers/contract.html", {
        **_call_context(call), "contract": contract, "partner": contract.partner,
        "filters": filters, "shown": _row_shown(row, tuple(row.invoiced)),
        "explanation": partner_category_explanation(contract=contract),
        "threshold": _euros(threshold),
        "turnover": _euros(contract.partner.turnover_cents),
        "balance_sheet": _euros(contract.partner.balance_sheet_cents),
        "title": f"Contrat {contract.reference} — {contract.unit.rnsr}"})


# --- Imports -----------------------------------------------------------------------------------

def _import_page(request: HttpRequest, *, unit: Unit | None,
                 application: Application | None) -> HttpResponse:
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = tasks.start_ledger_import(file=upload, filename=upload.name or "registre",
                                        by=signed_in_user(request), unit=unit,
                                        application=application)
        return redirect("funding:ledger-import-job", job=job.pk)
    if unit is not None:
        back, name = _unit_url(unit), f"de l'unité {unit.rnsr} — {unit.name}"
    else:
        assert application is not None
        back, name = _application_url(application), f"du consortium {application.name}"
    return render(request, "ledgers/import.html", {
        "form": form, "unit": unit, "application": application, "back_url": back,
        "scope": name, "columns": ALIASES,
        "max_size": megabytes(MAX_BYTES),
        "declared": (list(Unit.objects.filter(declarations__application=application)
                          .order_by("rnsr").values_list("rnsr", flat=True))
                     if application is not None else []),
        "title": f"Importer le registre des contrats {name}"})


@require_http_methods(["GET", "POST"])
@login_required
def unit_import_page(request: HttpRequest, rnsr: str) -> HttpResponse:
    """The unit's leads, coordinators of an application declaring it, administrators: upload
    the unit's ledger (CSV or XLSX); the import runs as a job whose page shows its progress."""
    return _import_page(request, unit=importable_unit_or_403(request.user, rnsr),
                        application=None)


@require_http_methods(["GET", "POST"])
@login_required
def application_import_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The application's coordinators, administrators: upload the ledger of the consortium's
    units (CSV or XLSX, with an RNSR column; a row of a unit the application does not declare
    is an error)."""
    return _import_page(request, unit=None,
                        application=importable_application_or_403(request.user, year, code))


def _recovered(job: LedgerImportJob) -> LedgerImportJob:
    """The job as it is once taken back if its worker died (its page is where someone waits)."""
    if tasks.recover_stale_ledger_import(job) is not None:
        job.refresh_from_db()
    return job


def _job_context(job: LedgerImportJob) -> dict[str, Any]:
    if job.unit is not None:
        back, again = _unit_url(job.unit), reverse("funding:ledger-unit-import",
                                                   kwargs={"rnsr": job.unit.rnsr})
    else:
        assert job.application is not None
        back = _application_url(job.application)
        again = reverse("funding:ledger-application-import", kwargs={
            "year": job.application.call.year, "code": job.application.code})
    return {"job": job, "back_url": back, "again_url": again,
            "percent": job.rows_done * 100 // job.rows_total if job.rows_total else 0,
            "status_url": reverse("funding:ledger-import-status", kwargs={"job": job.pk}),
            "statuses": LedgerImportStatus}


@require_GET
@login_required
def import_job_page(request: HttpRequest, job: uuid.UUID) -> HttpResponse:
    """The user who started the import (and administrators): its progress, then its report or
    its errors (the status region polls ``ledger-import-status`` until the job ends)."""
    found = _recovered(ledger_import_job_or_404(request.user, job))
    return render(request, "ledgers/job.html", {
        **_job_context(found), "title": f"Import du registre « {found.filename} »"})


@require_GET
@login_required
def import_status(request: HttpRequest, job: uuid.UUID) -> HttpResponse:
    """The user who started the import (and administrators): the job's status (htmx partial:
    polled every second while the job runs, no longer once it has ended)."""
    found = _recovered(ledger_import_job_or_404(request.user, job))
    return render(request, "ledgers/_job_status.html", _job_context(found))


@require_GET
@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """Signed-in users: an empty ledger file (CSV, « ; », UTF-8) with the expected columns and
    one « Facturé AAAA » column for the latest call's revenue year and those before it."""
    call = latest_call()
    last = max(call.parameters().abondement_revenue_years()) if call is not None else None
    years = range(last - TEMPLATE_YEARS + 1, last + 1) if last is not None else range(0)
    response = HttpResponse("\ufeff" + jobs.ledger_template_csv(years),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registre-contrats-modele.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("unites/<str:rnsr>/contrats/", unit_ledger_page, name="ledger-unit"),
    path("unites/<str:rnsr>/contrats/import/", unit_import_page, name="ledger-unit-import"),
    path("<int:year>/<slug:code>/contrats/", application_ledger_page,
         name="ledger-application"),
    path("<int:year>/<slug:code>/contrats/import/", application_import_page,
         name="ledger-application-import"),
    path("contrats/<int:contract_id>/", contract_page, name="ledger-contract"),
    path("contrats/modele.csv", import_template, name="ledger-template"),
    path("contrats/imports/<uuid:job>/", import_job_page, name="ledger-import-job"),
    path("contrats/imports/<uuid:job>/etat/", import_status, name="ledger-import-status"),
]
