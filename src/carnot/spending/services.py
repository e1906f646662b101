"""Writes on five-year spending (FAQ-4.1): expenditures charged to the grants' vintages."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction

from carnot.allocation.models import Grant
from carnot.allocation.selectors import consortium_grants, spent_by_grant
from carnot.applications.models import Application
from carnot.applications.permissions import coordinates_or_administers
from carnot.audit.models import EventKind
from carnot.audit.services import audit_record
from carnot.common.errors import ServiceError
from carnot.rules.money import Cents, format_euros
from carnot.spending.models import Expenditure, ExpenditureCategory
from carnot.spending.selectors import grant_deadline

if TYPE_CHECKING:
    from django.contrib.auth.models import User



def _may_spend(application: Application, by: User) -> bool:
    """The consortium's coordinators (the application's owners) and administrators."""
    return coordinates_or_administers(by, application)


def _vintage(grant: Grant, deadline: date, remaining: Cents) -> str:
    return (f"abondement {grant.year} (utilisable jusqu'au {deadline:%d/%m/%Y}, reste "
            f"{format_euros(remaining)})")


def vintage_grant(*, application: Application, year: int | None,
                  field: str = "grant") -> Grant | None:
    """The consortium's grant of ``year`` to charge an expenditure to (``None`` when no year is
    chosen: oldest vintage first); a year it has no grant of is refused, keyed ``field``."""
    if year is None:
        return None
    grant = consortium_grants(application=application).filter(year=year).first()
    if grant is None:
        raise ServiceError({field: f"Le consortium {application.code} n'a pas "
                                   f"d'abondement {year}."})
    return grant


def expenditure_record(*, application: Application, spent_on: date, amount_cents: Cents,
                       category: str, description: str, by: User,
                       grant: Grant | None = None) -> list[Expenditure]:
    """Record an expenditure of the consortium (its coordinators and administrators only).

    Without ``grant``, it is charged oldest vintage first: to the oldest grant open on
    ``spent_on`` (from 1 January of N to its deadline, FAQ-4.1) with money left and, when that is
    not enough, the rest to the next open vintages in order — one ``Expenditure`` per vintage,
    sharing one ``entry``, in one transaction (a programme officer reads the ledger as money
    used oldest first; refusing would make the consortium split by hand). With ``grant``, only
    that vintage is charged. Refused, in French naming each vintage with its deadline and what
    it has left: an amount ≤ 0, a date outside the vintage's window, more than is left. Every
    part is an event of the audit log (the consortium's spending history).
    """
    if not _may_spend(application, by):
        raise ServiceError("Seuls les coordinateurs du consortium et les administrateurs "
                           "enregistrent ses dépenses.")
    if amount_cents <= 0:
        raise ServiceError({"amount_cents": "Le montant d'une dépense doit être positif."})
    if category not in ExpenditureCategory.values:
        raise ServiceError({"category": f"Catégorie de dépense inconnue : « {category} »."})
    with transaction.atomic():
        ledger = list(consortium_grants(application=application).select_for_update())
        if grant is not None:
            ledger = [vintage for vintage in ledger if vintage.pk == grant.pk]
            if not ledger:
                raise ServiceError({"grant": f"L'abondement {grant.year} n'est pas celui du "
                                             f"consortium {application.code}."})
        if not ledger:
            raise ServiceError(f"Le consortium {application.code} n'a aucun abondement.")
        spent = spent_by_grant(vintage.pk for vintage in ledger)
        remaining = {vintage.pk: vintage.amount_cents - spent.get(vintage.pk, 0)
                     for vintage in ledger}
        deadlines = {vintage.pk: grant_deadline(vintage) for vintage in ledger}
        open_ = [vintage for vintage in ledger
                 if date(vintage.year, 1, 1) <= spent_on <= deadlines[vintage.pk]]
        amount = format_euros(amount_cents)
        if grant is not None and not open_:
            chosen = ledger[0]
            raise ServiceError(
                f"Dépense du {spent_on:%d/%m/%Y} refusée : hors de la période d'utilisation de "
                f"l'{_vintage(chosen, deadlines[chosen.pk], remaining[chosen.pk])}, du "
                f"01/01/{chosen.year} au {deadlines[chosen.pk]:%d/%m/%Y} (FAQ-4.1).")
        if not open_:
            closed = [vintage for vintage in ledger if deadlines[vintage.pk] < spent_on]
            named = ", ".join(_vintage(vintage, deadlines[vintage.pk], remaining[vintage.pk])
                              for vintage in (closed or ledger))
            raise ServiceError(f"Dépense du {spent_on:%d/%m/%Y} refusée : aucun abondement "
                               f"n'est utilisable à cette date (FAQ-4.1) — {named}.")
        available = sum(max(remaining[vintage.pk], 0) for vintage in open_)
        if amount_cents > available:
            named = ", ".join(_vintage(vintage, deadlines[vintage.pk], remaining[vintage.pk])
                              for vintage in open_)
            raise ServiceError({"amount_cents": (
                f"Dépense de {amount} refusée : il ne reste que {format_euros(available)} "
                f"utilisables le {spent_on:%d/%m/%Y} — {named} (FAQ-4.1).")})
        entry = uuid.uuid4()
        parts = []
        left = amount_cents
        for vintage in open_:
            share = min(left, remaining[vintage.pk])
            if share <= 0:
                continue
            part = Expenditure.objects.create(
                grant=vintage, entry=entry, spent_on=spent_on, amount_cents=share,
                category=category, description=description, recorded_by=by)
            parts.append(part)
            audit_record(
                acting_user=by, kind=EventKind.EXPENDITURE_RECORDED, target=part,
                label=f"Dépense du {spent_on:%d/%m/%Y} sur l'abondement {vintage.year}",
                application_code=application.code, call_year=vintage.year,
                before={"remaining_cents": remaining[vintage.pk]},
                after={"amount_cents": share, "category": category, "entry": str(entry),
                       "remaining_cents": remaining[vintage.pk] - share})
            left -= share
            if left == 0:
                break
    return parts
