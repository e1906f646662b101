"""The workflow's e-mails: a submission to the coordinators and every programme officer; each
decision, with its reason, to the coordinators; a withdrawal to nobody."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail

from carnot.accounts.models import Role
from carnot.applications.models import Application
from carnot.applications.services import application_transition, signature_record, unit_declare
from carnot.notifications.models import Notification
from tests.web.factories import (
    make_application,
    make_call,
    make_pui,
    make_structure,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@dataclass
class World:
    application: Application
    coordinator: User
    officers: list[User]
    staff: User


def _with_address(user: User, full_name: str = "") -> User:
    user.email = f"{user.username}@example.fr"
    user.first_name, _, user.last_name = full_name.partition(" ")
    user.save(update_fields=["email", "first_name", "last_name"])
    return user


@pytest.fixture
def world() -> World:
    """A clean territorial application (one unit with its lead, both tutelles signed)."""
    call = make_call(2026)
    unistra = make_structure("unistra", name="Université de Strasbourg")
    cnrs = make_structure("cnrs", "epst", name="CNRS")
    pui = make_pui("pui-strasbourg", [unistra])
    unit = make_unit("201923456A", [unistra, cnrs], name="ICube")
    coordinator = _with_address(make_user(Role.COORDINATOR, "coordo"), "Anne Martin")
    application = make_application(call, coordinator, "terr-strasbourg", "territorial",
                                   unistra, [pui])
    unit_declare(application=application, by=coordinator, rnsr=unit.rnsr,
                 scientific_lead="Claire Muller", managing_tutelle=unistra,
                 tutelles=[unistra, cnrs], permanent_researchers_fte=Decimal("120"))
    for structure in (unistra, cnrs):
        signature_record(application=application, by=coordinator, structure=structure,
                         signatory=f"Signataire {structure.code}")
    officers = [_with_address(make_user(Role.PROGRAMME_OFFICER, name), "Paul Durand")
                for name in ("charge", "charge-bis")]
    staff = _with_address(make_user(Role.ASSOCIATION_STAFF, "aicarnot"))
    return World(application, coordinator, officers, staff)


def _move(world: World, target: str, by: User, reason: str = "") -> None:
    application_transition(application=world.application, target=target, by=by, reason=reason)


def test_a_submission_goes_to_its_coordinators_and_every_programme_officer(
        world: World, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _move(world, "submitted", world.coordinator)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "charge-bis@example.fr", "charge@example.fr", "coordo@example.fr"]
    message = mail.outbox[0]
    assert message.subject == "Candidature déposée : Consortium terr-strasbourg (appel 2026)"
    assert ("La candidature « Consortium terr-strasbourg » (terr-strasbourg) à l'appel Carnot "
            "2026 a été déposée par Anne Martin le ") in message.body
    assert ("La candidature : http://127.0.0.1:8000/candidatures/2026/terr-strasbourg/"
            in message.body)
    assert not Notification.objects.filter(recipient=world.staff).exists()


def test_a_decision_goes_to_the_coordinators_with_its_reason(
        world: World, django_capture_on_commit_callbacks: Capture) -> None:
    officer = world.officers[0]
    _move(world, "submitted", world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _move(world, "inadmissible", officer, "Dossier incomplet : il manque l'annexe 3.")
    [message] = mail.outbox
    assert message.to == ["coordo@example.fr"]
    assert message.subject == "Candidature irrecevable : Consortium terr-strasbourg (appel 2026)"
    assert "a été déclarée irrecevable par Paul Durand le " in message.body
    assert "Motif : Dossier incomplet : il manque l'annexe 3." in message.body
    assert "&#x27;" not in message.body, "plain text, not HTML-escaped"


@pytest.mark.parametrize(("path", "subject"), [
    (("admissible",), "Candidature recevable"),
    (("admissible", "selected"), "Candidature sélectionnée"),
    (("admissible", "rejected"), "Candidature non retenue"),
    (("admissible", "selected", "agreement"), "Candidature conventionnée"),
    (("admissible", "selected", "agreement", "agreement"), "Convention renouvelée"),
])
def test_every_decision_has_its_e_mail(world: World, path: tuple[str, ...], subject: str,
                                       django_capture_on_commit_callbacks: Capture) -> None:
    _move(world, "submitted", world.coordinator)
    *before, last = path
    for target in before:
        _move(world, target, world.officers[0])
    with django_capture_on_commit_callbacks(execute=True):
        _move(world, last, world.officers[0], "Motif du chargé.")
    [message] = mail.outbox
    assert message.subject == f"{subject} : Consortium terr-strasbourg (appel 2026)"
    assert "Motif : Motif du chargé." in message.body


def test_a_decision_without_a_reason_says_none(
        world: World, django_capture_on_commit_callbacks: Capture) -> None:
    _move(world, "submitted", world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _move(world, "admissible", world.officers[0])
    [message] = mail.outbox
    assert "Motif" not in message.body
    assert "\n\n\n" not in message.body


def test_a_withdrawal_notifies_nobody(world: World,
                                      django_capture_on_commit_callbacks: Capture) -> None:
    _move(world, "submitted", world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        _move(world, "draft", world.coordinator)
    assert not mail.outbox
    assert Notification.objects.count() == 3  # the submission's, nothing since
