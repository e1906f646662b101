"""Five-year spending (FAQ-4.1): expenditures charged to the grants' vintages (their history is
the audit log's, ``carnot.audit``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from carnot.allocation.models import Grant

# --- Five-year spending (FAQ-4.1) ------------------------------------------------------------

class ExpenditureCategory(models.TextChoices):
    SCIENTIFIC_RESOURCING = "scientific_resourcing", "Ressourcement scientifique"
    PROFESSIONALISATION = "professionalisation", "Professionnalisation"
    EQUIPMENT = "equipment", "Équipement"
    STAFF = "staff", "Personnel"
    OTHER = "other", "Autre"


class Expenditure(models.Model):
    """An expenditure charged to one vintage. One expenditure recorded across several vintages
    (oldest first) is stored as one row per vintage sharing the same ``entry``."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="expenditures",
                              verbose_name="abondement")
    entry = models.UUIDField("saisie", default=uuid.uuid4, editable=False, db_index=True)
    spent_on = models.DateField("date de la dépense")
    amount_cents = models.BigIntegerField("montant (centimes)")
    category = models.CharField("catégorie", max_length=32, choices=ExpenditureCategory.choices)
    description = models.TextField("description", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="saisie par")
    recorded_at = models.DateTimeField("saisie le", auto_now_add=True)

    class Meta:
        db_table = "funding_expenditure"  # kept from the former « funding » app
        ordering = ["grant", "spent_on", "pk"]
        verbose_name = "dépense"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0),
                                   name="expenditure_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} du {self.spent_on:%d/%m/%Y}"
