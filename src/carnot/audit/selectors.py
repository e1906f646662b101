"""Reading the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max, QuerySet

from carnot.audit.models import ADMIN_KINDS, AuditEvent, EventKind


def application_events(*, application_code: str, call_year: int | None = None,
                       kinds: Iterable[EventKind] | None = None) -> QuerySet[AuditEvent]:
    """The events concerning an application (of one call, or of every call when ``call_year``
    is ``None``: a consortium keeps its code from year to year), oldest first, with who made
    them."""
    events = AuditEvent.objects.filter(application_code=application_code)
    if call_year is not None:
        events = events.filter(call_year=call_year)
    if kinds is not None:
        events = events.filter(kind__in=list(kinds))
    return events.select_related("acting_user")


def admin_revision() -> int:
    """Changes whenever data is added, changed or deleted through the admin (the latest such
    event): what is computed from that data and kept must then be computed again."""
    return AuditEvent.objects.filter(kind__in=ADMIN_KINDS).aggregate(
        latest=Max("pk"))["latest"] or 0
