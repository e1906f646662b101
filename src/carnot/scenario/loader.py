"""Read a scenario file, refuse bad input with located French messages, build domain values.

Nothing is evaluated unless the whole file is valid: every problem found is listed with its
place in the file (``contracts[12] (C-0013).total``) and what is wrong.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml
from pydantic import ValidationError

from carnot.rules.admissibility import rnsr_is_well_formed
from carnot.rules.domain import (
    Alignment,
    Application,
    Contract,
    FormerCarnotReference,
    NationalCall,
    Pui,
    Signature,
    Structure,
    Unit,
    UnitFte,
)
from carnot.rules.money import format_euros
from carnot.rules.parameters import CallParameters, ParameterError, load_call_parameters
from carnot.rules.verdicts import count
from carnot.scenario.schema import (
    CONTRACT_DEFAULTS,
    ApplicationSpec,
    ContractSpec,
    FteSpec,
    Scenario,
)

MAX_ERRORS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class Problem:
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location} : {self.message}" if self.location else self.message


class ScenarioError(ValueError):
    """The scenario cannot be evaluated; ``problems`` lists every place and what is wrong."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        shown = "\n".join(f"  - {problem}" for problem in self.problems[:MAX_ERRORS_SHOWN])
        more = len(self.problems) - MAX_ERRORS_SHOWN
        tail = f"\n  … et {count(more, 'autre erreur', 'autres erreurs')}" if more > 0 else ""
        super().__init__(f"{source} : scénario refusé, {count(len(self.problems), 'erreur')} :\n"
                         f"{shown}{tail}")


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    call: NationalCall
    params: CallParameters


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a national call.

    A call is millions of small long-lived objects without cycles: with the collector on, its
    full passes walk them again and again (about 40 % of a large load), to free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_scenario(path: Path) -> LoadedScenario:
    """Read, validate and convert the scenario at ``path`` (``.json``, ``.yaml`` or ``.yml``)."""
    source = str(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(source, [Problem("", f"fichier illisible : {exc.strerror}")]) from exc
    with paused_gc():
        if path.suffix.lower() == ".json":
            return scenario_from_json(content, source)
        return scenario_from_document(_parse_yaml(content, source), source)


def scenario_from_json(content: bytes, source: str = "<json>") -> LoadedScenario:
    try:
        scenario = Scenario.model_validate_json(content)
    except ValidationError as exc:
        raw = _parse_json(content, source)
        raise ScenarioError(source, _problems_from_validation(exc, raw)) from None
    return _build(scenario, source)


def scenario_from_document(document: Any, source: str = "<scénario>") -> LoadedScenario:
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        raise ScenarioError(source, _problems_from_validation(exc, document)) from None
    return _build(scenario, source)


def _parse_json(content: bytes, source: str) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise ScenarioError(source, [Problem("", f"JSON invalide : {exc}")]) from None


def _parse_yaml(content: bytes, source: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(content, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else ""
        raise ScenarioError(source, [Problem(where, f"YAML invalide : {exc}")]) from None
    except ValueError as exc:
        # PyYAML builds dates itself and lets an impossible one (2025-13-01) escape this way.
        problem = Problem("", f"valeur invalide dans le YAML : {exc}")
        raise ScenarioError(source, [problem]) from None


# --- messages --------------------------------------------------------------------------------

_MESSAGES = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu",
    "greater_than_equal": "doit être positif ou nul (≥ {ge})",
    "less_than_equal": "doit être au plus {le}",
    "decimal_max_places": "au plus {decimal_places} décimales",
    "too_short": "ne peut pas être vide",
    "string_too_short": "ne peut pas être vide",
    "string_too_long": "trop long",
    "enum": "valeur inconnue « {input} » (attendu : {expected})",
    "date_from_datetime_parsing": "date invalide « {input} » (attendu : AAAA-MM-JJ)",
    "date_parsing": "date invalide « {input} » (attendu : AAAA-MM-JJ)",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "decimal_parsing": "nombre attendu, reçu « {input} »",
    "decimal_type": "nombre attendu, reçu « {input} »",
    "finite_number": "nombre fini attendu",
    "int_parsing": "entier attendu, reçu « {input} »",
    "int_type": "entier attendu, reçu « {input} »",
    "int_from_float": "entier attendu, reçu « {input} »",
    "bool_parsing": "vrai/faux attendu, reçu « {input} »",
    "bool_type": "vrai/faux attendu, reçu « {input} »",
    "string_type": "texte attendu, reçu « {input} »",
    "list_type": "liste attendue",
    "dict_type": "table attendue",
    "model_type": "objet attendu",
    "value_error": "{error}",
}


def _problems_from_validation(exc: ValidationError, raw: Any) -> list[Problem]:
    problems = []
    seen: set[tuple[str, str]] = set()
    for error in exc.errors(include_url=False):
        location = _location(error["loc"], raw)
        template = _MESSAGES.get(error["type"])
        context = {**error.get("ctx", {}), "input": error.get("input")}
        if "expected" in context:
            context["expected"] = str(context["expected"]).replace(" or ", " ou ")
        message = template.format(**context) if template else error["msg"]
        if (location, message) not in seen:
            seen.add((location, message))
            problems.append(Problem(location, message))
    return problems


def _location(loc: Iterable[Any], raw: Any) -> str:
    """``contracts[12] (C-0013).total``: list positions, with the element's id when it has one."""
    text = ""
    node = raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            text += f"[{part}]"
            node = node[part] if part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id") or node.get("rnsr"), str):
                text += f" ({node.get('id') or node.get('rnsr')})"
        elif isinstance(part, str) and part in {"str", "list[str]"}:
            continue
        elif part == "[key]":
            text += " (clé)"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part, node.get(str(part))) if isinstance(node, dict) else None
    return text


# --- consistency and conversion --------------------------------------------------------------

def _build(scenario: Scenario, source: str) -> LoadedScenario:
    problems = list(_consistency_problems(scenario))
    params: CallParameters | None = None
    try:
        params = load_call_parameters(scenario.call.year)
        if scenario.parameters:
            params = params.with_overrides(scenario.parameters)
    except ParameterError as exc:
        location = "parameters" if scenario.parameters else "call.year"
        problems.append(Problem(location, str(exc)))
    if problems or params is None:
        raise ScenarioError(source, problems)
    return LoadedScenario(_to_call(scenario), params)


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(identifier for identifier, count in Counter(ids).items() if count > 1)


def _consistency_problems(scenario: Scenario) -> Iterable[Problem]:
    """References that point nowhere, duplicate ids, malformed RNSR, impossible invoicing."""
    structures = {structure.id for structure in scenario.structures}
    puis = {pui.id for pui in scenario.puis}
    for section, ids in (("structures", [s.id for s in scenario.structures]),
                         ("puis", [p.id for p in scenario.puis]),
                         ("applications", [a.id for a in scenario.applications]),
                         ("contracts", [c["id"] for c in scenario.contracts])):
        for duplicate in _duplicates(ids):
            yield Problem(section, f"identifiant « {duplicate} » utilisé plusieurs fois")
    for index, structure in enumerate(scenario.structures):
        if structure.legal_form is not None and structure.kind.value != "src":
            yield Problem(f"structures[{index}] ({structure.id}).legal_form",
                          "seul un SRC déclare une forme juridique distincte (FAQ-2.7)")
    for index, pui in enumerate(scenario.puis):
        for field, members in (("founders", pui.founders), ("partners", pui.partners)):
            for member in members:
                if member not in structures:
                    yield Problem(f"puis[{index}] ({pui.id}).{field}",
                                  f"structure inconnue « {member} »")
    declared_units: set[str] = set()
    for index, application in enumerate(scenario.applications):
        yield from _application_problems(index, application, structures, puis)
        declared_units.update(unit.rnsr for unit in application.units)
    yield from _contracts_problems(scenario.contracts, declared_units)


def _application_problems(index: int, application: ApplicationSpec, structures: set[str],
                          puis: set[str]) -> Iterable[Problem]:
    where = f"applications[{index}] ({application.id})"
    if application.coordinator not in structures:
        yield Problem(f"{where}.coordinator", f"structure inconnue « {application.coordinator} »")
    for pui in application.puis:
        if pui not in puis:
            yield Problem(f"{where}.puis", f"PUI inconnu « {pui} »")
    for position, unit in enumerate(application.units):
        unit_where = f"{where}.units[{position}] ({unit.rnsr})"
        if not rnsr_is_well_formed(unit.rnsr):
            yield Problem(f"{unit_where}.rnsr", f"numéro RNSR mal formé « {unit.rnsr} » (neuf "
                          "chiffres dont une année, puis une lettre majuscule ; FAQ-2.18)")
        for tutelle in unit.tutelles:
            if tutelle not in structures:
                yield Problem(f"{unit_where}.tutelles", f"structure inconnue « {tutelle} »")
        if unit.managing_tutelle not in structures:
            yield Problem(f"{unit_where}.managing_tutelle",
                          f"structure inconnue « {unit.managing_tutelle} »")
    for position, signature in enumerate(application.signatures):
        if signature.structure not in structures:
            yield Problem(f"{where}.signatures[{position}].structure",
                          f"structure inconnue « {signature.structure} »")
    if application.former_carnot is not None:
        for rnsr in application.former_carnot.perimeter_2019:
            if not rnsr_is_well_formed(rnsr):
                yield Problem(f"{where}.former_carnot.perimeter_2019",
                              f"numéro RNSR mal formé « {rnsr} » (FAQ-2.18)")


def _contracts_problems(contracts: Sequence[ContractSpec],
                        declared_units: set[str]) -> list[Problem]:
    """Contracts of unknown units, invoiced beyond their total or before their signature.

    One flat loop over every contract of the call, the text built only on failure.
    """
    problems = []
    for index, contract in enumerate(contracts):
        unit, total, signed_on = contract["unit"], contract["total"], contract["signed_on"]
        invoiced = contract.get("invoiced")
        if unit in declared_units and (not invoiced or (
                sum(invoiced.values()) <= total and min(invoiced) >= signed_on.year)):
            continue
        where = f"contracts[{index}] ({contract['id']})"
        if unit not in declared_units:
            problems.append(Problem(f"{where}.unit", f"unité inconnue « {unit} » : aucune "
                                    "candidature ne la déclare"))
        if invoiced and sum(invoiced.values()) > total:
            problems.append(Problem(f"{where}.invoiced", f"{format_euros(sum(invoiced.values()))}"
                                    f" facturés pour un contrat de {format_euros(total)} HT"))
        if invoiced and min(invoiced) < signed_on.year:
            problems.append(Problem(f"{where}.invoiced", f"facturation en {min(invoiced)} avant "
                                    f"la signature ({signed_on.isoformat()})"))
    return problems


def _fte(spec: FteSpec) -> UnitFte:
    return UnitFte(spec.permanent_researchers, spec.research_engineers,
                   spec.research_engineers_do_research)


def _to_call(scenario: Scenario) -> NationalCall:
    structures = {
        spec.id: Structure(spec.id, spec.name, spec.kind, spec.legal_form, spec.siren, spec.region)
        for spec in scenario.structures
    }
    puis = {spec.id: Pui(spec.id, spec.name, frozenset(spec.founders), frozenset(spec.partners),
                         spec.region) for spec in scenario.puis}
    applications = tuple(_to_application(spec) for spec in scenario.applications)
    default = CONTRACT_DEFAULTS
    contracts = tuple(
        Contract(spec["id"], spec["unit"], spec["partner_category"], spec["total"],
                 spec["signed_on"], spec.get("invoiced", default["invoiced"]),
                 spec.get("partner", default["partner"]), spec.get("cifre", default["cifre"]),
                 spec.get("in_theme", default["in_theme"]))
        for spec in scenario.contracts
    )
    return NationalCall(scenario.call.year, structures, puis, applications, contracts)


def _leads(declared: str | list[str]) -> tuple[str, ...]:
    names = [declared] if isinstance(declared, str) else declared
    return tuple(name.strip() for name in names if name.strip())


def _to_application(spec: ApplicationSpec) -> Application:
    units = tuple(
        Unit(
            rnsr=unit.rnsr, tutelles=tuple(unit.tutelles), managing_tutelle=unit.managing_tutelle,
            scientific_leads=_leads(unit.scientific_lead),
            fte_by_year={year: _fte(fte) for year, fte in unit.fte.items()},
            name=unit.name, partial=unit.partial, shared_with=unit.shared_with,
        )
        for unit in spec.units
    )
    former = None
    if spec.former_carnot is not None:
        former = FormerCarnotReference(
            perimeter_2019_fte=dict(spec.former_carnot.perimeter_2019),
            units_by_year={year: frozenset(units)
                           for year, units in spec.former_carnot.units_by_year.items()},
            reference_abondement_cents=spec.former_carnot.reference_abondement,
        )
    return Application(
        id=spec.id, name=spec.name, kind=spec.kind, coordinator=spec.coordinator, units=units,
        puis=tuple(spec.puis), theme=spec.theme,
        alignments=tuple(Alignment(a.kind, a.name) for a in spec.alignments),
        signatures=tuple(Signature(s.structure, s.signatory, s.empowered, s.signed_on)
                         for s in spec.signatures),
        former_carnot=former, reference_fte=spec.reference_fte,
    )
