"""An application: its units, the commitment document's signatures (its history is the audit
log's, ``carnot.audit``)."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from carnot.applications.workflow import Status
from carnot.registry.models import Call, Person, Pui, Structure, Team, Unit
from carnot.rules.domain import AlignmentKind, ApplicationKind

KIND_CHOICES = [
    (ApplicationKind.TERRITORIAL.value, "Territorial (sur un PUI)"),
    (ApplicationKind.THEMATIC.value, "Thématique national"),
    (ApplicationKind.FORMER_CARNOT.value, "Ancien Carnot (Carnot 4)"),
]


class Application(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    code = models.SlugField("identifiant", max_length=100)
    name = models.CharField("nom du consortium", max_length=255)
    kind = models.CharField("type", max_length=32, choices=KIND_CHOICES)
    coordinator = models.ForeignKey(Structure, on_delete=models.PROTECT,
                                    related_name="coordinated_applications",
                                    verbose_name="structure coordinatrice")
    puis = models.ManyToManyField(Pui, blank=True, related_name="applications",
                                  verbose_name="PUI")
    theme = models.CharField("thématique", max_length=255, blank=True)
    theme_justification = models.TextField("justification de la thématique", blank=True)
    reference_fte = models.DecimalField("ETP de référence (labellisation)", max_digits=9,
                                        decimal_places=2, null=True, blank=True,
                                        validators=[MinValueValidator(0)])
    status = models.CharField("statut", max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                    related_name="owned_applications",
                                    verbose_name="comptes coordinateurs")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["call", "code"]
        constraints = [models.UniqueConstraint(fields=["call", "code"],
                                               name="application_code_unique_per_call")]
        verbose_name = "candidature"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Alignment(models.Model):
    """What a thematic consortium's theme is aligned with (FAQ-2.27)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="alignments")
    kind = models.CharField(max_length=8, choices=[(k.value, k.value) for k in AlignmentKind])
    name = models.CharField("intitulé", max_length=255)

    class Meta:
        ordering = ["kind", "name"]


class FormerCarnotReference(models.Model):
    """What the 2019 call labelled, for the transition and the guarantee (FAQ-3.4 to 3.7)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE,
                                       related_name="former_carnot")
    perimeter_2019 = models.JSONField("ETP du périmètre 2019 par RNSR", default=dict)
    units_by_year = models.JSONField("unités présentes chaque année", default=dict, blank=True)
    reference_abondement_cents = models.BigIntegerField(
        "abondement de référence (centimes)", validators=[MinValueValidator(0)])

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(reference_abondement_cents__gte=0),
                                              name="reference_abondement_not_negative")]


class ApplicationUnit(models.Model):
    """A unit as declared in one application (FAQ-2.13 to 2.18)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="declarations")
    scientific_lead = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="led_declarations",
                                        verbose_name="responsable scientifique")
    managing_tutelle = models.ForeignKey(Structure, on_delete=models.PROTECT,
                                         related_name="managed_declarations",
                                         verbose_name="tutelle gestionnaire")
    tutelles = models.ManyToManyField(Structure, related_name="unit_declarations",
                                      verbose_name="tutelles")
    permanent_researchers_fte = models.DecimalField(
        "ETP recherche permanents", max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)])
    research_engineers_fte = models.DecimalField(
        "ETP ingénieurs de recherche", max_digits=8, decimal_places=2, default=0,
        validators=[MinValueValidator(0)])
    research_engineers_do_research = models.BooleanField(
        "les ingénieurs font de la recherche", default=False)
    shared_with = models.ForeignKey(Application, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="units_shared_with_me",
                                    verbose_name="partagée avec")
    partial = models.BooleanField("unité incomplète", default=False)
    teams = models.ManyToManyField(Team, blank=True, verbose_name="équipes (unité incomplète)")

    class Meta:
        ordering = ["application", "unit__rnsr"]
        constraints = [
            models.UniqueConstraint(fields=["application", "unit"],
                                    name="unit_declared_once_per_application"),
            models.CheckConstraint(condition=Q(permanent_researchers_fte__gte=0),
                                   name="permanent_fte_not_negative"),
            models.CheckConstraint(condition=Q(research_engineers_fte__gte=0),
                                   name="engineer_fte_not_negative"),
        ]
        verbose_name = "unité déclarée"

    def __str__(self) -> str:
        return f"{self.unit.rnsr} dans {self.application.code}"


def signed_document_path(signature: Signature, filename: str) -> str:
    return f"signatures/{signature.application.call.year}/{signature.application.code}/" \
           f"{signature.structure.code}.pdf"


class Signature(models.Model):
    """One tutelle's signature of the commitment document (FAQ-2.18)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="signatures")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="signatures")
    signatory = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="signatures",
                                  verbose_name="signataire")
    empowerment = models.CharField("habilitation (fonction, délégation)", max_length=255,
                                   blank=True)
    empowered = models.BooleanField("habilité à signer", default=True)
    signed_on = models.DateField("date de signature", null=True, blank=True)
    document = models.FileField("document signé (PDF)", upload_to=signed_document_path,
                                blank=True)

    class Meta:
        ordering = ["application", "structure__name"]
        constraints = [models.UniqueConstraint(fields=["application", "structure"],
                                               name="one_signature_per_tutelle")]


# --- Ledger imports started from a page ------------------------------------------------------

class LedgerImportStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    REJECTED = "rejected", "Refusé"
    FAILED = "failed", "Échec"


@deconstructible(path="carnot.applications.models.LedgerImportFileStorage")
class LedgerImportFileStorage(FileSystemStorage):
    """Where an uploaded ledger waits for its import task: ``settings.LEDGER_IMPORT_FILES_ROOT``,
    outside ``MEDIA_ROOT`` and served by no URL. The setting is read at each use, so that a
    test (or a command) may point it elsewhere."""

    @property
    def base_location(self) -> str:
        return str(settings.LEDGER_IMPORT_FILES_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("un registre en attente d'import n'a pas d'adresse")


def ledger_import_file_path(job: LedgerImportJob, filename: str) -> str:
    """Named after the job (its id), never after the upload: two « registre.csv » never meet,
    and the import reads the format from the job's ``filename``."""
    return str(job.pk)


class LedgerImportJob(models.Model):
    """A ledger import started from a page, run by a task (``carnot.applications.ledgers.tasks``):
    its progress while its rows are checked, then what it changed (``report``) or every located
    error (``errors``). The uploaded file (``file``, private storage) is kept only until the task
    has ended.

    ``tries`` counts the tasks enqueued for the job (the first, then each retry after a worker
    died: a run of an earlier try is superseded and stops); ``heartbeat_at`` is refreshed when
    it is enqueued, starts and writes its progress, so a job that has stayed silent too long is
    known to have lost its worker.

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
    file = models.FileField("fichier en attente d'import", storage=LedgerImportFileStorage(),
                            upload_to=ledger_import_file_path, max_length=255, blank=True)
    tries = models.PositiveSmallIntegerField("tâches lancées", default=0)
    task_id = models.CharField("tâche en cours", max_length=64, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", default=timezone.now)

    class Meta:
        db_table = "funding_ledgerimportjob"  # kept from the former « funding » app
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


