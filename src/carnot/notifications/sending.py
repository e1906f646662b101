"""Sending a stored notification by e-mail, through the configured backend
(``settings.EMAIL_BACKEND``: files in the demo, SMTP in production)."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from carnot.notifications.models import Notification


def notification_email(*, notification_id: int) -> bool:
    """Send the notification's e-mail unless it was already sent (or deleted with its
    recipient's account); True when sent now.

    The row stays locked while the message goes out, so that two workers given the same task
    send it once. A failure is written on the notification (the administrators' page shows it)
    and raised again, so that the task is marked failed."""
    try:
        with transaction.atomic():
            notification = (Notification.objects.select_for_update(of=("self",))
                            .select_related("recipient").filter(pk=notification_id).first())
            if notification is None or notification.sent_at is not None:
                return False  # its recipient's account was deleted meanwhile, or already sent
            address = notification.recipient.email
            if not address:
                notification.error = "Aucune adresse e-mail pour ce compte : message non envoyé."
                notification.save(update_fields=["error"])
                return False
            EmailMessage(notification.subject, notification.body, to=[address]).send()
            notification.sent_at, notification.error = timezone.now(), ""
            notification.save(update_fields=["sent_at", "error"])
            return True
    except (smtplib.SMTPException, OSError) as failure:
        Notification.objects.filter(pk=notification_id).update(
            error=f"Échec de l'envoi : {failure}")
        raise
