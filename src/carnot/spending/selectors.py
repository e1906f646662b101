"""Reads of five-year spending (FAQ-4.1): vintages, balance, expenditures, history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Sum

from carnot.allocation.models import Grant
from carnot.allocation.selectors import consortium_grants, spent_by_grant
from carnot.applications.models import Application
from carnot.audit.models import AuditEvent, EventKind
from carnot.audit.selectors import application_events
from carnot.rules.money import Cents, format_euros
from carnot.rules.spending import spend_by
from carnot.rules.verdicts import count
from carnot.spending.models import Expenditure, ExpenditureCategory

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- Five-year spending (FAQ-4.1) ------------------------------------------------------------

EXPIRY_WARNING_DAYS = 180
"""How long before a vintage's deadline the platform warns that money is about to expire.

Assumption (no FAQ figure): six months leave a consortium time to commit and invoice what is
left. A named constant rather than a dated parameter, since it decides no amount; make it a
parameter of the call's YAML if the programme wants to change it from one call to the next."""


def grant_deadline(grant: Grant) -> date:
    """The last day on which ``grant`` may be spent: 31/12 of N+4 with the parameters of the
    call that granted it (FAQ-4.1)."""
    return spend_by(grant.year, grant.application.call.parameters())


@dataclass(frozen=True)
class Vintage:
    """One year's abondement as the consortium sees it on ``today``."""

    grant_id: int
    year: int
    granted_cents: Cents
    spent_cents: Cents
    remaining_cents: Cents
    deadline: date
    days_left: int
    """Days from today to the deadline (0 on the deadline itself, negative once it passed)."""
    expired: bool
    expiring: bool
    """Money is left and the deadline is within ``EXPIRY_WARNING_DAYS`` days."""


def vintages(*, application: Application, today: date) -> list[Vintage]:
    """Per vintage of the consortium, oldest first: granted, spent, remaining, the deadline
    (FAQ-4.1), the days left and whether money is about to expire (two queries)."""
    grants = list(consortium_grants(application=application))
    spent = spent_by_grant(grant.pk for grant in grants)
    found = []
    for grant in grants:
        deadline = grant_deadline(grant)
        used = spent.get(grant.pk, 0)
        remaining = grant.amount_cents - used
        days_left = (deadline - today).days
        found.append(Vintage(
            grant_id=grant.pk, year=grant.year, granted_cents=grant.amount_cents,
            spent_cents=used, remaining_cents=remaining, deadline=deadline,
            days_left=days_left, expired=days_left < 0,
            expiring=remaining > 0 and 0 <= days_left <= EXPIRY_WARNING_DAYS))
    return found


@dataclass(frozen=True)
class LedgerBalance:
    """A consortium's ledger in total: what was granted is what was spent plus what is left."""

    granted_cents: Cents
    spent_cents: Cents
    remaining_cents: Cents
    overspent_years: tuple[int, ...]
    """Vintages spent beyond their grant (never, when every write goes through the services)."""

    @property
    def balanced(self) -> bool:
        return (self.granted_cents == self.spent_cents + self.remaining_cents
                and not self.overspent_years)


def ledger_balance(*, application: Application) -> LedgerBalance:
    """The consortium's totals, each computed on its own: granted (sum of grants), spent (sum of
    expenditures) and remaining (sum over vintages of granted − spent, none negative)."""
    grants = list(consortium_grants(application=application)
                  .values_list("pk", "year", "amount_cents"))
    granted = sum(amount for _, _, amount in grants)
    spent_total = (Expenditure.objects.filter(grant__application__code=application.code)
                   .aggregate(total=Sum("amount_cents"))["total"]) or 0
    spent = spent_by_grant(pk for pk, _, _ in grants)
    remaining = sum(amount - spent.get(pk, 0) for pk, _, amount in grants)
    return LedgerBalance(
        granted_cents=granted, spent_cents=int(spent_total), remaining_cents=remaining,
        overspent_years=tuple(year for pk, year, amount in grants
                              if spent.get(pk, 0) > amount))


def vintage_alert(vintage: Vintage) -> str | None:
    """The French warning of a vintage whose money is about to expire or was lost (FAQ-4.1),
    with the amount and the date; None when there is nothing to warn about."""
    if vintage.remaining_cents <= 0:
        return None
    left = format_euros(vintage.remaining_cents)
    if vintage.expired:
        return (f"Abondement {vintage.year} : {left} non dépensés au "
                f"{vintage.deadline:%d/%m/%Y} sont perdus, le délai de cinq ans est passé "
                "(FAQ-4.1).")
    if not vintage.expiring:
        return None
    when = ("aujourd'hui, dernier jour" if vintage.days_left == 0
            else f"dans {count(vintage.days_left, 'jour')}")
    return (f"Abondement {vintage.year} : {left} restent à dépenser au plus tard le "
            f"{vintage.deadline:%d/%m/%Y} ({when}) ; au-delà, ils sont perdus (FAQ-4.1).")


@dataclass(frozen=True)
class ExpenditurePart:
    """The share of an expenditure charged to one vintage."""

    year: int
    amount_cents: Cents


@dataclass(frozen=True)
class ExpenditureEntry:
    """One expenditure as recorded: its parts (one per vintage charged, oldest first) share the
    entry, the date, the category, the description and who recorded it."""

    entry: uuid.UUID
    spent_on: date
    category: str
    category_label: str
    description: str
    recorded_by: str
    recorded_at: datetime
    parts: tuple[ExpenditurePart, ...]

    @property
    def amount_cents(self) -> Cents:
        return sum(part.amount_cents for part in self.parts)


def expenditure_entry(parts: Sequence[Expenditure]) -> ExpenditureEntry:
    """One expenditure from its rows (one per vintage charged, sharing an entry; their grants
    and recorder loaded), its parts oldest vintage first."""
    first = parts[0]
    return ExpenditureEntry(
        entry=first.entry, spent_on=first.spent_on, category=first.category,
        category_label=first.get_category_display(), description=first.description,
        recorded_by=first.recorded_by.get_full_name() or first.recorded_by.username,
        recorded_at=first.recorded_at,
        parts=tuple(ExpenditurePart(part.grant.year, part.amount_cents)
                    for part in sorted(parts, key=lambda part: (part.grant.year, part.pk))))


def expenditure_entries(*, application: Application) -> list[ExpenditureEntry]:
    """The consortium's expenditures (every call of its code), newest first, an expenditure
    split across vintages as one entry with its parts (one query)."""
    rows = (Expenditure.objects.filter(grant__application__code=application.code)
            .select_related("grant", "recorded_by")
            .order_by("-spent_on", "-recorded_at", "-pk"))
    grouped: dict[uuid.UUID, list[Expenditure]] = {}
    for row in rows:
        grouped.setdefault(row.entry, []).append(row)
    return [expenditure_entry(parts) for parts in grouped.values()]


@dataclass(frozen=True)
class SpendingEntry:
    """A write on a consortium's grants and expenditures read from the audit log: who, when,
    what, old → new (in French)."""

    at: datetime
    by: User | None
    what: str
    old: str
    new: str


SPENDING_KINDS = (EventKind.GRANT_OPENED, EventKind.GRANT_CHANGED,
                  EventKind.EXPENDITURE_RECORDED)


def _spending_values(event: AuditEvent) -> tuple[str, str]:
    """Old and new as the history shows them. Events copied from the former history table
    carry the text it kept (``text``)."""
    before, after = event.before or {}, event.after or {}
    if "text" in after:
        return before.get("text", ""), after["text"]
    if event.kind == EventKind.EXPENDITURE_RECORDED:
        category = ExpenditureCategory(after["category"]).label.lower()
        return (f"{format_euros(before['remaining_cents'])} restants",
                f"{format_euros(after['amount_cents'])} ({category}) ; "
                f"{format_euros(after['remaining_cents'])} restants")
    old = format_euros(before["amount_cents"]) if "amount_cents" in before else ""
    return old, f"{format_euros(after['amount_cents'])} (répartition n° {after['run']})"


def spending_history(*, application: Application) -> list[SpendingEntry]:
    """Every write on the consortium's grants and expenditures (every call of its code),
    newest first, with who made it (one query)."""
    events = application_events(application_code=application.code, kinds=SPENDING_KINDS)
    return [SpendingEntry(event.at, event.acting_user, event.object_label,
                           *_spending_values(event))
            for event in events.order_by("-at", "-pk")]
