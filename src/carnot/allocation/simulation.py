"""What-if simulation of a call's allocation: the effect of changes on every consortium, with
nothing stored.

``simulate(call=, scenario=, scope=)`` reads the national call and its contracts (the reads of an
allocation run), applies the scenario to these rules-domain values in memory — frozen
dataclasses and named tuples, changed with ``dataclasses.replace`` and ``_replace``: the stored
data is never touched and no query writes — and evaluates the stored state (the baseline) and
the changed one with ``carnot.rules.evaluation.evaluate_call``. For every consortium it returns
both amounts, the difference and the figures that changed (threshold base, abondement base,
guarantee, admissibility…), with the rules that newly fail or no longer fail; on each side the
amounts add up to the envelope to the cent (``allocate``), unless no consortium is eligible.
Both sides are evaluated on each call (no cache): on the demo (40 consortia, 27 600 contracts)
reading the call takes about 1 s, the two evaluations 0,1 to 0,5 s.

A scenario (``Scenario``) is an envelope in cents, parameter overrides (name → value, checked by
``carnot.rules.parameters``; an unknown name is refused) and changes, applied in order:

* ``RemoveUnit`` — withdraw a unit from a consortium; a unit it shared with another consortium
  stays there, whole (its sharing is withdrawn on the other side too, FAQ-2.17, FAQ-2.22);
* ``AddUnit`` — declare a unit of the national directory (RNSR) in a consortium with its research
  FTE. Declared in exactly one other consortium, it becomes shared, on both sides, with the same
  total FTE (FAQ-2.17); its paperwork is assumed done: the other declaration's scientific lead
  (or one « à désigner »), and the signature of any tutelle of the unit that has not signed the
  consortium's commitment document (FAQ-2.18). These assumptions are listed in the result;
* ``ChangeContract`` — a contract known by its id ``RNSR/référence``: total, invoiced amounts by
  year, partner category, in or out of theme, CIFRE;
* ``AddContract`` — a hypothetical contract of a unit declared in the (simulated) call.

Refusals are French and located: ``ServiceError`` (a 422 in the API) keyed ``envelope_cents``,
``parameters.<nom>`` or ``changes[<i>].<champ>`` (``i`` from 0); ``ChangeRefused`` (a 403)
when a coordinator changes the units or contracts of a consortium that is not theirs.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied

from carnot.allocation.inputs import allocation_inputs
from carnot.allocation.overrides import parameter_value
from carnot.allocation.selectors import LINE_FIGURES, FigureChange, ParameterChange, line_figures
from carnot.allocation.services import ENVELOPE, allocation_parameters
from carnot.common.errors import ServiceError
from carnot.ledgers.selectors import unit_contracts
from carnot.registry.models import Call
from carnot.registry.models import Unit as RegistryUnit
from carnot.rules import domain
from carnot.rules.contracts import CATEGORY_LABELS, contract_eligibility
from carnot.rules.domain import PartnerCategory
from carnot.rules.evaluation import ConsortiumResult, NationalEvaluation, evaluate_call
from carnot.rules.money import Cents, format_euros
from carnot.rules.parameters import CallParameters, ParameterError

LEAD_TO_NAME = "Responsable scientifique à désigner (simulation)"
ASSUMED_SIGNATORY = "Signature supposée (simulation)"
HYPOTHETICAL_PARTNER = "Partenaire hypothétique (simulation)"


# --- Changes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RemoveUnit:
    """Withdraw unit ``rnsr`` from consortium ``consortium``."""

    consortium: str
    rnsr: str
    kind: ClassVar[str] = "remove_unit"

    def describe(self) -> str:
        return f"Retirer l'unité {self.rnsr} de {self.consortium}"


@dataclass(frozen=True)
class AddUnit:
    """Declare unit ``rnsr`` (national directory) in ``consortium`` with ``fte`` research FTE
    (permanent researchers, reference year); ``None``: the FTE of its other declaration."""

    consortium: str
    rnsr: str
    fte: Decimal | None = None
    kind: ClassVar[str] = "add_unit"

    def describe(self) -> str:
        fte = f" ({_fte(self.fte)} ETP)" if self.fte is not None else ""
        return f"Ajouter l'unité {self.rnsr} à {self.consortium}{fte}"


@dataclass(frozen=True)
class ChangeContract:
    """Change contract ``contract`` (``RNSR/référence``): each given field replaces the stored
    one; ``invoiced_cents`` replaces the amounts of the years it names only."""

    contract: str
    total_cents: Cents | None = None
    invoiced_cents: Mapping[int, Cents] = field(default_factory=dict)
    partner_category: PartnerCategory | None = None
    in_theme: bool | None = None
    cifre: bool | None = None
    kind: ClassVar[str] = "change_contract"

    @property
    def changes_nothing(self) -> bool:
        return (self.total_cents is None and not self.invoiced_cents
                and self.partner_category is None and self.in_theme is None
                and self.cifre is None)

    def describe(self) -> str:
        parts = []
        if self.total_cents is not None:
            parts.append(f"montant total {format_euros(self.total_cents)}")
        parts += [f"facturé {year} {format_euros(cents)}"
                  for year, cents in sorted(self.invoiced_cents.items())]
        if self.partner_category is not None:
            parts.append(f"partenaire {CATEGORY_LABELS[self.partner_category]}")
        if self.in_theme is not None:
            parts.append("dans la thématique" if self.in_theme else "hors thématique")
        if self.cifre is not None:
            parts.append("CIFRE" if self.cifre else "non CIFRE")
        return f"Modifier le contrat {self.contract} : {', '.join(parts)}"


@dataclass(frozen=True)
class AddContract:
    """A hypothetical contract ``reference`` of unit ``rnsr``."""

    rnsr: str
    reference: str
    partner_category: PartnerCategory
    total_cents: Cents
    signed_on: date
    invoiced_cents: Mapping[int, Cents] = field(default_factory=dict)
    cifre: bool = False
    in_theme: bool = True
    partner: str = ""
    kind: ClassVar[str] = "add_contract"

    @property
    def contract_id(self) -> str:
        return f"{self.rnsr}/{self.reference}"

    def describe(self) -> str:
        invoiced = "".join(f", facturé {year} {format_euros(cents)}"
                           for year, cents in sorted(self.invoiced_cents.items()))
        return (f"Ajouter le contrat hypothétique {self.contract_id} "
                f"({CATEGORY_LABELS[self.partner_category]}, "
                f"{format_euros(self.total_cents)}, signé le {self.signed_on:%d/%m/%Y}"
                f"{invoiced})")


Change = RemoveUnit | AddUnit | ChangeContract | AddContract
CHANGE_KINDS: dict[str, type[Change]] = {
    kind.kind: kind for kind in (RemoveUnit, AddUnit, ChangeContract, AddContract)}


@dataclass(frozen=True)
class Scenario:
    """What to simulate: ``envelope_cents`` (``None``: the parameter's), parameter overrides
    by name, and changes applied in order."""

    envelope_cents: Cents | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()

    @property
    def empty(self) -> bool:
        return self.envelope_cents is None and not self.parameters and not self.changes


class ChangeRefused(PermissionDenied):
    """A coordinator changed the units or contracts of a consortium that is not theirs;
    ``errors`` locates each refused change (``changes[<i>]``)."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(message for messages in self.errors.values()
                                  for message in messages))


def change_key(index: int, name: str = "") -> str:
    """Where a change's error is reported: ``changes[2].rnsr`` (``index`` from 0)."""
    return f"changes[{index}]" + (f".{name}" if name else "")


# --- Parameters ------------------------------------------------------------------------------

def simulation_parameters(*, call: Call, envelope_cents: Cents | None,
                          overrides: Mapping[str, Any]) -> CallParameters:
    """The call's parameters with the scenario's envelope and overrides (each checked alone,
    so that the error names it, then together). Raises ``ServiceError`` located by field."""
    errors: dict[str, list[str]] = {}
    if envelope_cents is not None and envelope_cents < 0:
        errors["envelope_cents"] = ["L'enveloppe ne peut pas être négative."]
    if envelope_cents is not None and ENVELOPE in overrides:
        errors[f"parameters.{ENVELOPE}"] = [
            "L'enveloppe est donnée deux fois (enveloppe et paramètre « envelope ») : n'en "
            "donnez qu'une."]
    params = call.parameters()
    values: dict[str, Any] = {}
    for name, value in overrides.items():
        where = f"parameters.{name}"
        try:
            current = params.entry(name).value
        except ParameterError:
            errors[where] = [f"Paramètre inconnu : « {name} » (paramètres de l'appel "
                             f"{call.year} : {', '.join(params.names())})."]
            continue
        try:
            values[name] = parameter_value(current, value)
            params.with_overrides({name: values[name]})
        except (ParameterError, ValueError, TypeError, KeyError) as exc:
            errors[where] = [f"Paramètre « {name} » : valeur refusée ({exc})."]
    if errors:
        raise ServiceError(errors)
    try:
        return allocation_parameters(call=call, envelope_cents=envelope_cents,
                                     overrides=values)
    except ServiceError as exc:
        raise ServiceError({"parameters": exc.messages}) from exc


# --- Applying the changes --------------------------------------------------------------------

def _fte(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


class _Draft:
    """The national call being changed: applications by code (their order kept) and contracts
    by id. Every change replaces frozen values; nothing here reads or writes the database."""

    def __init__(self, call: domain.NationalCall, fte_year: int) -> None:
        self.call = call
        self.fte_year = fte_year
        self.applications = {application.id: application for application in call.applications}
        self.contracts = {contract.id: contract for contract in call.contracts}
        self.assumptions: list[str] = []
        self.touched_contracts: list[str] = []

    def result(self) -> domain.NationalCall:
        return dataclasses.replace(self.call, applications=tuple(self.applications.values()),
                                   contracts=tuple(self.contracts.values()))

    def holders(self, rnsr: str) -> list[domain.Application]:
        return [application for application in self.applications.values()
                if rnsr in application.unit_rnsrs()]

    def _replace_unit(self, application: domain.Application, rnsr: str,
                      **changes: Any) -> None:
        self.applications[application.id] = dataclasses.replace(application, units=tuple(
            dataclasses.replace(unit, **changes) if unit.rnsr == rnsr else unit
            for unit in application.units))

    def remove_unit(self, change: RemoveUnit, index: int) -> dict[str, list[str]]:
        application = self.applications.get(change.consortium)
        if application is None:
            return {change_key(index, "consortium"): [
                f"Aucune candidature « {change.consortium} » dans l'appel {self.call.year}."]}
        if change.rnsr not in application.unit_rnsrs():
            return {change_key(index, "rnsr"): [
                f"L'unité {change.rnsr} n'est pas déclarée dans {application.id} : rien à "
                "retirer."]}
        self.applications[application.id] = dataclasses.replace(application, units=tuple(
            unit for unit in application.units if unit.rnsr != change.rnsr))
        for other in self.holders(change.rnsr):
            unit = next(unit for unit in other.units if unit.rnsr == change.rnsr)
            if unit.shared_with == application.id:
                self._replace_unit(other, change.rnsr, shared_with=None)
                self.assumptions.append(
                    f"L'unité {change.rnsr} reste dans {other.id}, entière : son partage avec "
                    f"{application.id} est retiré des deux côtés (FAQ-2.17, FAQ-2.22).")
        return {}

    def add_unit(self, change: AddUnit, index: int,
                 directory: Mapping[str, RegistryUnit]) -> dict[str, list[str]]:
        application = self.applications.get(change.consortium)
        if application is None:
            return {change_key(index, "consortium"): [
                f"Aucune candidature « {change.consortium} » dans l'appel {self.call.year}."]}
        found = directory.get(change.rnsr)
        if found is None:
            return {change_key(index, "rnsr"): [
                f"Unité {change.rnsr} inconnue du répertoire national des structures de "
                "recherche (RNSR) : seule une unité du répertoire peut être ajoutée."]}
        if change.rnsr in application.unit_rnsrs():
            return {change_key(index, "rnsr"): [
                f"L'unité {change.rnsr} est déjà déclarée dans {application.id}."]}
        others = self.holders(change.rnsr)
        declared = [next(unit for unit in other.units if unit.rnsr == change.rnsr)
                    for other in others]
        if change.fte is not None:
            fte = domain.UnitFte(change.fte)
        elif declared and self.fte_year in declared[0].fte_by_year:
            fte = declared[0].fte_by_year[self.fte_year]
        else:
            return {change_key(index, "fte"): [
                f"ETP de recherche {self.fte_year} de l'unité {change.rnsr} requis : elle "
                "n'est déclarée dans aucune autre candidature de l'appel (FAQ-2.13)."]}
        leads = declared[0].scientific_leads if declared else ()
        if len(leads) != 1:
            leads = (LEAD_TO_NAME,)
            self.assumptions.append(f"Unité {change.rnsr} : un responsable scientifique est "
                                    "supposé désigné (FAQ-2.18).")
        shared_with = None
        if len(others) == 1:
            other, other_unit = others[0], declared[0]
            shared_with = other.id
            self._replace_unit(other, change.rnsr, shared_with=application.id,
                               fte_by_year={**other_unit.fte_by_year, self.fte_year: fte})
            self.assumptions.append(
                f"L'unité {change.rnsr} devient partagée entre {application.id} et {other.id}, "
                f"déclarée des deux côtés avec le même total d'ETP (FAQ-2.17) ; son chiffre "
                f"d'affaires compte en entier pour le seuil et pour moitié dans l'abondement de "
                f"chacun (FAQ-2.22).")
        tutelles = tuple(sorted(tutelle.code for tutelle in found.tutelles.all()))
        unit = domain.Unit(rnsr=found.rnsr, tutelles=tutelles,
                           managing_tutelle=found.managing_tutelle.code, scientific_leads=leads,
                           fte_by_year={self.fte_year: fte}, name=found.name,
                           shared_with=shared_with)
        signed = {signature.structure for signature in application.signatures
                  if signature.empowered and signature.signatory}
        missing = [code for code in tutelles if code not in signed]
        signatures = application.signatures + tuple(
            domain.Signature(code, ASSUMED_SIGNATORY, True) for code in missing)
        if missing:
            self.assumptions.append(
                f"{application.id} : signature du document d'engagement supposée obtenue de "
                f"{', '.join(missing)}, tutelle(s) de l'unité {change.rnsr} (FAQ-2.18).")
        self.applications[application.id] = dataclasses.replace(
            application, units=(*application.units, unit), signatures=signatures)
        return {}

    def change_contract(self, change: ChangeContract, index: int) -> dict[str, list[str]]:
        contract = self.contracts.get(change.contract)
        if contract is None:
            return {change_key(index, "contract"): [
                f"Contrat « {change.contract} » introuvable parmi les contrats des unités de "
                "l'appel (identifiant : RNSR/référence)."]}
        if change.changes_nothing:
            return {change_key(index): [f"Contrat {change.contract} : aucune modification "
                                        "donnée."]}
        updates: dict[str, Any] = {"invoiced_cents": {**contract.invoiced_cents,
                                                      **change.invoiced_cents}}
        for name in ("total_cents", "partner_category", "in_theme", "cifre"):
            if getattr(change, name) is not None:
                updates[name] = getattr(change, name)
        self.contracts[contract.id] = contract._replace(**updates)
        self.touched_contracts.append(contract.id)
        return {}

    def add_contract(self, change: AddContract, index: int) -> dict[str, list[str]]:
        if not self.holders(change.rnsr):
            return {change_key(index, "rnsr"): [
                f"L'unité {change.rnsr} n'est déclarée par aucun consortium de l'appel "
                f"{self.call.year} : ajoutez-la d'abord à un consortium."]}
        if change.contract_id in self.contracts:
            return {change_key(index, "reference"): [
                f"Le contrat {change.contract_id} existe déjà : modifiez-le, ou choisissez une "
                "autre référence."]}
        self.contracts[change.contract_id] = domain.Contract(
            id=change.contract_id, unit=change.rnsr, partner_category=change.partner_category,
            total_cents=change.total_cents, signed_on=change.signed_on,
            invoiced_cents=dict(change.invoiced_cents),
            partner=change.partner or HYPOTHETICAL_PARTNER, cifre=change.cifre,
            in_theme=change.in_theme)
        self.touched_contracts.append(change.contract_id)
        return {}


def _directory(changes: tuple[Change, ...]) -> dict[str, RegistryUnit]:
    """The units of the national directory that the changes add (one query, plus tutelles)."""
    rnsrs = {change.rnsr for change in changes if isinstance(change, AddUnit)}
    if not rnsrs:
        return {}
    units = (RegistryUnit.objects.filter(rnsr__in=rnsrs).select_related("managing_tutelle")
             .prefetch_related("tutelles"))
    return {unit.rnsr: unit for unit in units}


def _contract_unit(contract_id: str) -> str:
    return contract_id.split("/", 1)[0]


def refused_changes(scenario: Scenario, call: domain.NationalCall,
                    scope: frozenset[str] | None) -> dict[str, list[str]]:
    """The changes a coordinator may not make (``scope``: their consortia; ``None``: any):
    the units of their own consortia, and the contracts of the units those consortia declare in
    the call as stored — not of a unit the scenario adds to them: its ledger is not theirs to
    read, and a contract's effect (category, amounts, rule) or whether a reference exists would
    reveal it. Checked before anything is looked up, so that nothing is revealed about other
    consortia's ledgers."""
    if scope is None:
        return {}
    own_units = {unit.rnsr for application in call.applications if application.id in scope
                 for unit in application.units}
    named = ", ".join(sorted(scope)) or "aucun"
    refused: dict[str, list[str]] = {}
    for index, change in enumerate(scenario.changes):
        if isinstance(change, RemoveUnit | AddUnit):
            if change.consortium not in scope:
                refused[change_key(index)] = [
                    f"Changement n° {index + 1} refusé : {change.consortium} n'est pas l'un de "
                    f"vos consortiums ({named}) ; vous ne changez que leurs unités."]
        else:
            rnsr = (change.rnsr if isinstance(change, AddContract)
                    else _contract_unit(change.contract))
            if rnsr not in own_units:
                refused[change_key(index)] = [
                    f"Changement n° {index + 1} refusé : l'unité {rnsr} n'est déclarée dans "
                    f"aucun de vos consortiums ({named}) ; vous ne changez que les contrats "
                    "des unités qu'ils déclarent (le registre d'une unité que la simulation "
                    "leur ajoute ne vous est pas ouvert)."]
    return refused


def apply_changes(call: domain.NationalCall, changes: tuple[Change, ...], fte_year: int,
                  ) -> _Draft:
    """The national call with ``changes`` applied in order (reads the directory units the
    changes add, and their contracts when the call does not declare them). Raises
    ``ServiceError`` with every refused change, located."""
    draft = _Draft(call, fte_year)
    directory = _directory(changes)
    declared = {rnsr for application in call.applications for rnsr in application.unit_rnsrs()}
    for contract in unit_contracts(rnsrs=set(directory) - declared):
        draft.contracts.setdefault(contract.id, contract)
    errors: dict[str, list[str]] = {}
    for index, change in enumerate(changes):
        if isinstance(change, RemoveUnit):
            errors.update(draft.remove_unit(change, index))
        elif isinstance(change, AddUnit):
            errors.update(draft.add_unit(change, index, directory))
        elif isinstance(change, ChangeContract):
            errors.update(draft.change_contract(change, index))
        else:
            errors.update(draft.add_contract(change, index))
    if errors:
        raise ServiceError(errors)
    return draft


# --- Results ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """One consortium's figures on one side of the simulation (those of an allocation line)."""

    admissible: bool
    threshold_revenue_cents: Cents
    abondement_revenue_cents: Cents
    guarantee_applies: bool
    guarantee_cents: Cents
    pro_rata_cents: Cents
    bonus_cents: Cents
    allocation_cents: Cents

    @classmethod
    def of(cls, result: ConsortiumResult) -> Figures:
        return cls(**line_figures(result))


@dataclass(frozen=True)
class RuleNote:
    """A rule that fails on one side only: its id and the French message of the failing side."""

    rule: str
    message: str


@dataclass(frozen=True)
class ConsortiumOutcome:
    """One consortium in the simulation: baseline and simulated figures, what changed, and the
    rules that newly fail (``new_failures``) or no longer fail (``resolved_failures``)."""

    code: str
    name: str
    kind: str
    baseline: Figures
    simulated: Figures
    changes: tuple[FigureChange, ...]
    new_failures: tuple[RuleNote, ...]
    resolved_failures: tuple[RuleNote, ...]

    @property
    def difference_cents(self) -> Cents:
        return self.simulated.allocation_cents - self.baseline.allocation_cents

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.new_failures or self.resolved_failures)


@dataclass(frozen=True)
class ContractEffect:
    """A contract the scenario changed or added: whether it counts, before and after, and why
    (``None`` before: a hypothetical contract)."""

    contract: str
    counted_before: bool | None
    rule_before: str | None
    counted_after: bool
    rule_after: str
    reason_after: str


@dataclass(frozen=True)
class SimulationResult:
    """Every consortium's outcome, the largest change first; totals on both sides."""

    year: int
    baseline_envelope_cents: Cents
    baseline_allocated_cents: Cents
    simulated_envelope_cents: Cents
    simulated_allocated_cents: Cents
    consortia: tuple[ConsortiumOutcome, ...]
    parameters: tuple[ParameterChange, ...]
    changes: tuple[str, ...]
    """Each change of the scenario, in French, in the order applied."""
    assumptions: tuple[str, ...]
    contracts: tuple[ContractEffect, ...]
    read_seconds: float
    evaluate_seconds: float

    @property
    def baseline_total_cents(self) -> Cents:
        return sum(outcome.baseline.allocation_cents for outcome in self.consortia)

    @property
    def simulated_total_cents(self) -> Cents:
        return sum(outcome.simulated.allocation_cents for outcome in self.consortia)

    @property
    def difference_cents(self) -> Cents:
        return self.simulated_total_cents - self.baseline_total_cents

    @property
    def baseline_unallocated_cents(self) -> Cents:
        return self.baseline_envelope_cents - self.baseline_allocated_cents

    @property
    def simulated_unallocated_cents(self) -> Cents:
        return self.simulated_envelope_cents - self.simulated_allocated_cents


def _failures(result: ConsortiumResult) -> dict[tuple[str, str], str]:
    return {(verdict.rule, verdict.subject): verdict.message for verdict in result.violations}


def _outcome(before: ConsortiumResult, after: ConsortiumResult) -> ConsortiumOutcome:
    baseline, simulated = Figures.of(before), Figures.of(after)
    failed_before, failed_after = _failures(before), _failures(after)
    return ConsortiumOutcome(
        code=after.id, name=after.application.name, kind=after.application.kind.value,
        baseline=baseline, simulated=simulated,
        changes=tuple(FigureChange(name, getattr(baseline, name), getattr(simulated, name))
                      for name in LINE_FIGURES
                      if getattr(baseline, name) != getattr(simulated, name)),
        new_failures=tuple(RuleNote(key[0], message) for key, message in failed_after.items()
                           if key not in failed_before),
        resolved_failures=tuple(RuleNote(key[0], message)
                                for key, message in failed_before.items()
                                if key not in failed_after))


def _parameter_changes(before: CallParameters, after: CallParameters,
                       ) -> tuple[ParameterChange, ...]:
    old = {entry["name"]: entry for entry in before.describe()}
    new = {entry["name"]: entry for entry in after.describe()}
    return tuple(ParameterChange(name, old[name]["value"], new[name]["value"],
                                 old[name]["source"], new[name]["source"])
                 for name in sorted(new)
                 if (old[name]["value"], old[name]["source"])
                 != (new[name]["value"], new[name]["source"]))


def _contract_effects(draft: _Draft, baseline: domain.NationalCall,
                      before: CallParameters, after: CallParameters,
                      ) -> tuple[ContractEffect, ...]:
    stored = {contract.id: contract for contract in baseline.contracts}
    effects = []
    for contract_id in dict.fromkeys(draft.touched_contracts):
        old = stored.get(contract_id)
        was = contract_eligibility(old, before) if old is not None else None
        now = contract_eligibility(draft.contracts[contract_id], after)
        effects.append(ContractEffect(
            contract=contract_id, counted_before=was.eligible if was else None,
            rule_before=was.rule if was else None, counted_after=now.eligible,
            rule_after=now.rule, reason_after=now.message))
    return tuple(effects)


def _outcomes(before: NationalEvaluation, after: NationalEvaluation,
              ) -> tuple[ConsortiumOutcome, ...]:
    simulated = {result.id: result for result in after.consortia}
    outcomes = [_outcome(result, simulated[result.id]) for result in before.consortia]
    return tuple(sorted(outcomes, key=lambda o: (-abs(o.difference_cents), o.code)))


def simulate(*, call: Call, scenario: Scenario,
             scope: frozenset[str] | None = None) -> SimulationResult:
    """Simulate ``scenario`` on ``call`` (see the module's docstring); reads only.

    ``scope``: the consortia whose units and contracts may be changed (a coordinator's, from
    ``carnot.allocation.permissions.simulation_scope``); ``None``: any. Raises ``ServiceError``
    (located) for a refused envelope, parameter or change, ``ChangeRefused`` for a change
    outside ``scope``."""
    params_after = simulation_parameters(call=call, envelope_cents=scenario.envelope_cents,
                                         overrides=scenario.parameters)
    params_before = allocation_parameters(call=call)
    started = time.perf_counter()
    baseline = allocation_inputs(call=call)
    refused = refused_changes(scenario, baseline, scope)
    if refused:
        raise ChangeRefused(refused)
    draft = apply_changes(baseline, scenario.changes, params_after.fte_reference_year())
    changed = draft.result()
    read = time.perf_counter()
    before = evaluate_call(baseline, params_before)
    after = evaluate_call(changed, params_after) if not scenario.empty else before
    evaluated = time.perf_counter()
    return SimulationResult(
        year=call.year,
        baseline_envelope_cents=before.envelope_cents,
        baseline_allocated_cents=before.allocated_cents,
        simulated_envelope_cents=after.envelope_cents,
        simulated_allocated_cents=after.allocated_cents,
        consortia=_outcomes(before, after),
        parameters=_parameter_changes(params_before, params_after),
        changes=tuple(change.describe() for change in scenario.changes),
        assumptions=tuple(dict.fromkeys(draft.assumptions)),
        contracts=_contract_effects(draft, baseline, params_before, params_after),
        read_seconds=read - started, evaluate_seconds=evaluated - read)
