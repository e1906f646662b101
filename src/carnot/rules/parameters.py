"""Dated parameters of a call: every figure a rule reads, with its source and validity.

One YAML file per call year (``parameters/<year>.yaml``). Each entry has ``value``,
``source`` (a rule id such as ``FAQ-3.2``, or ``assumption`` where the FAQ gives no figure),
``valid_from``, optionally ``valid_until``, and a one-line ``note``. A programme officer changes
a figure by editing the file, or for one evaluation by overriding it in the scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

from carnot.rules.domain import PartnerCategory, StructureKind
from carnot.rules.money import Cents, MoneyError, euros_to_cents

OVERRIDE_SOURCE = "scenario"


class ParameterError(ValueError):
    """A parameter file or override that cannot be used; the message names the parameter."""


class FloorPolicy(StrEnum):
    """How guaranteed floors meet the pro-rata sharing of the envelope (open question 5)."""

    TOP_UP = "top_up"
    """Pro rata first; consortia below their floor are raised to it, the others reduced in
    proportion to their bases."""
    FLOORS_FIRST = "floors_first"
    """Floors are paid first; what is left is shared pro rata among all eligible consortia."""


class ThresholdClass(StrEnum):
    SME = "sme"
    GENERAL = "general"


GUARANTEE_BASES = ("previous_year_abondement",)
"""What the guarantee rate may apply to (open question 4): the only basis the rules compute."""


@dataclass(frozen=True, slots=True)
class PartnerCategoryRule:
    counts: bool
    threshold: ThresholdClass | None
    source: str


COMPANY_SIZE_CATEGORIES = (PartnerCategory.MICRO, PartnerCategory.SME, PartnerCategory.MIDCAP)
"""The size classes bounded by ceilings (décret 2008-1354, art. 3), smallest first; a company
above the last one is a large company."""


@dataclass(frozen=True, slots=True)
class CompanySizeLimits:
    """Ceilings of one size class: headcount strictly below ``headcount_below``, and turnover
    at most ``turnover_max_cents`` or balance sheet at most ``balance_sheet_max_cents``."""

    category: PartnerCategory
    headcount_below: int
    turnover_max_cents: Cents
    balance_sheet_max_cents: Cents
    source: str


@dataclass(frozen=True, slots=True)
class StructureKindRule:
    may_be_member: bool
    member_source: str
    may_coordinate: bool
    coordinator_source: str


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    value: Any
    source: str
    valid_from: date
    valid_until: date | None
    note: str
    overridden_from: str | None = None

    def in_force_during(self, year: int) -> bool:
        """Whether the value's validity covers part of ``year``."""
        return self.valid_from <= date(year, 12, 31) and (
            self.valid_until is None or self.valid_until >= date(year, 1, 1))

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "name": self.name,
            "value": self.value,
            "source": self.source,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "note": self.note,
        }
        if self.overridden_from is not None:
            described["overridden_from"] = self.overridden_from
        return described


_REQUIRED = (
    "agreement_duration_years",
    "transition_years",
    "fte_reference_year",
    "contract_threshold_sme",
    "contract_threshold_general",
    "contract_threshold_is_strict",
    "partner_categories",
    "company_size_classes",
    "structure_kinds",
    "eligibility_threshold",
    "eligibility_threshold_is_strict",
    "threshold_revenue_years",
    "abondement_revenue_years",
    "shared_unit_abondement_share",
    "shared_unit_split_among_eligible_only",
    "perimeter_reference_call_year",
    "perimeter_tolerance",
    "perimeter_kept_minimum",
    "revenue_retention_minimum",
    "guarantee_test_year",
    "guarantee_reference_years",
    "guarantee_rate",
    "guarantee_basis",
    "spending_window_years",
    "envelope",
    "floor_policy",
    "performance_bonus_share",
)


class CallParameters:
    """The parameters in force for one call year, read through named, typed accessors."""

    def __init__(self, year: int, entries: Mapping[str, Parameter]) -> None:
        self.year = year
        self._entries = dict(entries)
        missing = [name for name in _REQUIRED if name not in self._entries]
        if missing:
            raise ParameterError(f"paramètres manquants pour l'appel {year} : {', '.join(missing)}")
        self._check_validity()
        self._check_values()

    # --- lookup and description -------------------------------------------------------------

    def entry(self, name: str) -> Parameter:
        try:
            return self._entries[name]
        except KeyError:
            raise ParameterError(f"paramètre inconnu : {name}") from None

    def describe(self, names: Any = None) -> list[dict[str, Any]]:
        chosen = sorted(self._entries) if names is None else sorted(set(names))
        return [self.entry(name).describe() for name in chosen]

    def names(self) -> list[str]:
        return sorted(self._entries)

    def with_overrides(self, overrides: Mapping[str, Any]) -> CallParameters:
        """A copy where each named parameter takes a new value; the trace shows the override."""
        entries = dict(self._entries)
        for name, override in overrides.items():
            original = self.entry(name)
            if isinstance(override, Mapping) and "value" in override:
                value, note = override["value"], str(override.get("note", original.note))
            else:
                value, note = override, original.note
            entries[name] = replace(
                original, value=value, source=OVERRIDE_SOURCE, note=note,
                overridden_from=original.source,
            )
        return CallParameters(self.year, entries)

    # --- typed accessors --------------------------------------------------------------------

    def agreement_duration_years(self) -> int:
        return self._int("agreement_duration_years")

    def transition_years(self) -> tuple[int, ...]:
        return self._years("transition_years")

    def in_transition(self) -> bool:
        return self.year in self.transition_years()

    def fte_reference_year(self) -> int:
        return self._int("fte_reference_year")

    def partner_category_rule(self, category: PartnerCategory) -> PartnerCategoryRule:
        return self._partner_rules[category]

    def _read_partner_category_rule(self, category: PartnerCategory) -> PartnerCategoryRule:
        row = self._row("partner_categories", category.value, "catégorie",
                        ("counts", "threshold", "source"))
        where = f"partner_categories : catégorie « {category} »"
        counts, threshold = row["counts"], row["threshold"]
        if not isinstance(counts, bool):
            raise ParameterError(f"{where} : counts doit valoir vrai ou faux")
        if threshold is None:
            if counts:
                raise ParameterError(f"{where} : une catégorie qui compte a un seuil "
                                     f"({' ou '.join(ThresholdClass)})")
            return PartnerCategoryRule(counts=False, threshold=None, source=str(row["source"]))
        if threshold not in set(ThresholdClass):
            raise ParameterError(f"{where} : seuil inconnu « {threshold} » (attendu : "
                                 f"{' ou '.join(ThresholdClass)})")
        return PartnerCategoryRule(counts=counts, threshold=ThresholdClass(threshold),
                                   source=str(row["source"]))

    def company_size_limits(self, category: PartnerCategory) -> CompanySizeLimits:
        """Ceilings of a company size class (micro, sme, midcap; décret 2008-1354)."""
        try:
            return self._size_limits[category]
        except KeyError:
            raise ParameterError(f"company_size_classes : « {category} » n'est pas une classe "
                                 "de taille d'entreprise") from None

    def _read_company_size_limits(self, category: PartnerCategory) -> CompanySizeLimits:
        columns = ("headcount_below", "turnover_max", "balance_sheet_max")
        row = self._row("company_size_classes", category.value, "classe", columns)
        where = f"company_size_classes : classe « {category} »"
        headcount = row["headcount_below"]
        if isinstance(headcount, bool) or not isinstance(headcount, int) or headcount <= 0:
            raise ParameterError(f"{where} : headcount_below doit être un entier positif")
        ceilings = []
        for column in ("turnover_max", "balance_sheet_max"):
            try:
                cents = euros_to_cents(str(row[column]))
            except MoneyError as exc:
                raise ParameterError(f"{where} : {column} : {exc}") from exc
            if cents < 0:
                raise ParameterError(f"{where} : {column} négatif")
            ceilings.append(cents)
        return CompanySizeLimits(category, headcount, ceilings[0], ceilings[1],
                                 self.entry("company_size_classes").source)

    def contract_threshold_cents(self, threshold: ThresholdClass) -> Cents:
        return self._thresholds[threshold]

    def _read_contract_threshold_cents(self, threshold: ThresholdClass) -> Cents:
        name = "contract_threshold_sme" if threshold is ThresholdClass.SME else (
            "contract_threshold_general"
        )
        return self._money(name)

    def contract_threshold_is_strict(self) -> bool:
        return self._contract_threshold_is_strict

    def structure_kind_rule(self, kind: StructureKind) -> StructureKindRule:
        return self._structure_rules[kind]

    def _read_structure_kind_rule(self, kind: StructureKind) -> StructureKindRule:
        row = self._row("structure_kinds", kind.value, "nature",
                        ("member", "member_source", "coordinator", "coordinator_source"))
        for answer in ("member", "coordinator"):
            if not isinstance(row[answer], bool):
                raise ParameterError(f"structure_kinds : nature « {kind} » : {answer} doit "
                                     "valoir vrai ou faux")
        return StructureKindRule(
            may_be_member=row["member"],
            member_source=str(row["member_source"]),
            may_coordinate=row["coordinator"],
            coordinator_source=str(row["coordinator_source"]),
        )

    def eligibility_threshold_cents(self) -> Cents:
        return self._money("eligibility_threshold")

    def eligibility_threshold_is_strict(self) -> bool:
        return self._bool("eligibility_threshold_is_strict")

    def threshold_revenue_years(self) -> tuple[int, ...]:
        return self._years("threshold_revenue_years")

    def abondement_revenue_years(self) -> tuple[int, ...]:
        return self._years("abondement_revenue_years")

    def shared_unit_abondement_share(self) -> Fraction:
        return self._ratio("shared_unit_abondement_share")

    def shared_unit_split_among_eligible_only(self) -> bool:
        return self._bool("shared_unit_split_among_eligible_only")

    def perimeter_reference_call_year(self) -> int:
        return self._int("perimeter_reference_call_year")

    def perimeter_tolerance(self) -> Fraction:
        return self._ratio("perimeter_tolerance")

    def perimeter_kept_minimum(self) -> Fraction:
        return self._ratio("perimeter_kept_minimum")

    def revenue_retention_minimum(self) -> Fraction:
        return self._ratio("revenue_retention_minimum")

    def guarantee_test_year(self) -> int:
        return self._int("guarantee_test_year")

    def guarantee_reference_years(self) -> tuple[int, ...]:
        return self._years("guarantee_reference_years")

    def guarantee_rate(self) -> Fraction:
        return self._ratio("guarantee_rate")

    def guarantee_basis(self) -> str:
        """What the guarantee rate applies to; only a basis the rules compute is accepted."""
        value = str(self.entry("guarantee_basis").value)
        if value not in GUARANTEE_BASES:
            raise ParameterError(f"guarantee_basis : base inconnue « {value} » (bases calculées : "
                                 f"{', '.join(GUARANTEE_BASES)})")
        return value

    def spending_window_years(self) -> int:
        return self._int("spending_window_years")

    def envelope_cents(self) -> Cents:
        return self._money("envelope")

    def floor_policy(self) -> FloorPolicy:
        return FloorPolicy(str(self.entry("floor_policy").value))

    def performance_bonus_share(self) -> Fraction:
        return self._ratio("performance_bonus_share")

    # --- conversions ------------------------------------------------------------------------

    def _int(self, name: str) -> int:
        value = self.entry(name).value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name} : entier attendu, reçu « {value} »")
        return value

    def _bool(self, name: str) -> bool:
        value = self.entry(name).value
        if not isinstance(value, bool):
            raise ParameterError(f"{name} : vrai/faux attendu, reçu « {value} »")
        return value

    def _years(self, name: str) -> tuple[int, ...]:
        value = self.entry(name).value
        if not isinstance(value, list | tuple) or not value or not all(
            isinstance(year, int) and not isinstance(year, bool) for year in value
        ):
            raise ParameterError(f"{name} : liste d'années attendue, reçu « {value} »")
        return tuple(sorted(value))

    def _ratio(self, name: str) -> Fraction:
        value = self.entry(name).value
        try:
            ratio = Fraction(str(value))
        except (ValueError, ZeroDivisionError) as exc:
            raise ParameterError(f"{name} : proportion attendue, reçu « {value} »") from exc
        if not 0 <= ratio <= 1:
            raise ParameterError(f"{name} : proportion entre 0 et 1 attendue, reçu « {value} »")
        return ratio

    def _money(self, name: str) -> Cents:
        value = self.entry(name).value
        try:
            cents = euros_to_cents(str(value))
        except MoneyError as exc:
            raise ParameterError(f"{name} : {exc}") from exc
        if cents < 0:
            raise ParameterError(f"{name} : montant négatif « {value} »")
        return cents

    def _row(self, name: str, key: str, noun: str, columns: tuple[str, ...]) -> Mapping[str, Any]:
        """One row of a table parameter, with every column it must have."""
        table = self.entry(name).value
        if not isinstance(table, Mapping):
            raise ParameterError(f"{name} : table attendue")
        row = table.get(key)
        if row is None:
            raise ParameterError(f"{name} : {noun} « {key} » absente")
        if not isinstance(row, Mapping):
            raise ParameterError(f"{name} : {noun} « {key} » : ligne attendue "
                                 f"({', '.join(columns)}), reçu « {row} »")
        missing = [column for column in columns if column not in row]
        if missing:
            raise ParameterError(f"{name} : {noun} « {key} » : colonne(s) manquante(s) : "
                                 f"{', '.join(missing)}")
        return row

    def _check_size_classes_grow(self) -> None:
        """Each size class must fit inside the next one, or the derivation would be absurd."""
        limits = [self._size_limits[category] for category in COMPANY_SIZE_CATEGORIES]
        for smaller, larger in pairwise(limits):
            if smaller.headcount_below > larger.headcount_below:
                raise ParameterError(f"company_size_classes : le plafond d'effectif de "
                                     f"« {smaller.category} » dépasse celui de "
                                     f"« {larger.category} »")

    def _check_validity(self) -> None:
        for entry in self._entries.values():
            if not entry.in_force_during(self.year):
                raise ParameterError(
                    f"{entry.name} : valable du {entry.valid_from} au {entry.valid_until}, "
                    f"pas pour l'appel {self.year}"
                )

    def _check_values(self) -> None:
        """Read every parameter once so that a bad value is refused when loaded, not mid-way."""
        self._partner_rules = {
            category: self._read_partner_category_rule(category) for category in PartnerCategory
        }
        self._thresholds = {
            threshold: self._read_contract_threshold_cents(threshold)
            for threshold in ThresholdClass
        }
        self._structure_rules = {kind: self._read_structure_kind_rule(kind)
                                 for kind in StructureKind}
        self._size_limits = {category: self._read_company_size_limits(category)
                             for category in COMPANY_SIZE_CATEGORIES}
        self._check_size_classes_grow()
        self.agreement_duration_years()
        self.transition_years()
        self.fte_reference_year()
        self._contract_threshold_is_strict = self._bool("contract_threshold_is_strict")
        self.eligibility_threshold_cents()
        self.eligibility_threshold_is_strict()
        self.threshold_revenue_years()
        self.abondement_revenue_years()
        self.shared_unit_abondement_share()
        self.shared_unit_split_among_eligible_only()
        self.perimeter_reference_call_year()
        self.perimeter_tolerance()
        self.perimeter_kept_minimum()
        self.revenue_retention_minimum()
        self.guarantee_test_year()
        self.guarantee_reference_years()
        self.guarantee_rate()
        self.guarantee_basis()
        self.spending_window_years()
        self.envelope_cents()
        self.performance_bonus_share()
        try:
            self.floor_policy()
        except ValueError as exc:
            raise ParameterError(f"floor_policy : {exc}") from exc


def available_call_years() -> list[int]:
    folder = resources.files("carnot.rules") / "parameters"
    return sorted(
        int(item.name.removesuffix(".yaml"))
        for item in folder.iterdir()
        if item.name.endswith(".yaml") and item.name.removesuffix(".yaml").isdigit()
    )


@cache
def load_call_parameters(year: int) -> CallParameters:
    """The parameters shipped for ``year``'s call (read once: a CallParameters never changes,
    overrides make a new one)."""
    path = resources.files("carnot.rules") / "parameters" / f"{year}.yaml"
    if not path.is_file():
        years = ", ".join(str(known) for known in available_call_years())
        raise ParameterError(f"aucun paramètre pour l'appel {year} (appels connus : {years})")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return parse_parameters(document, origin=str(path))


@cache
def call_parameters_in_force(name: str, year: int) -> CallParameters:
    """The shipped parameters of a call whose value of ``name`` is in force during ``year``:
    the year's own call when there is one, otherwise the call whose value took effect last
    (latest ``valid_from``, then latest call) among those whose validity covers the year.

    A year that no value covers is an error naming the year, never the closest call.
    """
    calls = available_call_years()
    if year in calls:
        return load_call_parameters(year)
    in_force = [(load_call_parameters(call).entry(name).valid_from, call) for call in calls
                if load_call_parameters(call).entry(name).in_force_during(year)]
    if not in_force:
        raise ParameterError(f"Aucun paramètre pour l'année {year} : « {name} » n'est en "
                             f"vigueur dans aucun appel connu ({', '.join(map(str, calls))}).")
    return load_call_parameters(max(in_force)[1])


def parse_parameters(document: Any, origin: str = "<paramètres>") -> CallParameters:
    if not isinstance(document, Mapping) or "call_year" not in document:
        raise ParameterError(f"{origin} : « call_year » manquant")
    year = document["call_year"]
    raw = document.get("parameters")
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{origin} : section « parameters » manquante")
    entries = {}
    for name, spec in raw.items():
        if not isinstance(spec, Mapping) or not {"value", "source", "valid_from"} <= set(spec):
            raise ParameterError(f"{origin} : {name} doit avoir value, source et valid_from")
        entries[str(name)] = Parameter(
            name=str(name),
            value=spec["value"],
            source=str(spec["source"]),
            valid_from=_as_date(spec["valid_from"], name),
            valid_until=_as_date(spec["valid_until"], name) if spec.get("valid_until") else None,
            note=str(spec.get("note", "")),
        )
    return CallParameters(int(year), entries)


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ParameterError(f"{name} : date invalide « {value} »") from exc
