"""Shapes of the JSON API (django-ninja schemas): what it accepts and what it returns.

Inputs name reference data by code (structures, PUIs, applications) and units by RNSR; outputs
do the same. Decimal figures (FTE) are strings in JSON ("12.50"); dates are ISO 8601.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from carnot.applications.models import (
    Application,
    ApplicationUnit,
    Signature,
)
from carnot.applications.selectors import (
    ChangeEntry,
    CrossCheck,
    NationalRow,
    PanelLine,
    TransitionEntry,
)
from carnot.applications.workflow import Status as ApplicationStatus
from carnot.applications.workflow import Transition
from carnot.registry.models import Structure
from carnot.rules.domain import AlignmentKind, ApplicationKind
from carnot.rules.verdicts import Status as VerdictStatus

# --- Errors -------------------------------------------------------------------------------


class ErrorOut(Schema):
    """A refusal: ``detail`` in French; ``errors`` by field when the service named fields."""

    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


# --- Applications --------------------------------------------------------------------------


class StructureRef(Schema):
    code: str
    name: str


class AlignmentSchema(Schema):
    """What a thematic consortium's theme is aligned with (FAQ-2.27)."""

    kind: AlignmentKind
    name: str


class ApplicationOut(Schema):
    """An application as listed: identity, kind and status."""

    year: int
    code: str
    name: str
    kind: ApplicationKind
    kind_label: str
    status: ApplicationStatus
    status_label: str
    coordinator: StructureRef

    @staticmethod
    def resolve_year(obj: Application) -> int:
        return obj.call.year

    @staticmethod
    def resolve_kind_label(obj: Application) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: Application) -> str:
        return obj.get_status_display()


class ApplicationFilters(Schema):
    """Filters of the list (all optional)."""

    call_year: int | None = None
    kind: ApplicationKind | None = None
    status: ApplicationStatus | None = None


class ApplicationCreateIn(Schema):
    """A new application (draft) for the call of ``year``; its creator becomes its coordinator
    account."""

    year: int
    code: str = Field(pattern=r"^[-a-z0-9_]+$", max_length=100,
                      description="identifiant (minuscules, chiffres, tirets)")
    name: str = Field(min_length=1, max_length=255)
    kind: ApplicationKind
    coordinator: str = Field(description="code de la structure coordinatrice")
    puis: list[str] = Field(default_factory=list, description="codes des PUI (territorial)")
    theme: str = ""
    theme_justification: str = ""
    alignments: list[AlignmentSchema] = Field(default_factory=list)


class ApplicationUpdateIn(Schema):
    """Figures of a draft to change; only the fields sent are changed."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    kind: ApplicationKind | None = None
    coordinator: str | None = Field(default=None, description="code de structure")
    theme: str | None = None
    theme_justification: str | None = None
    reference_fte: Decimal | None = None
    puis: list[str] | None = None
    alignments: list[AlignmentSchema] | None = None


class UnitOut(Schema):
    """A unit as declared in an application (FAQ-2.13 to 2.18)."""

    rnsr: str
    name: str
    scientific_lead: str | None
    managing_tutelle: str
    tutelles: list[str]
    permanent_researchers_fte: Decimal | None
    research_engineers_fte: Decimal
    research_engineers_do_research: bool
    shared_with: str | None
    partial: bool
    teams: list[str]

    @staticmethod
    def resolve_rnsr(obj: ApplicationUnit) -> str:
        return obj.unit.rnsr

    @staticmethod
    def resolve_name(obj: ApplicationUnit) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_scientific_lead(obj: ApplicationUnit) -> str | None:
        return obj.scientific_lead.full_name if obj.scientific_lead else None

    @staticmethod
    def resolve_managing_tutelle(obj: ApplicationUnit) -> str:
        return obj.managing_tutelle.code

    @staticmethod
    def resolve_tutelles(obj: ApplicationUnit) -> list[str]:
        return sorted(tutelle.code for tutelle in obj.tutelles.all())

    @staticmethod
    def resolve_shared_with(obj: ApplicationUnit) -> str | None:
        return obj.shared_with.code if obj.shared_with else None

    @staticmethod
    def resolve_teams(obj: ApplicationUnit) -> list[str]:
        return sorted(team.name for team in obj.teams.all())


class UnitIn(Schema):
    """A unit of the directory to declare in the application."""

    rnsr: str = Field(description="numéro RNSR d'une unité du répertoire")
    scientific_lead: str = Field(default="", description="nom du responsable scientifique")
    managing_tutelle: str | None = Field(
        default=None, description="code de la tutelle gestionnaire (absent : celle du "
                                  "répertoire)")
    tutelles: list[str] = Field(default_factory=list,
                                description="codes de toutes les tutelles de l'unité (vide : "
                                            "celles du répertoire)")
    permanent_researchers_fte: Decimal | None = None
    research_engineers_fte: Decimal = Decimal(0)
    research_engineers_do_research: bool = False
    shared_with: str | None = Field(default=None,
                                    description="code de l'autre candidature (unité partagée)")
    partial: bool = False


class UnitUpdateIn(Schema):
    """Figures of a declared unit to change; only the fields sent are changed."""

    scientific_lead: str | None = None
    managing_tutelle: str | None = None
    tutelles: list[str] | None = None
    permanent_researchers_fte: Decimal | None = None
    research_engineers_fte: Decimal | None = None
    research_engineers_do_research: bool | None = None
    shared_with: str | None = None
    partial: bool | None = None
    teams: list[str] | None = Field(
        default=None, description="noms des équipes HCERES retenues (unité incomplète, FAQ-2.25)")


class SignatureOut(Schema):
    """A tutelle's signature of the commitment document (FAQ-2.18)."""

    structure: str
    signatory: str
    empowerment: str
    empowered: bool
    signed_on: date | None
    has_document: bool

    @staticmethod
    def resolve_structure(obj: Signature) -> str:
        return obj.structure.code

    @staticmethod
    def resolve_signatory(obj: Signature) -> str:
        return obj.signatory.full_name

    @staticmethod
    def resolve_has_document(obj: Signature) -> bool:
        return bool(obj.document)


class SignatoryOut(Schema):
    """A tutelle that must sign, with its signature or null when it is missing."""

    structure: StructureRef
    signature: SignatureOut | None


class SignatureIn(Schema):
    """A tutelle's signature (without the PDF, sent to the ``document`` endpoint)."""

    structure: str = Field(description="code de la tutelle signataire")
    signatory: str = Field(description="nom de la personne habilitée à signer")
    empowerment: str = Field(default="", description="fonction, délégation")
    empowered: bool = True
    signed_on: date | None = None


class SignatureDocumentIn(Schema):
    """Fields sent with the signed PDF; those left out keep the recorded signature's values."""

    signatory: str = ""
    empowerment: str | None = None
    empowered: bool | None = None
    signed_on: date | None = None


class ApplicationDetailOut(ApplicationOut):
    """An application with its units and the signatures of its commitment document."""

    puis: list[str]
    theme: str
    theme_justification: str
    reference_fte: Decimal | None
    alignments: list[AlignmentSchema]
    units: list[UnitOut]
    signatures: list[SignatureOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_puis(obj: Application) -> list[str]:
        return sorted(pui.code for pui in obj.puis.all())

    @staticmethod
    def resolve_alignments(obj: Application) -> list[dict[str, str]]:
        return [{"kind": a.kind, "name": a.name} for a in obj.alignments.all()]

    @staticmethod
    def resolve_units(obj: Application) -> list[ApplicationUnit]:
        return list(obj.units.all())

    @staticmethod
    def resolve_signatures(obj: Application) -> list[Signature]:
        return list(obj.signatures.all())


def signatories(required: list[Structure],
                by_structure: dict[int, Signature]) -> list[dict[str, object]]:
    """Every tutelle that must sign, paired with its signature (None when missing), to be
    returned as ``list[SignatoryOut]``."""
    out: list[dict[str, object]] = []
    for structure in required:
        signature = by_structure.get(structure.pk)
        if signature is not None:
            signature.structure = structure  # already loaded: no query per signature
        out.append({"structure": structure, "signature": signature})
    return out


# --- Panel ---------------------------------------------------------------------------------


def faq_url(rule: str) -> str:
    return f"{reverse('faq')}#{rule}"


class VerdictOut(Schema):
    """One verdict of a rule: outcome, plain-French reason, subject (application, RNSR…)."""

    rule: str
    status: VerdictStatus
    message: str
    subject: str


class PanelLineOut(Schema):
    """One rule of the admissibility panel: its worst status, verdicts, and its FAQ entry."""

    rule: str
    status: VerdictStatus
    faq_url: str
    verdicts: list[VerdictOut]

    @staticmethod
    def resolve_faq_url(obj: PanelLine) -> str:
        return faq_url(obj.rule)


class PanelOut(Schema):
    """The live admissibility panel of an application, failed rules first."""

    year: int
    code: str
    blocking_failures: int
    lines: list[PanelLineOut]


# --- Workflow and history ------------------------------------------------------------------


class TransitionOut(Schema):
    """A transition the user may take from the application's current status."""

    target: ApplicationStatus
    target_label: str
    label: str
    guards: list[str]
    reason_required: bool

    @staticmethod
    def resolve_target_label(obj: Transition) -> str:
        return obj.target.label

    @staticmethod
    def resolve_guards(obj: Transition) -> list[str]:
        return [str(guard.label) for guard in obj.guards]

    @staticmethod
    def resolve_reason_required(obj: Transition) -> bool:
        return any(guard.value == "reason_given" for guard in obj.guards)


class TransitionIn(Schema):
    target: ApplicationStatus
    reason: str = ""


class TransitionRecordOut(Schema):
    """A status change: who, when, why."""

    source: ApplicationStatus
    target: ApplicationStatus
    by: str
    at: datetime
    reason: str

    @staticmethod
    def resolve_by(obj: TransitionEntry) -> str:
        return obj.by.get_username() if obj.by is not None else ""


class ChangeRecordOut(Schema):
    """A change to the application's figures: who, when, old → new."""

    subject: str
    field: str
    old: str
    new: str
    by: str
    at: datetime

    @staticmethod
    def resolve_by(obj: ChangeEntry) -> str:
        return obj.by.get_username() if obj.by is not None else ""


class HistoryOut(Schema):
    transitions: list[TransitionRecordOut]
    changes: list[ChangeRecordOut]


# --- National view -------------------------------------------------------------------------


class NationalFilters(Schema):
    kind: ApplicationKind | None = None
    status: ApplicationStatus | None = None
    only_failures: bool = False


class NationalRowOut(Schema):
    """One application of the national view: status and the summary of its panel."""

    year: int
    code: str
    name: str
    kind: ApplicationKind
    kind_label: str
    status: ApplicationStatus
    status_label: str
    coordinator: StructureRef
    units: int
    blocking_failures: int
    failed_rules: list[str]
    warnings: int

    @staticmethod
    def resolve_year(obj: NationalRow) -> int:
        return obj.application.call.year

    @staticmethod
    def resolve_code(obj: NationalRow) -> str:
        return obj.application.code

    @staticmethod
    def resolve_name(obj: NationalRow) -> str:
        return obj.application.name

    @staticmethod
    def resolve_kind(obj: NationalRow) -> str:
        return obj.application.kind

    @staticmethod
    def resolve_kind_label(obj: NationalRow) -> str:
        return obj.application.get_kind_display()

    @staticmethod
    def resolve_status(obj: NationalRow) -> str:
        return obj.application.status

    @staticmethod
    def resolve_status_label(obj: NationalRow) -> str:
        return obj.application.get_status_display()

    @staticmethod
    def resolve_coordinator(obj: NationalRow) -> Structure:
        return obj.application.coordinator

    @staticmethod
    def resolve_blocking_failures(obj: NationalRow) -> int:
        return obj.failures


class CrossCheckOut(Schema):
    """A failed cross-application verdict on one unit and the applications it concerns."""

    kind: str
    kind_label: str
    rule: str
    applications: list[str]
    message: str
    faq_url: str

    @staticmethod
    def resolve_kind(obj: CrossCheck) -> str:
        return obj.kind.value

    @staticmethod
    def resolve_kind_label(obj: CrossCheck) -> str:
        return str(obj.kind.label)

    @staticmethod
    def resolve_faq_url(obj: CrossCheck) -> str:
        return faq_url(obj.rule)


class UnitCrossChecksOut(Schema):
    rnsr: str
    unit_name: str
    checks: list[CrossCheckOut]


class NationalOut(Schema):
    """Every application of a call with its status and panel summary, and the national
    cross-checks on units (shared units, a unit in two thematic consortia…) grouped by unit."""

    year: int
    applications: list[NationalRowOut]
    cross_checks: list[UnitCrossChecksOut]
