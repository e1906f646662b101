"""The « document de dépôt »: a whole application as a spreadsheet, exported
(``spreadsheet_export``) and imported (``spreadsheet_reading`` reads it, ``spreadsheet`` writes
it). This module is what both sides agree on: the sheets, their columns and fields, the limits.

Three sheets:

- « Candidature »: one field a row (column A the field, column B its value): code, name, kind,
  coordinator structure, PUIs, theme, its justification, alignments, reference FTE;
- « Unités »: one row per declared unit (RNSR, scientific lead, tutelles, FTE, sharing…);
- « Signataires »: one row per tutelle that signed the commitment document (FAQ-2.18).
"""

from __future__ import annotations

from dataclasses import dataclass

from carnot.applications.models import KIND_CHOICES, Application
from carnot.common.french import folded_key
from carnot.rules.domain import ApplicationKind

APPLICATION_SHEET = "Candidature"
UNITS_SHEET = "Unités"
SIGNATURES_SHEET = "Signataires"

MAX_BYTES = 10 * 1024 * 1024
"""Largest file accepted when ``settings.MAX_UPLOAD_BYTES`` is not set (an application of a
hundred units weighs a few dozen kilobytes)."""
MAX_ROWS = 5000
"""Most rows read in one sheet."""
MAX_COLUMNS = 100


# --- Columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    required: bool = True
    """Whether the column must be in the file (an informative column may be left out)."""

    @property
    def key(self) -> str:
        return folded_key(self.header)


RNSR = Column("RNSR", 14)
UNIT_NAME = Column("Nom de l'unité", 45, required=False)
SCIENTIFIC_LEAD = Column("Responsable scientifique", 28)
MANAGING_TUTELLE = Column("Tutelle gestionnaire (code)", 24)
TUTELLES = Column("Tutelles (codes séparés par « ; »)", 32)
ENGINEERS_FTE = Column("ETP ingénieurs de recherche", 16)
ENGINEERS_DO_RESEARCH = Column("Ingénieurs faisant de la recherche (oui/non)", 22)
SHARED_WITH = Column("Partagée avec (code de candidature)", 24)
PARTIAL = Column("Unité incomplète (oui/non)", 16)


def permanent_fte_column(application: Application) -> Column:
    """The FTE are those of the year before the call (2025 for the 2026 call)."""
    return Column(f"ETP recherche permanents {application.call.year - 1}", 18)


def unit_columns(application: Application) -> list[Column]:
    return [RNSR, UNIT_NAME, SCIENTIFIC_LEAD, MANAGING_TUTELLE, TUTELLES,
            permanent_fte_column(application), ENGINEERS_FTE, ENGINEERS_DO_RESEARCH,
            SHARED_WITH, PARTIAL]


SIGNATURE_TUTELLE = Column("Tutelle (code)", 20)
SIGNATORY = Column("Signataire", 30)
EMPOWERMENT = Column("Habilitation", 40)
EMPOWERED = Column("Habilité (oui/non)", 14)
SIGNED_ON = Column("Date de signature (JJ/MM/AAAA)", 18)
SIGNATURE_COLUMNS = [SIGNATURE_TUTELLE, SIGNATORY, EMPOWERMENT, EMPOWERED, SIGNED_ON]

# The « Candidature » sheet: one field per row.
FIELD_CODE = "Code"
FIELD_NAME = "Nom"
FIELD_KIND = "Type"
FIELD_COORDINATOR = "Coordinateur (code de la structure)"
FIELD_PUIS = "PUI (codes séparés par « ; »)"
FIELD_THEME = "Thématique"
FIELD_JUSTIFICATION = "Justification de la thématique"
FIELD_ALIGNMENTS = "Alignements (SNA: …; PEPR: …; CSF: …)"
FIELD_REFERENCE_FTE = "ETP de référence"
APPLICATION_FIELDS = [FIELD_CODE, FIELD_NAME, FIELD_KIND, FIELD_COORDINATOR, FIELD_PUIS,
                      FIELD_THEME, FIELD_JUSTIFICATION, FIELD_ALIGNMENTS, FIELD_REFERENCE_FTE]

KIND_LABELS = dict(KIND_CHOICES)
KINDS_BY_KEY = {
    **{folded_key(label): kind for kind, label in KIND_CHOICES},
    **{folded_key(kind): kind for kind, _ in KIND_CHOICES},
    folded_key("thématique"): ApplicationKind.THEMATIC.value,
    folded_key("ancien Carnot"): ApplicationKind.FORMER_CARNOT.value,
}
