"""A published allocation e-mails each consortium's coordinators their amount and the links
to their result page and letter (figures of tests/allocation/results_world.py)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail

from carnot.allocation.services import allocation_publish, allocation_run
from carnot.common.errors import ServiceError
from carnot.notifications.models import Notification
from tests.allocation.results_world import ResultsWorld, build_results_world

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def world() -> ResultsWorld:
    world = build_results_world()
    for user in (world.coordinator, world.other_coordinator, world.officer):
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.fr")
    return world


def test_each_coordinator_gets_its_amount_and_the_links_to_its_result_and_letter(
        world: ResultsWorld, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        world.run()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["coordo-them@example.fr", "coordo@example.fr"]
    terr = by_address["coordo@example.fr"]
    assert terr.subject == "Abondement 2026 publié : Carnot Alsace, 22\u202f142\u202f857,20 €"
    assert ("La répartition de l'abondement 2026 (n° 1) est publiée. « Carnot Alsace » "
            "(terr-alsace) reçoit 22\u202f142\u202f857,20 €.") in terr.body
    assert ("Le détail du calcul : http://127.0.0.1:8000/financement/2026/terr-alsace/"
            "abondement/") in terr.body
    assert ("La lettre de notification (PDF) : http://127.0.0.1:8000/financement/2026/"
            "terr-alsace/abondement/lettre.pdf") in terr.body
    assert "reçoit 13\u202f285\u202f714,27 €" in by_address["coordo-them@example.fr"].body
    notification = Notification.objects.get(recipient=world.coordinator)
    assert notification.link == "/financement/2026/terr-alsace/abondement/"


def test_a_draft_run_or_a_refused_publication_notifies_nobody_more(
        world: ResultsWorld, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        world.run(publish=False)
    world.run()
    second = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                            by=world.officer)
    count = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError,
                                                                         match="déjà publiée"):
        allocation_publish(run=second, by=world.officer)
    assert Notification.objects.count() == count == 2
    assert not mail.outbox
