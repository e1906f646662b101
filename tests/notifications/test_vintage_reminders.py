"""``manage.py send_vintage_reminders``: a vintage whose money is about to expire (FAQ-4.1, the
spending page's warning period) is e-mailed to its consortium's coordinators, once.

The world: consortium « terr-alsace » has a 2026 grant of 1 000,00 € (spendable until
31/12/2030) and 250,00 € of it spent; « terr-auvergne » a 2026 grant of 700,00 € fully spent."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from carnot.accounts.models import Role
from carnot.allocation.models import AllocationLine, AllocationRun, AllocationStatus
from carnot.allocation.services import grants_from_published_run
from carnot.applications.models import Application
from carnot.notifications.models import Notification
from carnot.spending.models import ExpenditureCategory
from carnot.spending.selectors import EXPIRY_WARNING_DAYS
from carnot.spending.services import expenditure_record
from tests.web.factories import make_application, make_call, make_structure, make_user

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
DEADLINE = date(2030, 12, 31)
WITHIN = DEADLINE - timedelta(days=EXPIRY_WARNING_DAYS)
BEFORE = WITHIN - timedelta(days=1)


def _user(role: Role, username: str) -> User:
    user = make_user(role, username)
    User.objects.filter(pk=user.pk).update(email=f"{username}@example.fr")
    user.refresh_from_db()
    return user


@pytest.fixture
def terr() -> Application:
    call = make_call(2026)
    officer = _user(Role.PROGRAMME_OFFICER, "charge")
    coordinator = _user(Role.COORDINATOR, "coordo")
    terr = make_application(call, coordinator, "terr-alsace", "territorial",
                            make_structure("unistra"))
    auvergne = make_application(call, _user(Role.COORDINATOR, "autre"), "terr-auvergne",
                                "territorial", make_structure("uca"))
    run = AllocationRun.objects.create(
        call=call, number=1, envelope_cents=170_000, parameters=[], inputs_fingerprint="0" * 64,
        results={}, allocated_cents=170_000, created_by=officer,
        status=AllocationStatus.PUBLISHED, published_by=officer, published_at=timezone.now())
    for code, cents in (("terr-alsace", 100_000), ("terr-auvergne", 70_000)):
        AllocationLine.objects.create(
            run=run, application_code=code, name=code, kind="territorial", admissible=True,
            threshold_revenue_cents=0, abondement_revenue_cents=0, guarantee_applies=False,
            guarantee_cents=0, pro_rata_cents=cents, bonus_cents=0, allocation_cents=cents)
    grants_from_published_run(run=run, by=officer)
    for application, cents, by in ((terr, 25_000, coordinator),
                                   (auvergne, 70_000, auvergne.owners.get())):
        expenditure_record(application=application, spent_on=date(2027, 3, 1),
                           amount_cents=cents, category=ExpenditureCategory.STAFF.value,
                           description="Post-doctorat", by=by)
    return terr


def _remind(day: date) -> str:
    out = StringIO()
    call_command("send_vintage_reminders", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def test_an_expiring_vintage_is_e_mailed_to_its_coordinators_once(
        terr: Application, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert _remind(BEFORE) == "0 rappel d'échéance envoyé au 03/07/2030.\n"
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        assert _remind(WITHIN) == "1 rappel d'échéance envoyé au 04/07/2030.\n"
    [message] = mail.outbox
    assert message.to == ["coordo@example.fr"]
    assert message.subject == "Abondement 2026 : 750,00 € à dépenser avant le 31/12/2030"
    assert ("Abondement 2026 : 750,00 € restent à dépenser au plus tard le 31/12/2030 "
            f"(dans {EXPIRY_WARNING_DAYS} jours) ; au-delà, ils sont perdus (FAQ-4.1).") \
        in message.body
    assert ("Les dépenses de l'abondement : http://127.0.0.1:8000/financement/2026/"
            "terr-alsace/depenses/") in message.body

    with django_capture_on_commit_callbacks(execute=True):
        assert _remind(WITHIN) == "0 rappel d'échéance envoyé au 04/07/2030.\n"
        assert _remind(DEADLINE) == "0 rappel d'échéance envoyé au 31/12/2030.\n"
    assert len(mail.outbox) == 1, "running it again sends nothing new"
    assert Notification.objects.filter(kind="vintage_expiring").count() == 1


def test_a_vintage_spent_in_full_or_already_lost_is_not_reminded(
        terr: Application, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _remind(DEADLINE + timedelta(days=1))
    assert not mail.outbox
    assert not Notification.objects.filter(recipient__username="autre").exists()


def test_a_new_coordinator_of_the_consortium_is_reminded_too(
        terr: Application, django_capture_on_commit_callbacks: Capture) -> None:
    _remind(WITHIN)
    terr.owners.add(_user(Role.COORDINATOR, "coordo-bis"))
    with django_capture_on_commit_callbacks(execute=True):
        assert _remind(WITHIN + timedelta(days=1)).startswith("1 rappel")
    assert [message.to for message in mail.outbox] == [["coordo-bis@example.fr"]]


def test_the_date_must_be_a_date() -> None:
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("send_vintage_reminders", "--date", "04/07/2030")
