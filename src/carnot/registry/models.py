"""Reference data shared by every application: structures, PUIs, units, people, calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carnot.registry.validators import validate_rnsr, validate_siren
from carnot.rules.domain import StructureKind
from carnot.rules.parameters import CallParameters, load_call_parameters

STRUCTURE_KIND_CHOICES = [
    (StructureKind.UNIVERSITY.value, "Université"),
    (StructureKind.EPST.value, "EPST"),
    (StructureKind.EPIC.value, "EPIC"),
    (StructureKind.EPA.value, "EPA"),
    (StructureKind.SCHOOL.value, "École"),
    (StructureKind.HOSPITAL.value, "Établissement de santé"),
    (StructureKind.FOUNDATION.value, "Fondation"),
    (StructureKind.ASSOCIATION.value, "Association"),
    (StructureKind.COMPANY.value, "Société commerciale"),
    (StructureKind.CTI.value, "CTI (centre technique industriel)"),
    (StructureKind.CRT.value, "CRT (centre de ressources technologiques)"),
    (StructureKind.SRC.value, "SRC (société de recherche sous contrat)"),
    (StructureKind.EESPIG.value, "EESPIG"),
    (StructureKind.GIP.value, "GIP"),
    (StructureKind.IRT.value, "IRT"),
    (StructureKind.ITE.value, "ITE"),
    (StructureKind.COMPETITIVENESS_CLUSTER.value, "Pôle de compétitivité"),
]


class Structure(models.Model):
    """A legal structure: a tutelle of units, a coordinator, a PUI founder or partner."""

    code = models.SlugField(max_length=100, unique=True)
    name = models.CharField("nom", max_length=255)
    kind = models.CharField("nature juridique", max_length=32, choices=STRUCTURE_KIND_CHOICES)
    legal_form = models.CharField("forme juridique (SRC)", max_length=32, blank=True,
                                  choices=STRUCTURE_KIND_CHOICES)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    region = models.CharField("région", max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "structure"

    def __str__(self) -> str:
        return self.name


class Pui(models.Model):
    """A pôle universitaire d'innovation, with its founders and partners."""

    code = models.SlugField(max_length=100, unique=True)
    name = models.CharField("nom", max_length=255)
    region = models.CharField("région", max_length=100, blank=True)
    founders = models.ManyToManyField(Structure, related_name="founded_puis",
                                      verbose_name="fondateurs")
    partners = models.ManyToManyField(Structure, related_name="partner_puis", blank=True,
                                      verbose_name="partenaires")

    class Meta:
        ordering = ["name"]
        verbose_name = "PUI"
        verbose_name_plural = "PUI"

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A research unit of the national directory (RNSR)."""

    rnsr = models.CharField("RNSR", max_length=10, unique=True, validators=[validate_rnsr])
    name = models.CharField("nom", max_length=255)
    tutelles = models.ManyToManyField(Structure, related_name="units", verbose_name="tutelles")
    managing_tutelle = models.ForeignKey(Structure, on_delete=models.PROTECT,
                                         related_name="managed_units",
                                         verbose_name="tutelle gestionnaire")
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                   related_name="led_units",
                                   verbose_name="comptes des responsables d'unité")

    class Meta:
        ordering = ["rnsr"]
        verbose_name = "unité"

    def __str__(self) -> str:
        return f"{self.rnsr} {self.name}"


class Team(models.Model):
    """A team of a unit (HCERES evaluation), for units that join only partly (FAQ-2.25)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField("nom", max_length=255)

    class Meta:
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="team_unique")]
        verbose_name = "équipe"

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A scientific lead or a signatory."""

    full_name = models.CharField("nom", max_length=255)
    email = models.EmailField("courriel", blank=True)
    structure = models.ForeignKey(Structure, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="people")

    class Meta:
        ordering = ["full_name"]
        verbose_name = "personne"

    def __str__(self) -> str:
        return self.full_name


class CallStatus(models.TextChoices):
    UPCOMING = "upcoming", "À venir"
    OPEN = "open", "Ouvert"
    CLOSED = "closed", "Clos"


class Call(models.Model):
    """A call for applications of one year, with its dated parameters (rules package)."""

    year = models.PositiveIntegerField("année", unique=True)
    deadline = models.DateTimeField("date limite de dépôt")
    status = models.CharField(max_length=16, choices=CallStatus.choices,
                              default=CallStatus.OPEN)
    parameter_overrides = models.JSONField("surcharges de paramètres", default=dict, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "appel"

    def __str__(self) -> str:
        return f"Appel Carnot {self.year}"

    def parameters(self) -> CallParameters:
        """The call's dated parameters, with the programme officers' overrides."""
        params = load_call_parameters(self.year)
        return params.with_overrides(self.parameter_overrides) if self.parameter_overrides \
            else params
