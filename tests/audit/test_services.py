"""audit_record writes one event in the transaction of the change; audit_forget erases only the
events of the accounts it is given, and says so."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from carnot.audit.models import AuditEvent, EventKind
from carnot.audit.services import audit_forget, audit_record
from carnot.registry.models import Structure
from tests.web.factories import make_user


@pytest.mark.django_db
def test_an_event_keeps_who_what_object_application_before_after_and_why() -> None:
    officer = make_user("programme_officer", "charge")
    structure = Structure.objects.create(code="unistra", name="Université de Strasbourg")

    event = audit_record(acting_user=officer, kind=EventKind.APPLICATION_CHANGED,
                         target=structure, before={"name": "Unistra"},
                         after={"name": structure.name}, reason="Nom officiel",
                         application_code="terr-alsace", call_year=2026)

    event.refresh_from_db()
    assert (event.acting_user, event.kind, event.get_kind_display()) == (
        officer, "application.changed", "Candidature modifiée")
    assert event.content_type == ContentType.objects.get_for_model(Structure)
    assert (event.object_id, event.object_label) == (str(structure.pk), str(structure))
    assert (event.application_code, event.call_year) == ("terr-alsace", 2026)
    assert (event.before, event.after, event.reason) == (
        {"name": "Unistra"}, {"name": "Université de Strasbourg"}, "Nom officiel")
    assert event.at is not None


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_nothing_is_recorded() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(acting_user=None, kind=EventKind.ALLOCATION_RUN, target=None)
    assert not AuditEvent.objects.exists()
    with transaction.atomic():
        audit_record(acting_user=None, kind=EventKind.ALLOCATION_RUN, target=None,
                     label="Répartition n° 1 de l'appel 2026")
    assert AuditEvent.objects.get().object_label == "Répartition n° 1 de l'appel 2026"


@pytest.mark.django_db
def test_forgetting_accounts_erases_only_their_events_and_leaves_a_trace() -> None:
    demo, kept = make_user("coordinator", "demo"), make_user("coordinator", "kept")
    for user in (demo, demo, kept):
        audit_record(acting_user=user, kind=EventKind.APPLICATION_CREATED, target=None)

    assert audit_forget(users=[demo], reason="Démonstration retirée.") == 2

    assert not AuditEvent.objects.filter(acting_user=demo).exists()
    assert AuditEvent.objects.filter(acting_user=kept).count() == 1
    trace = AuditEvent.objects.get(kind=EventKind.EVENTS_FORGOTTEN)
    assert (trace.acting_user, trace.after, trace.reason) == (
        None, {"events": 2, "accounts": ["demo"]}, "Démonstration retirée.")
    demo.delete()  # no event protects the account any more
