"""The yearly allocation: immutable runs, their lines, and the grants a published run opens
(each consortium's vintage, FAQ-4.1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# --- The yearly allocation -------------------------------------------------------------------

class AllocationImmutable(Exception):
    """A write that would change an allocation run's figures after its creation."""


class AllocationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publiée"
    SUPERSEDED = "superseded", "Remplacée"


RUN_PUBLICATION_FIELDS = frozenset({"status", "published_at", "published_by",
                                    "published_by_id"})
"""The only fields of a run that change after its creation (its publication)."""


class AllocationRunQuerySet(models.QuerySet["AllocationRun"]):
    def update(self, **kwargs: object) -> int:
        """Bulk updates may touch the publication fields only: a run's figures never change."""
        changed = set(kwargs) - RUN_PUBLICATION_FIELDS
        if changed:
            raise AllocationImmutable(
                "Une répartition est immuable : champs non modifiables "
                f"({', '.join(sorted(changed))}).")
        return super().update(**kwargs)


class AllocationRun(models.Model):
    """One run of a year's allocation: the envelope, the parameters actually used, a fingerprint
    of every input, the results with their full trace. Its figures never change after creation
    (only its publication does); a new run is made instead, and two runs can be compared."""

    call = models.ForeignKey("registry.Call", on_delete=models.PROTECT,
                             related_name="allocation_runs", verbose_name="appel")
    number = models.PositiveIntegerField("numéro")
    envelope_cents = models.BigIntegerField("enveloppe (centimes)")
    parameters = models.JSONField("paramètres utilisés")
    inputs_fingerprint = models.CharField("empreinte des données (SHA-256)", max_length=64)
    results = models.JSONField("résultats et trace")
    allocated_cents = models.BigIntegerField("montant réparti (centimes)")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="allocation_runs", verbose_name="lancée par")
    created_at = models.DateTimeField("lancée le", auto_now_add=True)
    status = models.CharField("statut", max_length=16, choices=AllocationStatus.choices,
                              default=AllocationStatus.DRAFT)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name="publiée par")

    objects = AllocationRunQuerySet.as_manager()

    IMMUTABLE_FIELDS = ("call_id", "number", "envelope_cents", "parameters",
                        "inputs_fingerprint", "results", "allocated_cents", "created_by_id")

    class Meta:
        db_table = "funding_allocationrun"  # kept from the former « funding » app
        ordering = ["call", "number"]
        verbose_name = "répartition"
        constraints = [
            models.UniqueConstraint(fields=["call", "number"],
                                    name="allocation_run_number_unique_per_call"),
            models.UniqueConstraint(fields=["call"],
                                    condition=models.Q(status=AllocationStatus.PUBLISHED),
                                    name="one_published_allocation_per_call"),
            models.CheckConstraint(condition=models.Q(envelope_cents__gte=0),
                                   name="allocation_envelope_non_negative"),
            models.CheckConstraint(condition=models.Q(allocated_cents__gte=0)
                                   & models.Q(allocated_cents__lte=models.F("envelope_cents")),
                                   name="allocation_within_envelope"),
            models.CheckConstraint(
                condition=models.Q(status=AllocationStatus.DRAFT)
                | models.Q(published_at__isnull=False, published_by__isnull=False),
                name="allocation_published_with_who_and_when"),
        ]

    def __str__(self) -> str:
        return f"Répartition {self.call.year} n° {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Invariant: once stored, a run's figures are those of its creation."""
        if not self._state.adding:
            stored = (type(self).objects.filter(pk=self.pk)
                      .values(*self.IMMUTABLE_FIELDS).first())
            if stored is not None:
                changed = [name for name in self.IMMUTABLE_FIELDS
                           if stored[name] != getattr(self, name)]
                if changed:
                    raise AllocationImmutable(
                        "Une répartition est immuable : champs non modifiables "
                        f"({', '.join(changed)}).")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class AllocationLineQuerySet(models.QuerySet["AllocationLine"]):
    def update(self, **kwargs: object) -> int:
        raise AllocationImmutable("Les lignes d'une répartition sont immuables.")


class AllocationLine(models.Model):
    """One consortium's result in a run, for querying (the trace is in the run's results)."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="lines",
                            verbose_name="répartition")
    application_code = models.CharField("candidature", max_length=100)
    name = models.CharField("consortium", max_length=255)
    kind = models.CharField("type", max_length=32)
    admissible = models.BooleanField("recevable")
    threshold_revenue_cents = models.BigIntegerField("assiette du seuil (centimes)")
    abondement_revenue_cents = models.BigIntegerField("assiette de l'abondement (centimes)")
    guarantee_applies = models.BooleanField("abondement garanti")
    guarantee_cents = models.BigIntegerField("plancher garanti (centimes)")
    pro_rata_cents = models.BigIntegerField("part au prorata (centimes)")
    bonus_cents = models.BigIntegerField("bonus de performance (centimes)")
    allocation_cents = models.BigIntegerField("abondement attribué (centimes)")

    objects = AllocationLineQuerySet.as_manager()

    class Meta:
        db_table = "funding_allocationline"  # kept from the former « funding » app
        ordering = ["run", "application_code"]
        verbose_name = "ligne de répartition"
        constraints = [
            models.UniqueConstraint(fields=["run", "application_code"],
                                    name="allocation_line_unique_per_run"),
            models.CheckConstraint(
                condition=models.Q(threshold_revenue_cents__gte=0,
                                   abondement_revenue_cents__gte=0, guarantee_cents__gte=0,
                                   pro_rata_cents__gte=0, bonus_cents__gte=0,
                                   allocation_cents__gte=0),
                name="allocation_line_amounts_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.application_code} ({self.run})"

    def save(self, *args: object, **kwargs: object) -> None:
        """Invariant: a line is written once, with its run."""
        if not self._state.adding:
            raise AllocationImmutable("Les lignes d'une répartition sont immuables.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Grant(models.Model):
    """A consortium's abondement of one year: a vintage spendable from N to N+4 (FAQ-4.1).

    It comes from the line of a published allocation run (``source``); its amount changes only
    when a superseding run is turned into grants, and never below what was already spent."""

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                    related_name="grants", verbose_name="candidature")
    year = models.PositiveSmallIntegerField("millésime (année N)")
    amount_cents = models.BigIntegerField("abondement attribué (centimes)")
    source = models.ForeignKey(AllocationLine, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="grants", verbose_name="ligne de répartition")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        db_table = "funding_grant"  # kept from the former « funding » app
        ordering = ["application", "year"]
        verbose_name = "abondement"
        constraints = [
            models.UniqueConstraint(fields=["application", "year"],
                                    name="grant_unique_year_per_application"),
            models.CheckConstraint(condition=models.Q(amount_cents__gte=0),
                                   name="grant_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"Abondement {self.year} ({self.application.code})"


