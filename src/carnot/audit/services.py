"""Writing the audit log: one event per change, inside the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from carnot.audit.models import AuditEvent, EventKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FORGET_SETTING = "carnot.audit_forget"
"""The transaction-local setting the PostgreSQL trigger reads to let ``audit_forget`` delete."""


def audit_record(*, acting_user: User | None, kind: EventKind, target: models.Model | None,
                 before: Mapping[str, Any] | None = None,
                 after: Mapping[str, Any] | None = None, reason: str = "",
                 label: str = "", application_code: str = "",
                 call_year: int | None = None) -> AuditEvent:
    """Record one change made by ``acting_user`` (``None``: the system) on ``target``: its
    values ``before`` and ``after`` (plain JSON data; dates and decimals as text), why, and the
    application it concerns. ``label`` names the object as the history shows it (its ``str``
    by default), read now because the object may be gone tomorrow.

    Called inside the service's transaction, so that the change and its event are written
    together or not at all: outside one it refuses to write."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change.")
    return AuditEvent.objects.create(
        acting_user=acting_user, kind=kind,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id="" if target is None else str(target.pk),
        object_label=(label or ("" if target is None else str(target)))[:255],
        application_code=application_code, call_year=call_year,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None, reason=reason)


def audit_forget(*, users: Iterable[User], reason: str) -> int:
    """Erase every event made by ``users``, so that these accounts can be deleted (the log
    protects its authors): only for throwaway accounts — the demo's. The erasure itself is an
    event (by the system: its count, the accounts, why). Returns the number erased.

    The one delete the database lets through: the trigger refuses any other."""
    accounts = list(users)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [FORGET_SETTING])
        erased, _ = AuditEvent.objects.filter(acting_user__in=accounts).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', true)", [FORGET_SETTING])
        if erased:
            audit_record(acting_user=None, kind=EventKind.EVENTS_FORGOTTEN, target=None,
                         after={"events": erased,
                                "accounts": sorted(user.get_username() for user in accounts)},
                         reason=reason)
    return erased
