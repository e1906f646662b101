"""The audit table is append-only: PostgreSQL refuses every UPDATE and DELETE on it, from the
ORM or from SQL, whoever asks."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from carnot.audit.models import AuditEvent, EventKind
from carnot.audit.services import audit_record
from tests.web.factories import make_user

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="the append-only trigger is PostgreSQL's")


def _event() -> AuditEvent:
    return audit_record(acting_user=make_user("administrator", "admin"),
                        kind=EventKind.GRANT_OPENED, target=None, after={"amount_cents": 100})


@postgresql_only
@pytest.mark.django_db
def test_postgresql_refuses_to_update_an_event() -> None:
    event = _event()
    with pytest.raises(DatabaseError, match="journal d'audit ne se modifie pas : UPDATE"), \
            transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="réécrit")
    with pytest.raises(DatabaseError, match="UPDATE"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET after = '{}' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert (event.reason, event.after) == ("", {"amount_cents": 100})


@postgresql_only
@pytest.mark.django_db
def test_postgresql_refuses_to_delete_an_event() -> None:
    event = _event()
    with pytest.raises(DatabaseError, match="journal d'audit ne se modifie pas : DELETE"), \
            transaction.atomic():
        event.delete()
    with pytest.raises(DatabaseError, match="DELETE"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()
