"""The scenario file format, as pydantic models (the JSON Schema in docs/ is generated from it).

Amounts are euros excluding VAT, given as numbers or strings with at most two decimals; they
become integer cents. FTE are decimal numbers. Years are calendar years.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, NotRequired

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, WithJsonSchema
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from carnot.rules.domain import AlignmentKind, ApplicationKind, PartnerCategory, StructureKind
from carnot.rules.money import euros_to_cents

EXACT_FLOAT_EUROS = 10**12
"""Below this, a binary float with at most two decimals converts to cents exactly by rounding."""


def _euros_as_cents(value: Any) -> int:
    """An amount in euros (number or text, at most two decimals, not negative) as cents."""
    kind = value.__class__
    if kind is int:
        cents: int = value * 100
    elif kind is float and 0 <= value < EXACT_FLOAT_EUROS:
        # Called for every amount of a national file: round-trip instead of a Decimal.
        cents = round(value * 100)
        if cents / 100 != value:
            raise ValueError(f"« {value!r} » a plus de deux décimales")
    elif kind in (float, str, Decimal):
        cents = euros_to_cents(repr(value) if kind is float else value)
    else:
        raise ValueError(f"montant en euros attendu, reçu « {value} »")
    if cents < 0:
        raise ValueError(f"montant négatif « {value} » : il doit être positif ou nul")
    return cents


Euros = Annotated[
    int,
    PlainValidator(_euros_as_cents),
    WithJsonSchema({
        "anyOf": [{"type": "number", "minimum": 0},
                  {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"}],
        "description": "Montant en euros HT, au plus deux décimales (converti en centimes).",
    }),
]
"""Euros in the file, integer cents once validated."""
Fte = Annotated[Decimal, Field(ge=0, decimal_places=3, allow_inf_nan=False)]
Year = Annotated[int, Field(ge=1990, le=2100)]
Identifier = Annotated[str, Field(min_length=1, max_length=100)]
Rnsr = Annotated[str, Field(min_length=1, max_length=20)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallSpec(_Model):
    year: Year = Field(description="Année de l'appel (2026, 2027…) : choisit les paramètres datés.")


class StructureSpec(_Model):
    id: Identifier
    name: str
    kind: StructureKind = Field(description="Nature juridique (FAQ-2.5 à 2.12).")
    legal_form: StructureKind | None = Field(
        default=None, description="Pour un SRC : sa forme juridique, qui décide (FAQ-2.7).")
    siren: str | None = None
    region: str | None = None


class PuiSpec(_Model):
    id: Identifier
    name: str
    founders: list[Identifier] = Field(min_length=1)
    partners: list[Identifier] = Field(default_factory=list)
    region: str | None = None


class FteSpec(_Model):
    permanent_researchers: Fte
    research_engineers: Fte = Decimal(0)
    research_engineers_do_research: bool = False


def _fte_from_number(value: Any) -> Any:
    """A bare number is the permanent researchers' FTE: ``2025: 40`` means
    ``2025: {permanent_researchers: 40}``."""
    if isinstance(value, int | float | str | Decimal) and not isinstance(value, bool):
        return {"permanent_researchers": value}
    return value


YearFte = Annotated[
    FteSpec, BeforeValidator(_fte_from_number, json_schema_input_type=Fte | FteSpec)
]


class UnitSpec(_Model):
    rnsr: Rnsr = Field(description="Numéro RNSR : neuf chiffres puis une lettre majuscule.")
    name: str = ""
    tutelles: list[Identifier] = Field(min_length=1)
    managing_tutelle: Identifier
    scientific_lead: str | list[str] = Field(
        description="Le responsable scientifique (un seul, FAQ-2.18).")
    fte: dict[Year, YearFte] = Field(
        description="ETP recherche permanents par année, sur l'ensemble de l'unité (FAQ-2.13).")
    partial: bool = False
    shared_with: Identifier | None = None


class SignatureSpec(_Model):
    structure: Identifier
    signatory: str
    empowered: bool = True
    signed_on: date | None = None


class AlignmentSpec(_Model):
    kind: AlignmentKind
    name: str = Field(min_length=1)


class FormerCarnotSpec(_Model):
    perimeter_2019: dict[Rnsr, Fte] = Field(
        min_length=1, description="ETP de chaque unité du périmètre de l'appel 2019.")
    units_by_year: dict[Year, list[Rnsr]] = Field(
        default_factory=dict, description="Unités présentes chaque année (2023–2026, FAQ-3.7).")
    reference_abondement: Euros = Field(description="Abondement reçu l'année précédente.")


class ApplicationSpec(_Model):
    id: Identifier
    name: str
    kind: ApplicationKind
    coordinator: Identifier
    puis: list[Identifier] = Field(default_factory=list)
    theme: str | None = None
    alignments: list[AlignmentSpec] = Field(default_factory=list)
    reference_fte: Fte | None = None
    former_carnot: FormerCarnotSpec | None = None
    units: list[UnitSpec] = Field(min_length=1)
    signatures: list[SignatureSpec] = Field(default_factory=list)


class ContractSpec(TypedDict):
    """A research contract (a plain dict once validated).

    A typed dict rather than a model: a national file holds hundreds of thousands of contracts
    and pydantic fills dicts about a third faster than model instances. Absent keys take the
    values of ``CONTRACT_DEFAULTS`` (documented in docs/scenario-format.md).
    """

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    id: Identifier
    unit: Rnsr
    partner: NotRequired[str]
    partner_category: PartnerCategory
    total: Annotated[Euros, Field(description="Montant total du contrat, euros HT.")]
    signed_on: date
    invoiced: NotRequired[Annotated[dict[Year, Euros], Field(
        description="Montant facturé chaque année, euros HT.")]]
    cifre: NotRequired[bool]
    in_theme: NotRequired[bool]


CONTRACT_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {"partner": "", "invoiced": MappingProxyType({}), "cifre": False, "in_theme": True})


class Scenario(_Model):
    """A whole national call: reference data, applications, contracts, parameter overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Scénario Carnot")

    call: CallSpec
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Surcharges de paramètres datés : nom → valeur, ou {value, note}.")
    structures: list[StructureSpec] = Field(default_factory=list)
    puis: list[PuiSpec] = Field(default_factory=list)
    applications: list[ApplicationSpec] = Field(default_factory=list)
    contracts: list[ContractSpec] = Field(default_factory=list)
