"""Reads of notifications."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from carnot.notifications.models import Notification


def notifications_of(*, user: User) -> QuerySet[Notification]:
    """The notifications written to ``user``, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def every_notification() -> QuerySet[Notification]:
    """Every notification of every user, newest first, with its recipient."""
    return Notification.objects.select_related("recipient").order_by("-created_at", "-pk")
