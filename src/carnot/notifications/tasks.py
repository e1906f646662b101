"""The notifications' background work (run by ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from carnot.notifications.sending import notification_email


@task()
def notification_send(notification_id: int) -> bool:
    """E-mail one stored notification (safe to retry: one already sent is not sent again)."""
    return notification_email(notification_id=notification_id)
