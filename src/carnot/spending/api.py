"""JSON API of five-year spending: vintages, expenditures and their history (FAQ-4.1).

Same permissions as the pages (``carnot.spending.permissions``): whoever may see the application
reads its consortium's ledger (every call of its code); its coordinators and administrators
record expenditures (others who see it: 403; those who do not: 404; anonymous: 401). A refusal
of the service (after the vintage's deadline, beyond what is left, an amount ≤ 0) is a 422 with
its French reason. "Today" is ``django.utils.timezone.localdate()``. Amounts are integer cents.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from carnot.applications.ledgers.schemas import ERRORS
from carnot.common.errors import ServiceError
from carnot.common.french import InvalidInput, parse_money
from carnot.common.requests import signed_in_user
from carnot.spending.models import ExpenditureCategory
from carnot.spending.permissions import spending_application_or_404, spending_recorder_or_403
from carnot.spending.selectors import (
    ExpenditureEntry,
    SpendingEntry,
    expenditure_entries,
    expenditure_entry,
    ledger_balance,
    spending_history,
    vintage_alert,
    vintages,
)
from carnot.spending.services import expenditure_record, vintage_grant

router = Router(tags=["dépenses"])

SPENDING = "/{int:year}/{code}/depenses"


# --- Schemas -------------------------------------------------------------------------------


class VintageOut(Schema):
    """One year's abondement on ``today``: spendable from 1 January N to 31 December N+4."""

    year: int
    granted_cents: int
    spent_cents: int
    remaining_cents: int
    deadline: date
    days_left: int = Field(description="jours jusqu'à l'échéance (négatif une fois passée)")
    expired: bool
    expiring: bool = Field(description="il reste de l'argent et l'échéance est proche")
    alert: str | None = Field(description="avertissement en français (FAQ-4.1), s'il y a lieu")


class BalanceOut(Schema):
    """The consortium's ledger in total: granted = spent + remaining, to the cent."""

    granted_cents: int
    spent_cents: int
    remaining_cents: int
    balanced: bool
    overspent_years: list[int]


class VintagesOut(Schema):
    code: str
    today: date
    vintages: list[VintageOut]
    balance: BalanceOut


class PartOut(Schema):
    """The share of an expenditure charged to one vintage."""

    vintage: int
    amount_cents: int


class ExpenditureOut(Schema):
    """One expenditure: split across vintages (oldest first), its parts share the entry."""

    entry: uuid.UUID
    spent_on: date
    amount_cents: int
    category: ExpenditureCategory
    category_label: str
    description: str
    recorded_by: str
    recorded_at: datetime
    parts: list[PartOut]


class ExpenditureIn(Schema):
    """An expenditure to record: the amount in cents (``amount_cents``) or as written in French
    (``amount``: « 12 500,00 € »), one of the two; the vintage (grant year) to charge, else the
    oldest open one first."""

    spent_on: date
    amount_cents: int | None = None
    amount: str | None = Field(default=None, max_length=40,
                               description="montant en euros, ex. « 12 500,00 € »")
    category: ExpenditureCategory
    description: str = Field(default="", max_length=2000)
    vintage: int | None = Field(default=None, description="millésime (année N) à utiliser")


class SpendingChangeOut(Schema):
    """A write on the consortium's grants and expenditures: who, when, what, old → new."""

    at: datetime
    by: str
    what: str
    old: str
    new: str

    @staticmethod
    def resolve_by(obj: SpendingEntry) -> str:
        if obj.by is None:
            return ""
        return obj.by.get_full_name() or obj.by.username


# --- Helpers -------------------------------------------------------------------------------



def _expenditure(entry: ExpenditureEntry) -> ExpenditureOut:
    return ExpenditureOut(
        entry=entry.entry, spent_on=entry.spent_on, amount_cents=entry.amount_cents,
        category=ExpenditureCategory(entry.category), category_label=entry.category_label,
        description=entry.description, recorded_by=entry.recorded_by,
        recorded_at=entry.recorded_at,
        parts=[PartOut(vintage=part.year, amount_cents=part.amount_cents)
               for part in entry.parts])


def _amount(payload: ExpenditureIn) -> int:
    if payload.amount_cents is not None and payload.amount is not None:
        raise ServiceError({"amount": "Donnez le montant en centimes (amount_cents) ou en "
                                      "euros (amount), pas les deux."})
    if payload.amount_cents is not None:
        return payload.amount_cents
    if payload.amount is None:
        raise ServiceError({"amount_cents": "Montant requis : amount_cents (centimes) ou "
                                            "amount (« 12 500,00 € »)."})
    try:
        return parse_money(payload.amount)
    except InvalidInput as error:
        raise ServiceError({"amount": str(error)}) from error


# --- Endpoints -----------------------------------------------------------------------------


@router.get(SPENDING + "/millesimes", response={200: VintagesOut, **ERRORS},
            summary="Abondements par millésime et équilibre du registre")
def get_spending_vintages(request: HttpRequest, year: int, code: str) -> VintagesOut:
    """Whoever may see the application: the consortium's vintages on today's date (granted,
    spent, remaining, deadline, warning before the money expires — FAQ-4.1) and its balance."""
    application = spending_application_or_404(request.user, year, code)
    today = timezone.localdate()
    balance = ledger_balance(application=application)
    return VintagesOut(
        code=application.code, today=today,
        vintages=[VintageOut(year=vintage.year, granted_cents=vintage.granted_cents,
                             spent_cents=vintage.spent_cents,
                             remaining_cents=vintage.remaining_cents, deadline=vintage.deadline,
                             days_left=vintage.days_left, expired=vintage.expired,
                             expiring=vintage.expiring, alert=vintage_alert(vintage))
                  for vintage in vintages(application=application, today=today)],
        balance=BalanceOut(granted_cents=balance.granted_cents,
                           spent_cents=balance.spent_cents,
                           remaining_cents=balance.remaining_cents, balanced=balance.balanced,
                           overspent_years=list(balance.overspent_years)))


@router.get(SPENDING, response={200: list[ExpenditureOut], **ERRORS},
            summary="Lister les dépenses du consortium")
def list_expenditures(request: HttpRequest, year: int, code: str) -> list[ExpenditureOut]:
    """Whoever may see the application: the consortium's expenditures, newest first, each with
    its parts (one per vintage charged)."""
    application = spending_application_or_404(request.user, year, code)
    return [_expenditure(entry) for entry in expenditure_entries(application=application)]


@router.post(SPENDING, response={201: ExpenditureOut, **ERRORS},
             summary="Enregistrer une dépense")
def record_expenditure(request: HttpRequest, year: int, code: str,
                       payload: ExpenditureIn) -> Status[Any]:
    """Its coordinators and administrators: record an expenditure, oldest open vintage first
    unless ``vintage`` is given; 201 with its parts, or 422 with the French reason (after the
    vintage's deadline, beyond what is left, ≤ 0 — FAQ-4.1), nothing stored."""
    application = spending_recorder_or_403(request.user, year, code)
    amount_cents = _amount(payload)
    grant = vintage_grant(application=application, year=payload.vintage,
                                   field="vintage")
    parts = expenditure_record(
        application=application, spent_on=payload.spent_on, amount_cents=amount_cents,
        category=payload.category.value, description=payload.description,
        by=signed_in_user(request), grant=grant)
    return Status(201, _expenditure(expenditure_entry(parts)))


@router.get(SPENDING + "/historique", response={200: list[SpendingChangeOut], **ERRORS},
            summary="Historique des abondements et des dépenses")
def get_spending_history(request: HttpRequest, year: int,
                         code: str) -> list[SpendingEntry]:
    """Whoever may see the application: every write on the consortium's grants and
    expenditures, newest first (who, when, what, old → new)."""
    application = spending_application_or_404(request.user, year, code)
    return spending_history(application=application)
