"""The admin shows the audit log and never lets anyone change it, superusers included; every
addition, change and deletion made through the admin of the other models is an event, which
the kept admissibility panels follow."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from carnot.applications.selectors import application_history, call_revision
from carnot.applications.services import unit_declare
from carnot.audit.models import AuditEvent, EventKind
from carnot.audit.services import audit_record
from carnot.registry.models import Person
from tests.web.factories import make_application, make_call, make_structure, make_unit, make_user


@pytest.fixture
def superuser() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.invalid", "x"))
    return client


@pytest.mark.django_db
def test_no_one_adds_changes_or_deletes_an_event_in_the_admin(superuser: Client) -> None:
    event = audit_record(acting_user=None, kind=EventKind.LEDGER_IMPORTED, target=None,
                         label="registre.csv", after={"rows": 3})
    url = {name: reverse(f"admin:audit_auditevent_{name}", args=args) for name, args in
           (("changelist", ()), ("add", ()), ("change", (event.pk,)), ("delete", (event.pk,)))}

    listed = superuser.get(url["changelist"])
    assert listed.status_code == 200 and "registre.csv" in listed.content.decode()
    assert "delete_selected" not in listed.content.decode()
    assert superuser.get(url["add"]).status_code == 403
    assert superuser.post(url["add"], {"kind": "ledger.imported"}).status_code == 403
    shown = superuser.get(url["change"])
    assert shown.status_code == 200 and 'name="_save"' not in shown.content.decode()
    assert superuser.post(url["change"], {"reason": "réécrit"}).status_code == 403
    assert superuser.get(url["delete"]).status_code == 403
    assert superuser.post(url["delete"], {"post": "yes"}).status_code == 403
    assert superuser.post(url["changelist"], {"action": "delete_selected",
                                              "_selected_action": [event.pk]}).status_code == 200
    event.refresh_from_db()
    assert (AuditEvent.objects.count(), event.reason, event.after) == (1, "", {"rows": 3})


@pytest.mark.django_db
def test_an_admin_change_is_an_event_in_the_history_and_the_panels_are_computed_again(
        superuser: Client) -> None:
    call, unistra = make_call(), make_structure("unistra")
    owner = make_user("coordinator", "coord")
    application = make_application(call, owner, "terr-alsace", "territorial", unistra)
    unit = make_unit("200012345A", [unistra])
    declaration = unit_declare(application=application, by=owner, rnsr=unit.rnsr,
                               scientific_lead="", managing_tutelle=unistra,
                               tutelles=[unistra], permanent_researchers_fte=Decimal("12.5"))
    revision = call_revision(call=call)

    response = superuser.post(
        reverse("admin:applications_applicationunit_change", args=[declaration.pk]),
        {"application": application.pk, "unit": unit.pk, "managing_tutelle": unistra.pk,
         "tutelles": [unistra.pk], "permanent_researchers_fte": "20",
         "research_engineers_fte": "0"})

    assert response.status_code == 302, response.content.decode()
    event = AuditEvent.objects.get(kind=EventKind.ADMIN_CHANGED)
    assert (event.acting_user.username, event.application_code, event.call_year) == (
        "root", "terr-alsace", call.year)
    assert (event.before, event.after) == ({"permanent_researchers_fte": "12.50"},
                                           {"permanent_researchers_fte": "20"})
    assert call_revision(call=call) != revision
    line = application_history(application=application)[0]
    assert (line.by, line.field, line.old, line.new) == ("root", "ETP recherche permanents",
                                                         "12,5", "20")
    assert line.subject.startswith("administration : 200012345A")


@pytest.mark.django_db
def test_an_admin_addition_and_deletion_are_events(superuser: Client) -> None:
    response = superuser.post(reverse("admin:registry_person_add"),
                              {"full_name": "Anne Martin", "email": ""})
    assert response.status_code == 302
    person = Person.objects.get()
    response = superuser.post(reverse("admin:registry_person_delete", args=[person.pk]),
                              {"post": "yes"})
    assert response.status_code == 302 and not Person.objects.exists()
    added, deleted = AuditEvent.objects.order_by("pk")
    assert (added.kind, added.object_label, added.before) == (
        EventKind.ADMIN_ADDED, "Anne Martin", None)
    assert added.after["full_name"] == "Anne Martin"
    assert (deleted.kind, deleted.object_id, deleted.after) == (
        EventKind.ADMIN_DELETED, str(person.pk), None)
    assert deleted.before["full_name"] == "Anne Martin"
