"""Domain types of a national Carnot call: structures, PUIs, applications, units, contracts.

Plain frozen values: the rules read them, never change them. Names follow the glossary
(``shared/domain/glossary.md``): a *consortium* files an *application*; a *unit* has
*tutelles* (supervising bodies), one of which is its managing tutelle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from carnot.rules.money import Cents


class ApplicationKind(StrEnum):
    """The three kinds of application (FAQ-2.19): no hybrid."""

    TERRITORIAL = "territorial"
    THEMATIC = "thematic"
    FORMER_CARNOT = "former_carnot"


class StructureKind(StrEnum):
    """Legal kinds of structure; which may be members or coordinators is a dated parameter."""

    UNIVERSITY = "university"
    EPST = "epst"
    EPIC = "epic"
    EPA = "epa"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    FOUNDATION = "foundation"
    ASSOCIATION = "association"
    COMPANY = "company"
    CTI = "cti"
    CRT = "crt"
    SRC = "src"
    EESPIG = "eespig"
    GIP = "gip"
    IRT = "irt"
    ITE = "ite"
    COMPETITIVENESS_CLUSTER = "competitiveness_cluster"


class PartnerCategory(StrEnum):
    """Who the partner of a research contract is (FAQ-2.6, FAQ-3.2, FAQ-3.3)."""

    MICRO = "micro"
    SME = "sme"
    MIDCAP = "midcap"
    LARGE = "large"
    LOCAL_AUTHORITY = "local_authority"
    CRT_MEMBER = "crt_member"
    OTHER = "other"


class AlignmentKind(StrEnum):
    """What a thematic consortium's theme is aligned with (FAQ-2.27)."""

    SNA = "SNA"
    PEPR = "PEPR"
    CSF = "CSF"


@dataclass(frozen=True, slots=True)
class Structure:
    id: str
    name: str
    kind: StructureKind
    legal_form: StructureKind | None = None
    """For an SRC, the legal form that decides its status (FAQ-2.7)."""
    siren: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Pui:
    """A pôle universitaire d'innovation: its founders and partners are structure ids."""

    id: str
    name: str
    founders: frozenset[str]
    partners: frozenset[str] = frozenset()
    region: str | None = None

    @property
    def members(self) -> frozenset[str]:
        return self.founders | self.partners


@dataclass(frozen=True, slots=True)
class UnitFte:
    """A unit's research FTE for one year, over the whole unit (FAQ-2.13, FAQ-2.16)."""

    permanent_researchers: Decimal
    research_engineers: Decimal = Decimal(0)
    research_engineers_do_research: bool = False


@dataclass(frozen=True, slots=True)
class Unit:
    """A research unit as declared in one application."""

    rnsr: str
    tutelles: tuple[str, ...]
    managing_tutelle: str
    scientific_leads: tuple[str, ...]
    fte_by_year: Mapping[int, UnitFte]
    name: str = ""
    partial: bool = False
    shared_with: str | None = None
    """Id of the other application this unit is declared shared with (FAQ-2.17)."""


@dataclass(frozen=True, slots=True)
class Signature:
    """One tutelle's signature of the commitment document (FAQ-2.18)."""

    structure: str
    signatory: str
    empowered: bool
    signed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Alignment:
    kind: AlignmentKind
    name: str


@dataclass(frozen=True, slots=True)
class FormerCarnotReference:
    """What the 2019 call (Carnot 4) labelled, for the transition and the guarantee."""

    perimeter_2019_fte: Mapping[str, Decimal]
    """FTE of permanent researchers of each unit of the 2019 perimeter, by RNSR."""
    units_by_year: Mapping[int, frozenset[str]]
    """Units present in the institute each year (2023–2026), for the reference perimeter."""
    reference_abondement_cents: Cents
    """The abondement the institute received the year before the call."""

    @property
    def perimeter_2019_total_fte(self) -> Decimal:
        return sum(self.perimeter_2019_fte.values(), Decimal(0))


@dataclass(frozen=True, slots=True)
class Application:
    """A consortium's application to the call."""

    id: str
    name: str
    kind: ApplicationKind
    coordinator: str
    units: tuple[Unit, ...]
    puis: tuple[str, ...] = ()
    theme: str | None = None
    alignments: tuple[Alignment, ...] = ()
    signatures: tuple[Signature, ...] = ()
    former_carnot: FormerCarnotReference | None = None
    reference_fte: Decimal | None = None
    """FTE of the perimeter when labelled: the reference of the ±15 % rule from 2027 (FAQ-2.14)."""

    def unit_rnsrs(self) -> frozenset[str]:
        return frozenset(unit.rnsr for unit in self.units)


class Contract(NamedTuple):
    """A research contract of a unit with a partner, and what was invoiced each year.

    A named tuple rather than a frozen dataclass: a national call holds hundreds of thousands
    of contracts, and a tuple is built three times faster (still immutable).
    """

    id: str
    unit: str
    partner_category: PartnerCategory
    total_cents: Cents
    signed_on: date
    invoiced_cents: Mapping[int, Cents]
    partner: str = ""
    cifre: bool = False
    in_theme: bool = True


@dataclass(frozen=True, slots=True)
class NationalCall:
    """Everything the rules need to evaluate one year's call nationally."""

    year: int
    structures: Mapping[str, Structure]
    puis: Mapping[str, Pui]
    applications: tuple[Application, ...]
    contracts: tuple[Contract, ...] = ()
