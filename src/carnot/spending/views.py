"""Pages of five-year spending: vintages, expenditures and their history (FAQ-4.1).

A consortium is named by its application's call year and code; its ledger holds the grants of
every application of that code (``selectors.consortium_grants``), so each call's page shows the
same ledger. Access (``spending.permissions``): whoever may see the application reads it (others
get 404, anonymous users the login page); its coordinators and administrators record
expenditures (the other roles get 403). "Today" — which vintages are open, which warn before
their deadline — is ``django.utils.timezone.localdate()``.

The form of the spending page is sent with htmx when JavaScript runs: the view then answers the
refreshed ledger section (or the section with the form and its errors). Without JavaScript the
same view answers a redirection to the page (POST-redirect-GET), or the form page with its
errors.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from carnot.applications.forms import show_refusal
from carnot.applications.models import Application
from carnot.common.errors import ServiceError
from carnot.common.requests import is_htmx, signed_in_user
from carnot.rules.money import format_euros, format_euros_plain
from carnot.spending.forms import ExpenditureForm
from carnot.spending.models import Expenditure
from carnot.spending.permissions import (
    can_record_spending,
    spending_application_or_404,
    spending_recorder_or_403,
)
from carnot.spending.selectors import (
    ExpenditureEntry,
    Vintage,
    expenditure_entries,
    ledger_balance,
    spending_history,
    vintage_alert,
    vintages,
)
from carnot.spending.services import expenditure_record, vintage_grant

SERVICE_FIELDS = {"amount_cents": "amount", "grant": "vintage", "category": "category"}
"""The service's field names as the form names them."""


# --- Helpers -----------------------------------------------------------------------------------



def _kwargs(application: Application) -> dict[str, Any]:
    return {"year": application.call.year, "code": application.code}


def _detail_url(application: Application) -> str:
    return reverse("funding:spending-detail", kwargs=_kwargs(application))




@dataclass(frozen=True)
class VintageShown:
    """A vintage as the page shows it: figures in euros, a state and its DSFR badge."""

    vintage: Vintage
    granted: str
    spent: str
    remaining: str
    state: str
    badge: str


def _state(vintage: Vintage, today: date) -> tuple[str, str]:
    if vintage.expired:
        return (("clos, reliquat perdu", "error") if vintage.remaining_cents > 0
                else ("clos", "info"))
    if vintage.remaining_cents <= 0:
        return "entièrement dépensé", "success"
    if today < date(vintage.year, 1, 1):
        return f"ouvert le 01/01/{vintage.year}", "new"
    if vintage.expiring:
        return "expire bientôt", "warning"
    return "ouvert", "success"


def _shown(vintage: Vintage, today: date) -> VintageShown:
    state, badge = _state(vintage, today)
    return VintageShown(vintage, format_euros(vintage.granted_cents),
                        format_euros(vintage.spent_cents), format_euros(vintage.remaining_cents),
                        state, badge)


@dataclass(frozen=True)
class EntryShown:
    """An expenditure as the page shows it: its total and its parts in euros."""

    entry: ExpenditureEntry
    amount: str
    parts: list[tuple[int, str]]


def _ledger_context(request: HttpRequest, application: Application, *,
                    form: ExpenditureForm | None = None, notice: str = "") -> dict[str, Any]:
    """Everything the ledger section shows: alerts, vintages, balance, the form (for those who
    record), expenditures, history."""
    today = timezone.localdate()
    rows = vintages(application=application, today=today)
    balance = ledger_balance(application=application)
    recorder = can_record_spending(request.user, application)
    if recorder and form is None and rows:
        form = ExpenditureForm(vintages=rows, initial={"spent_on": today},
                               auto_id="expenditure_%s")
    alerts = [("error" if vintage.expired else "warning", alert) for vintage in rows
              if (alert := vintage_alert(vintage)) is not None]
    return {
        "application": application,
        "today": today,
        "vintages": [_shown(vintage, today) for vintage in rows],
        "alerts": alerts,
        "balance": balance,
        "granted": format_euros(balance.granted_cents),
        "spent": format_euros(balance.spent_cents),
        "remaining": format_euros(balance.remaining_cents),
        "entries": [EntryShown(entry, format_euros(entry.amount_cents),
                               [(part.year, format_euros(part.amount_cents))
                                for part in entry.parts])
                    for entry in expenditure_entries(application=application)],
        "history": spending_history(application=application),
        "form": form if recorder and rows else None,
        "notice": notice,
        "create_url": reverse("funding:spending-create", kwargs=_kwargs(application)),
        "csv_url": reverse("funding:spending-csv", kwargs=_kwargs(application)),
        "application_url": reverse("applications:detail", kwargs=_kwargs(application)),
    }


def _recorded(parts: list[Expenditure]) -> str:
    """The French notice of a recorded expenditure, with its parts when it was split."""
    total = format_euros(sum(part.amount_cents for part in parts))
    if len(parts) == 1:
        return f"Dépense de {total} enregistrée sur l'abondement {parts[0].grant.year}."
    shares = ", ".join(f"{format_euros(part.amount_cents)} sur l'abondement {part.grant.year}"
                       for part in parts)
    return f"Dépense de {total} enregistrée, répartie : {shares}."


# --- Pages ---------------------------------------------------------------------------------------

@require_GET
@login_required
def spending_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application: per vintage granted, spent, remaining and deadline,
    the warnings before money expires, the ledger's balance, the expenditures and the history;
    the form to record one for its coordinators and administrators."""
    application = spending_application_or_404(request.user, year, code)
    context = _ledger_context(request, application)
    context["title"] = f"Dépenses de l'abondement — {application.name}"
    return render(request, "spending/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def spending_create(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Its coordinators and administrators: record an expenditure, oldest vintage first unless
    one is chosen; a refusal of the service (after the deadline, beyond what is left, ≤ 0) is
    shown on the form and nothing is stored."""
    application = spending_recorder_or_403(request.user, year, code)
    today = timezone.localdate()
    form = ExpenditureForm(request.POST or None,
                           vintages=vintages(application=application, today=today),
                           initial={"spent_on": today}, auto_id="expenditure_%s")
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                parts = expenditure_record(
                    application=application, spent_on=data["spent_on"],
                    amount_cents=data["amount"], category=data["category"],
                    description=data["description"], by=signed_in_user(request),
                    grant=vintage_grant(application=application,
                                                 year=data["vintage"]))
            except ServiceError as error:
                show_refusal(form, error, SERVICE_FIELDS)
            else:
                notice = _recorded(parts)
                if is_htmx(request):
                    return render(request, "spending/_ledger_swap.html",
                                  _ledger_context(request, application, notice=notice))
                messages.success(request, notice)
                return redirect(_detail_url(application))
        if is_htmx(request):
            return render(request, "spending/_ledger_swap.html",
                          _ledger_context(request, application, form=form))
    return render(request, "spending/create.html", {
        "application": application, "form": form,
        "detail_url": _detail_url(application),
        "title": f"Nouvelle dépense — {application.name}"})


@require_GET
@login_required
def spending_csv(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application: the consortium's expenditures as CSV (UTF-8, « ; »),
    one row per vintage charged (an expenditure split across vintages shares its « saisie »)."""
    application = spending_application_or_404(request.user, year, code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="depenses-{application.code}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["consortium", "date", "catégorie", "montant (€)", "abondement",
                     "description", "saisie par", "saisie le", "saisie"])
    for entry in expenditure_entries(application=application):
        for part in entry.parts:
            writer.writerow([application.code, f"{entry.spent_on:%d/%m/%Y}",
                             entry.category_label, format_euros_plain(part.amount_cents), part.year,
                             entry.description, entry.recorded_by,
                             f"{timezone.localtime(entry.recorded_at):%d/%m/%Y %H:%M}",
                             entry.entry])
    return response


APPLICATION = "<int:year>/<slug:code>/"

urlpatterns: list[URLPattern] = [
    path(APPLICATION + "depenses/", spending_detail, name="spending-detail"),
    path(APPLICATION + "depenses/nouvelle/", spending_create, name="spending-create"),
    path(APPLICATION + "depenses/depenses.csv", spending_csv, name="spending-csv"),
]
