"""A scenario applied in memory (``simulation``): the call's parameters with its overrides, and its
changes made to the rules-domain values of the national call (frozen dataclasses changed with
``dataclasses.replace``), each refused with its reason when it cannot be applied."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from carnot.allocation.overrides import parameter_value
from carnot.allocation.services import ENVELOPE, allocation_parameters
from carnot.allocation.simulation_scenario import (
    AddContract,
    AddUnit,
    Change,
    ChangeContract,
    RemoveUnit,
    Scenario,
    change_key,
)
from carnot.common.errors import ServiceError
from carnot.ledgers.selectors import unit_contracts
from carnot.registry.models import Call
from carnot.registry.models import Unit as RegistryUnit
from carnot.rules import domain
from carnot.rules.money import Cents
from carnot.rules.parameters import CallParameters, ParameterError

LEAD_TO_NAME = "Responsable scientifique à désigner (simulation)"
ASSUMED_SIGNATORY = "Signature supposée (simulation)"
HYPOTHETICAL_PARTNER = "Partenaire hypothétique (simulation)"

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

class Draft:
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
                  ) -> Draft:
    """The national call with ``changes`` applied in order (reads the directory units the
    changes add, and their contracts when the call does not declare them). Raises
    ``ServiceError`` with every refused change, located."""
    draft = Draft(call, fte_year)
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
