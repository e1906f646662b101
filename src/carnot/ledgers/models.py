"""Contract ledgers: the research contracts of each unit with its partners, and what was invoiced
each year (FAQ-3.1 to FAQ-3.3), and the record of each accepted import."""

from __future__ import annotations

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
        db_table = "funding_partner"  # kept from the former « funding » app
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
        db_table = "funding_researchcontract"  # kept from the former « funding » app
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
        db_table = "funding_invoicedamount"  # kept from the former « funding » app
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
        db_table = "funding_ledgerimport"  # kept from the former « funding » app
        ordering = ["-at"]
        verbose_name = "import de registre de contrats"

    def __str__(self) -> str:
        return f"{self.filename} ({self.at:%d/%m/%Y %H:%M})"


