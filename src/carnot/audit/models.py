"""One append-only table for every write: who, when, what kind of event, on which object, the
values before and after, why. Rows are only ever inserted (the database refuses UPDATE and
DELETE on PostgreSQL, see migrations/0001_initial.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class EventKind(models.TextChoices):
    """Stable codes (filters and exports read them; never rename one), French labels."""

    APPLICATION_CREATED = "application.created", "Candidature créée"
    APPLICATION_CHANGED = "application.changed", "Candidature modifiée"
    APPLICATION_SUBMITTED = "application.submitted", "Candidature déposée"
    APPLICATION_WITHDRAWN = "application.withdrawn", "Candidature retirée pour correction"
    APPLICATION_ADMISSIBLE = "application.admissible", "Candidature déclarée recevable"
    APPLICATION_INADMISSIBLE = "application.inadmissible", "Candidature déclarée irrecevable"
    APPLICATION_SELECTED = "application.selected", "Candidature sélectionnée"
    APPLICATION_REJECTED = "application.rejected", "Candidature non retenue"
    APPLICATION_AGREEMENT = "application.agreement", "Candidature conventionnée (un an)"
    UNIT_DECLARED = "unit.declared", "Unité déclarée"
    UNIT_CHANGED = "unit.changed", "Unité modifiée"
    UNIT_REMOVED = "unit.removed", "Unité retirée"
    SIGNATURE_RECORDED = "signature.recorded", "Signature enregistrée"
    SIGNATURE_REMOVED = "signature.removed", "Signature retirée"
    LEDGER_IMPORTED = "ledger.imported", "Registre des contrats importé"
    ALLOCATION_RUN = "allocation.run", "Répartition calculée"
    ALLOCATION_PUBLISHED = "allocation.published", "Répartition publiée"
    GRANT_OPENED = "grant.opened", "Abondement ouvert"
    GRANT_CHANGED = "grant.changed", "Abondement modifié"
    EXPENDITURE_RECORDED = "expenditure.recorded", "Dépense enregistrée"
    ADMIN_ADDED = "admin.added", "Ajout dans l'administration"
    ADMIN_CHANGED = "admin.changed", "Modification dans l'administration"
    ADMIN_DELETED = "admin.deleted", "Suppression dans l'administration"
    EVENTS_FORGOTTEN = "audit.forgotten", "Événements de comptes supprimés effacés"


ADMIN_KINDS = (EventKind.ADMIN_ADDED, EventKind.ADMIN_CHANGED, EventKind.ADMIN_DELETED)


class AuditEvent(models.Model):
    """One write. The object is generic (content type, id as text, a label read when it was
    written) so that the log sits below every app and outlives what it describes; the
    application it concerns is kept as its code and call year, not a foreign key, for the same
    reason and so that an application's pages filter on one index."""

    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="par")
    kind = models.CharField("événement", max_length=40, choices=EventKind.choices,
                            db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name="type d'objet")
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    object_label = models.CharField("objet", max_length=255, blank=True)
    application_code = models.CharField("candidature", max_length=100, blank=True)
    call_year = models.PositiveIntegerField("appel", null=True, blank=True)
    before = models.JSONField("avant", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("après", null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField("motif", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "événement du journal d'audit"
        verbose_name_plural = "journal d'audit"
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_event_object"),
            models.Index(fields=["application_code", "call_year"],
                         name="audit_event_application"),
        ]

    def __str__(self) -> str:
        return (f"{self.get_kind_display()} : {self.object_label} "
                f"({timezone.localtime(self.at):%d/%m/%Y %H:%M})")
