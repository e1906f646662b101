"""Contract ledgers: the research contracts of each unit with its partners, and what was invoiced
each year (FAQ-3.1 to FAQ-3.3)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret

from carnot.registry.models import Unit
from carnot.registry.validators import validate_siren
from carnot.rules.contracts import CATEGORY_LABELS
from carnot.rules.domain import PartnerCategory

PARTNER_CATEGORY_CHOICES = [(category.value, CATEGORY_LABELS[category])
                            for category in PartnerCategory]


def validate_siret(value: str) -> None:
    try:
        siret.validate(value)
    except StdnumError as exc:
        raise ValidationError("« %(value)s » n'est pas un SIRET valide (14 chiffres, clé de "
                              "Luhn).", params={"value": value}, code="siret") from exc


class Partner(models.Model):
    """A partner of research contracts: a company (SIREN, and SIRET of the establishment when
    known), a local authority, or a foreign body known by its own identifier.

    Its category is the last one established (``category_year``); each contract keeps the
    category as established for its signature (open question 8).
    """

    key = models.CharField("clé", max_length=120, unique=True,
                           help_text="SIREN, ou « ext: » suivi de l'identifiant étranger.")
    name = models.CharField("nom", max_length=255)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    foreign_identifier = models.CharField("identifiant étranger", max_length=100, blank=True)
    category = models.CharField("catégorie", max_length=32, choices=PARTNER_CATEGORY_CHOICES)
    category_year = models.PositiveSmallIntegerField("année de la catégorie")
    headcount = models.PositiveIntegerField("effectif du groupe", null=True, blank=True)
    turnover_cents = models.BigIntegerField("chiffre d'affaires du groupe (centimes)",
                                            null=True, blank=True)
    balance_sheet_cents = models.BigIntegerField("total de bilan du groupe (centimes)",
                                                 null=True, blank=True)
    category_derived = models.BooleanField("catégorie déduite des chiffres", default=False)
    category_reason = models.TextField("pourquoi cette catégorie", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "partenaire"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(siren="", foreign_identifier=""),
                name="partner_identified"),
            models.CheckConstraint(
                condition=models.Q(turnover_cents__isnull=True)
                | models.Q(turnover_cents__gte=0), name="partner_turnover_non_negative"),
            models.CheckConstraint(
                condition=models.Q(balance_sheet_cents__isnull=True)
                | models.Q(balance_sheet_cents__gte=0), name="partner_balance_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ResearchContract(models.Model):
    """A unit's research contract as its ledger lists it (``reference`` is the ledger's id)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="research_contracts",
                             verbose_name="unité")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contracts",
                                verbose_name="partenaire")
    reference = models.CharField("référence du contrat", max_length=100)
    total_cents = models.BigIntegerField("montant total HT (centimes)")
    signed_on = models.DateField("date de signature")
    cifre = models.BooleanField("thèse CIFRE", default=False)
    in_theme = models.BooleanField("dans la thématique", default=True)
    partner_category = models.CharField(
        "catégorie du partenaire", max_length=32, choices=PARTNER_CATEGORY_CHOICES,
        help_text="Telle qu'établie pour la signature (question ouverte 8).")
    partner_category_year = models.PositiveSmallIntegerField("année de la catégorie")

    class Meta:
        ordering = ["unit", "reference"]
        verbose_name = "contrat de recherche"
        constraints = [
            models.UniqueConstraint(fields=["unit", "reference"],
                                    name="research_contract_unique_reference"),
            models.CheckConstraint(condition=models.Q(total_cents__gte=0),
                                   name="research_contract_total_non_negative"),
        ]

    def __str__(self) -> str:
        return self.reference


class InvoicedAmount(models.Model):
    """What a contract invoiced in one year: the revenue that counts (FAQ-3.7)."""

    contract = models.ForeignKey(ResearchContract, on_delete=models.CASCADE,
                                 related_name="invoiced", verbose_name="contrat")
    year = models.PositiveSmallIntegerField("année")
    amount_cents = models.BigIntegerField("montant facturé HT (centimes)")

    class Meta:
        ordering = ["contract", "year"]
        verbose_name = "montant facturé"
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="invoiced_unique_year"),
            models.CheckConstraint(condition=models.Q(amount_cents__gte=0),
                                   name="invoiced_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.year}"


class LedgerImport(models.Model):
    """An accepted ledger import: who, when, which file (its SHA-256) and what it changed."""

    filename = models.CharField("fichier", max_length=255)
    sha256 = models.CharField(max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="ledger_imports", verbose_name="par")
    at = models.DateTimeField("le", auto_now_add=True)
    rows = models.PositiveIntegerField("lignes")
    summary = models.TextField("résultat")

    class Meta:
        ordering = ["-at"]
        verbose_name = "import de registre de contrats"

    def __str__(self) -> str:
        return f"{self.filename} ({self.at:%d/%m/%Y %H:%M})"


class LedgerImportStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    REJECTED = "rejected", "Refusé"
    FAILED = "failed", "Échec"


class LedgerImportJob(models.Model):
    """A ledger import started from a page: its progress while its rows are checked, then what
    it changed (``report``) or every located error (``errors``). The file itself is never
    stored: the worker holds it in memory (``carnot.funding.jobs``).

    The scope is a unit's ledger (``unit``) or a consortium's (``application``: only its
    declared units), never both."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                           verbose_name="par")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name="unité")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    null=True, blank=True, related_name="+",
                                    verbose_name="candidature")
    filename = models.CharField("fichier", max_length=255)
    status = models.CharField("état", max_length=16, choices=LedgerImportStatus.choices,
                              default=LedgerImportStatus.PENDING)
    rows_done = models.PositiveIntegerField("lignes vérifiées", default=0)
    rows_total = models.PositiveIntegerField("lignes du fichier", default=0)
    report = models.JSONField("résultat", null=True, blank=True)
    errors = models.JSONField("erreurs", default=list, blank=True)
    created_at = models.DateTimeField("lancé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "import de registre en cours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, application__isnull=True)
                | models.Q(unit__isnull=True, application__isnull=False),
                name="ledger_import_job_one_scope"),
            models.CheckConstraint(condition=models.Q(rows_done__lte=models.F("rows_total")),
                                   name="ledger_import_job_progress_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {LedgerImportStatus.DONE, LedgerImportStatus.REJECTED,
                               LedgerImportStatus.FAILED}


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


# --- Five-year spending (FAQ-4.1) ------------------------------------------------------------

class ExpenditureCategory(models.TextChoices):
    SCIENTIFIC_RESOURCING = "scientific_resourcing", "Ressourcement scientifique"
    PROFESSIONALISATION = "professionalisation", "Professionnalisation"
    EQUIPMENT = "equipment", "Équipement"
    STAFF = "staff", "Personnel"
    OTHER = "other", "Autre"


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
        ordering = ["grant", "spent_on", "pk"]
        verbose_name = "dépense"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0),
                                   name="expenditure_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} du {self.spent_on:%d/%m/%Y}"


class SpendingChange(models.Model):
    """Every write on a consortium's grants and expenditures: who, when, what, old → new."""

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT,
                                    related_name="spending_changes",
                                    verbose_name="candidature")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="+", verbose_name="par")
    at = models.DateTimeField("le", auto_now_add=True)
    what = models.CharField("objet", max_length=255)
    old = models.TextField("ancienne valeur", blank=True)
    new = models.TextField("nouvelle valeur", blank=True)

    class Meta:
        ordering = ["application", "-at", "-pk"]
        verbose_name = "modification des dépenses"

    def __str__(self) -> str:
        return f"{self.what} ({self.at:%d/%m/%Y %H:%M})"
