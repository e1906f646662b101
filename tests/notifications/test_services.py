"""notify(): one notification per recipient, in their language, e-mailed once on commit."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import transaction
from django_tasks import TaskResultStatus

from carnot.accounts.models import Language, Role
from carnot.common.errors import ServiceError
from carnot.notifications.models import Notification
from carnot.notifications.sending import notification_email
from carnot.notifications.services import email_language_choose, notify
from carnot.notifications.tasks import notification_send
from tests.web.factories import make_user

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
CONTEXT = {"application_name": "Carnot Alsace", "code": "terr-alsace", "year": 2026,
           "run_number": 1, "amount": "1 234 567,89 €",
           "letter_url": "http://127.0.0.1:8000/financement/2026/terr-alsace/abondement/"
                         "lettre.pdf"}
LINK = "/financement/2026/terr-alsace/abondement/"


def _user(username: str, *, language: Language = Language.FRENCH, email: str = "") -> User:
    user = make_user(Role.COORDINATOR, username)
    user.email = email or f"{username}@example.fr"
    user.save(update_fields=["email"])
    if language is not Language.FRENCH:
        email_language_choose(user=user, language=language)
    return user


def test_a_notification_is_stored_and_e_mailed_on_commit_only(
        django_capture_on_commit_callbacks: Capture) -> None:
    coordinator = _user("coordo")
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(recipients=[coordinator], kind="allocation_published",
                                context=CONTEXT, link=LINK)
        assert not mail.outbox, "nothing leaves before the transaction commits"
    [message] = mail.outbox
    assert message.to == ["coordo@example.fr"]
    assert message.subject == notification.subject
    assert message.body == notification.body
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.error == ""
    assert notification.language == "fr" and notification.link == LINK


def test_nothing_is_written_or_sent_when_the_action_rolls_back(
        django_capture_on_commit_callbacks: Capture) -> None:
    coordinator = _user("coordo")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(recipients=[coordinator], kind="allocation_published", context=CONTEXT)
        transaction.set_rollback(True)
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_a_user_who_chose_english_gets_english_the_others_french(
        django_capture_on_commit_callbacks: Capture) -> None:
    french, english = _user("coordo"), _user("coordinator", language=Language.ENGLISH)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[french, english], kind="allocation_published", context=CONTEXT,
               link=LINK)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["coordo@example.fr"].subject == (
        "Abondement 2026 publié : Carnot Alsace, 1 234 567,89 €")
    assert "Bonjour coordo," in by_address["coordo@example.fr"].body
    assert by_address["coordinator@example.fr"].subject == (
        "2026 funding published: Carnot Alsace, 1 234 567,89 €")
    body = by_address["coordinator@example.fr"].body
    assert body.startswith("Dear coordinator,")
    assert "receives 1 234 567,89 €" in body
    assert "Your notifications: http://127.0.0.1:8000/notifications/" in body
    assert Notification.objects.get(recipient=english).language == "en"


def test_the_task_does_not_send_a_notification_twice(
        django_capture_on_commit_callbacks: Capture) -> None:
    coordinator = _user("coordo")
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(recipients=[coordinator], kind="allocation_published",
                                context=CONTEXT)
    assert len(mail.outbox) == 1
    sent_at = Notification.objects.get(pk=notification.pk).sent_at
    result = notification_send.enqueue(notification.pk)  # a retry, or a second worker
    assert result.return_value is False
    assert notification_email(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).sent_at == sent_at


def test_a_notification_deleted_with_its_account_before_its_task_ran_is_not_sent() -> None:
    gone = _user("parti")
    [notification] = notify(recipients=[gone], kind="allocation_published", context=CONTEXT)
    gone.delete()
    assert notification_send.enqueue(notification.pk).return_value is False
    assert not mail.outbox


def test_each_recipient_is_notified_once_and_inactive_accounts_not_at_all(
        django_capture_on_commit_callbacks: Capture) -> None:
    coordinator, gone = _user("coordo"), _user("parti")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[coordinator, coordinator, gone], kind="allocation_published",
               context=CONTEXT)
    assert [message.to for message in mail.outbox] == [["coordo@example.fr"]]


def test_with_a_key_a_recipient_already_notified_about_it_gets_nothing_new(
        django_capture_on_commit_callbacks: Capture) -> None:
    first, newcomer = _user("coordo"), _user("nouveau")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[first], kind="allocation_published", context=CONTEXT, key="k")
        again = notify(recipients=[first, newcomer], kind="allocation_published",
                       context=CONTEXT, key="k")
    assert [notification.recipient for notification in again] == [newcomer]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "coordo@example.fr", "nouveau@example.fr"]


def test_an_account_without_address_keeps_its_notification_unsent_with_the_reason(
        django_capture_on_commit_callbacks: Capture) -> None:
    silent = make_user(Role.COORDINATOR, "sans-adresse")
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(recipients=[silent], kind="allocation_published",
                                context=CONTEXT)
    notification.refresh_from_db()
    assert not mail.outbox
    assert notification.sent_at is None
    assert notification.error == "Aucune adresse e-mail pour ce compte : message non envoyé."


def test_a_failed_send_is_recorded_and_the_task_fails(
        django_capture_on_commit_callbacks: Capture, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    coordinator = _user("coordo")
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(recipients=[coordinator], kind="allocation_published",
                                context=CONTEXT)
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.error.startswith("Échec de l'envoi : ")
    assert notification_send.enqueue(notification.pk).status is TaskResultStatus.FAILED


def test_the_language_is_french_or_english_only() -> None:
    coordinator = _user("coordo")
    with pytest.raises(ServiceError, match="français ou l'anglais"):
        email_language_choose(user=coordinator, language="de")
    assert email_language_choose(user=coordinator, language="en") is Language.ENGLISH
