"""Writing notifications: one per recipient, in their language, sent by e-mail on commit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from carnot.accounts.models import Language
from carnot.common.errors import ServiceError
from carnot.notifications.models import Notification
from carnot.notifications.tasks import notification_send


def language_of(user: User) -> Language:
    """The language of the user's e-mails: English for whoever chose it, French otherwise."""
    profile = getattr(user, "profile", None)
    return Language(profile.language) if profile is not None else Language.FRENCH


def rendered(kind: str, language: Language, context: Mapping[str, Any]) -> tuple[str, str]:
    """The subject (one line) and the body of ``kind``'s e-mail in ``language``, from the
    templates ``notifications/<kind>/subject.<language>.txt`` and ``body.<language>.txt``."""
    with translation.override(language):
        subject = render_to_string(f"notifications/{kind}/subject.{language}.txt", context)
        body = render_to_string(f"notifications/{kind}/body.{language}.txt", context)
    # A subject is one header line; template tags on lines of their own leave blank lines in a
    # body: at most one between paragraphs. Only ASCII whitespace: amounts keep their narrow
    # no-break spaces.
    return (re.sub(r"[ \t\r\n]+", " ", subject).strip(" "),
            re.sub(r"\n{3,}", "\n\n", body.strip()) + "\n")


def absolute_url(path: str) -> str:
    """A path of the platform as a link an e-mail can carry (``settings.SITE_URL``)."""
    return f"{settings.SITE_URL}{path}"


def notify(*, recipients: Iterable[User], kind: str, context: Mapping[str, Any],
           link: str = "", key: str = "") -> list[Notification]:
    """Write ``kind``'s notification to each active recipient (once each, in their language)
    and send each by e-mail once the caller's transaction commits (nothing is sent when it rolls
    back). ``link`` is the path of the page it is about. With ``key``, a recipient who already
    had a notification of this kind about ``key`` gets nothing new: reminders go out once."""
    users = list(User.objects.filter(pk__in={user.pk for user in recipients}, is_active=True)
                 .select_related("profile").order_by("pk"))
    if key:
        already = set(Notification.objects.filter(kind=kind, key=key, recipient__in=users)
                      .values_list("recipient_id", flat=True))
        users = [user for user in users if user.pk not in already]
    notifications = []
    for user in users:
        language = language_of(user)
        subject, body = rendered(kind, language, {
            **context, "recipient_name": user.get_full_name() or user.username,
            "link_url": absolute_url(link) if link else "",
            "notifications_url": absolute_url(reverse("notifications:list"))})
        notifications.append(Notification(recipient=user, kind=kind, key=key, subject=subject,
                                          body=body, link=link, language=language))
    Notification.objects.bulk_create(notifications)
    for notification in notifications:
        # robust: a queue that refuses the task must not undo the committed action; the
        # notification stays unsent, listed as such for administrators.
        transaction.on_commit(partial(notification_send.enqueue, notification.pk), robust=True)
    return notifications


def email_language_choose(*, user: User, language: str) -> Language:
    """Set the language of ``user``'s e-mails (French or English)."""
    if language not in Language.values:
        raise ServiceError({"language": "Choisissez le français ou l'anglais."})
    profile = getattr(user, "profile", None)
    if profile is None:
        raise ServiceError("Ce compte n'a pas de profil : sa langue se règle dans "
                           "l'administration.")
    profile.language = language
    profile.save(update_fields=["language"])
    return Language(language)
