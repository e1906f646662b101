"""The ledger file's format: its columns, their French aliases, and the import's limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from carnot.common.french import folded_key
from carnot.common.sheets import SpreadsheetRejected
from carnot.rules.contracts import CATEGORY_LABELS
from carnot.rules.domain import PartnerCategory
from carnot.rules.verdicts import count

if TYPE_CHECKING:
    pass



Progress = Callable[[int, int], None]

MAX_BYTES = 64 * 1024 * 1024
"""Largest ledger accepted (a national ledger of 100,000 contracts weighs about 15 MB)."""
MAX_ROWS = 250_000
MAX_REFERENCE = 100
PROGRESS_EVERY = 1000

MISSING_ROW = 0


class LedgerRejected(SpreadsheetRejected):
    """The ledger is refused whole; ``errors`` lists every problem, row by row."""


@dataclass(frozen=True)
class LedgerImportReport:
    """What an accepted import changed."""

    rows: int
    contracts_created: int
    contracts_updated: int
    contracts_unchanged: int
    partners_created: int
    partners_updated: int
    invoiced_written: int
    """Invoiced amounts created or changed."""
    invoiced_deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.contracts_created or self.contracts_updated or self.partners_created
                    or self.partners_updated or self.invoiced_written
                    or self.invoiced_deleted)

    def message(self) -> str:
        rows = count(self.rows, "ligne")
        if not self.changed:
            return f"Import réussi : {rows}, identiques au registre ; rien n'a changé."
        return (f"Import réussi : {rows} ; contrats : {count(self.contracts_created, 'créé')}, "
                f"{count(self.contracts_updated, 'modifié')}, "
                f"{count(self.contracts_unchanged, 'inchangé')} ; partenaires : "
                f"{count(self.partners_created, 'créé')}, {count(self.partners_updated, 'modifié')}"
                f" ; montants facturés : {count(self.invoiced_written, 'écrit')}, "
                f"{count(self.invoiced_deleted, 'retiré')}.")



# --- Columns ---------------------------------------------------------------------------------

RNSR = "RNSR"
REFERENCE = "Référence contrat"
PARTNER = "Partenaire"
IDENTIFIER = "SIREN/SIRET"
FOREIGN = "Identifiant étranger"
CATEGORY = "Catégorie"
CATEGORY_YEAR = "Année de la catégorie"
HEADCOUNT = "Effectif"
TURNOVER = "Chiffre d'affaires"
BALANCE_SHEET = "Total de bilan"
TOTAL = "Montant total HT"
SIGNED_ON = "Date de signature"
CIFRE = "CIFRE"
IN_THEME = "Dans la thématique"

ALIASES: dict[str, tuple[str, ...]] = {
    RNSR: ("rnsr", "code rnsr", "unite", "rnsr de l unite"),
    REFERENCE: ("reference contrat", "reference", "reference du contrat", "ref contrat",
                "numero de contrat", "numero contrat", "contrat"),
    PARTNER: ("partenaire", "nom du partenaire", "raison sociale", "entreprise"),
    IDENTIFIER: ("siren siret", "siren ou siret", "siren", "siret"),
    FOREIGN: ("identifiant etranger", "identifiant", "id etranger"),
    CATEGORY: ("categorie", "categorie du partenaire", "categorie partenaire"),
    CATEGORY_YEAR: ("annee de la categorie", "annee categorie", "annee de categorie"),
    HEADCOUNT: ("effectif", "effectif du groupe", "effectif groupe"),
    TURNOVER: ("chiffre d affaires", "chiffre d affaires du groupe", "ca", "ca groupe"),
    BALANCE_SHEET: ("total de bilan", "total du bilan", "bilan", "total de bilan du groupe"),
    TOTAL: ("montant total ht", "montant total", "montant ht", "montant", "montant du contrat"),
    SIGNED_ON: ("date de signature", "date signature", "signature", "signe le"),
    CIFRE: ("cifre", "these cifre"),
    IN_THEME: ("dans la thematique", "thematique", "dans la thematique oui non"),
}
COLUMN_BY_KEY = {alias: column for column, aliases in ALIASES.items() for alias in aliases}
INVOICED_HEADER = re.compile(r"^(?:montant )?factur\w*(?: ht)?(?: en)? ((?:19|20)\d\d)(?: ht)?$")

CATEGORY_BY_KEY: dict[str, PartnerCategory] = {
    **{folded_key(category.value): category for category in PartnerCategory},
    **{folded_key(label): category for category, label in CATEGORY_LABELS.items()},
    "tpe": PartnerCategory.MICRO, "micro entreprise": PartnerCategory.MICRO,
    "pme": PartnerCategory.SME, "eti": PartnerCategory.MIDCAP,
    "ge": PartnerCategory.LARGE, "grand groupe": PartnerCategory.LARGE,
    "grande entreprise": PartnerCategory.LARGE,
    "collectivite": PartnerCategory.LOCAL_AUTHORITY,
    "collectivite territoriale": PartnerCategory.LOCAL_AUTHORITY,
    "crt": PartnerCategory.CRT_MEMBER, "crt membre": PartnerCategory.CRT_MEMBER,
    "autre": PartnerCategory.OTHER,
}
COMPANY_SIZES = (PartnerCategory.MICRO, PartnerCategory.SME, PartnerCategory.MIDCAP,
                 PartnerCategory.LARGE)
