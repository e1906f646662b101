"""One notification per recipient: what the platform shows them and the e-mail it sends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from carnot.accounts.models import Language


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name="destinataire")
    kind = models.CharField("type", max_length=64)
    """A stable code naming the templates it was written from (``notifications/<kind>/``)."""
    key = models.CharField("objet (envoi unique)", max_length=200, blank=True)
    """What a notification sent only once is about (e.g. a consortium's vintage); empty for
    notifications that may repeat."""
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("message")
    link = models.CharField("lien", max_length=500, blank=True)
    """The path of the page it is about, on this platform."""
    language = models.CharField("langue", max_length=8, choices=Language.choices)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    error = models.TextField("erreur d'envoi", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        indexes = [models.Index(fields=["recipient", "-created_at"],
                                name="notification_recipient_recent")]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key"],
                                               condition=~Q(key=""),
                                               name="notification_once_per_key")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"
