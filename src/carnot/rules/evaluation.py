"""Evaluate a whole national call: contracts, admissibility, bases, guarantee, allocation.

The order follows the dependencies of the rules: contract eligibility gives each unit's
revenue; admissibility (per application and across applications, with the 2.5 M€ threshold on
the full bases) decides who is eligible; shared units are split among eligible consortia for
the abondement bases; the guarantee gives floors; the allocation shares the envelope.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from carnot.rules.admissibility import check_application
from carnot.rules.allocation import Allocation, Claim, allocate
from carnot.rules.bonus import (
    describe_growth,
    performance_bonus_perimeter_constant,
    performance_bonus_weight,
)
from carnot.rules.contracts import ContractEligibility, contract_eligibilities
from carnot.rules.domain import Application, NationalCall
from carnot.rules.guarantee import GuaranteeResult, guarantee_for
from carnot.rules.money import Cents, format_euros
from carnot.rules.parameters import CallParameters
from carnot.rules.perimeter import perimeter_fte
from carnot.rules.revenue import (
    abondement_base,
    abondement_base_explained,
    abondement_portions,
    revenue_by_unit_and_year,
    revenue_meets_eligibility_threshold,
    threshold_base,
)
from carnot.rules.sharing import check_coexistence, check_shared_units
from carnot.rules.spending import (
    AgreementPeriod,
    agreement_period,
    describe_agreement,
    describe_spending_window,
    spend_by,
)
from carnot.rules.verdicts import STATUS_MARKS, Status, Verdict, count, failures, warning_verdicts

CONTRACT_PARAMETERS = ("partner_categories", "contract_threshold_sme",
                       "contract_threshold_general", "contract_threshold_is_strict")


@dataclass(frozen=True, slots=True)
class ConsortiumResult:
    application: Application
    verdicts: tuple[Verdict, ...]
    threshold_revenue_cents: Cents
    abondement_revenue_cents: Cents
    perimeter_fte: Decimal | None
    guarantee: GuaranteeResult
    bonus_verdicts: tuple[Verdict, ...]
    pro_rata_cents: Cents
    bonus_cents: Cents

    @property
    def id(self) -> str:
        return self.application.id

    @property
    def violations(self) -> list[Verdict]:
        """The failed verdicts: any one makes the application inadmissible."""
        return failures(self.verdicts)

    @property
    def warnings(self) -> list[Verdict]:
        """Data to correct that does not block the application (FAQ-2.18's managing tutelle)."""
        return warning_verdicts(self.verdicts)

    @property
    def admissible(self) -> bool:
        return not self.violations

    @property
    def allocation_cents(self) -> Cents:
        return self.pro_rata_cents + self.bonus_cents


@dataclass(frozen=True, slots=True)
class NationalEvaluation:
    call: NationalCall
    params: CallParameters
    contracts: tuple[ContractEligibility, ...]
    consortia: tuple[ConsortiumResult, ...]
    allocation: Allocation
    agreement: AgreementPeriod

    @property
    def envelope_cents(self) -> Cents:
        return self.allocation.envelope_cents

    @property
    def allocated_cents(self) -> Cents:
        return self.allocation.allocated_cents

    def consortium(self, consortium_id: str) -> ConsortiumResult:
        for result in self.consortia:
            if result.id == consortium_id:
                return result
        raise KeyError(consortium_id)

    def contract(self, contract_id: str) -> ContractEligibility:
        for eligibility in self.contracts:
            if eligibility.contract.id == contract_id:
                return eligibility
        raise KeyError(contract_id)


def admissibility_verdicts(call: NationalCall, params: CallParameters) -> dict[str, list[Verdict]]:
    """Every verdict on the applications that needs no contract revenue: per application and
    across the national set (shared units, coexistence on a territory), by application id."""
    verdicts = {application.id: check_application(application, call, params)
                for application in sorted(call.applications, key=lambda a: a.id)}
    for checks in (check_shared_units(call, params), check_coexistence(call)):
        for application_id, found in checks.items():
            verdicts[application_id].extend(found)
    return verdicts


def evaluate_call(call: NationalCall, params: CallParameters) -> NationalEvaluation:
    """Evaluate every application and contract of ``call`` under ``params``."""
    eligibilities = contract_eligibilities(call.contracts, params)
    eligible_revenue = revenue_by_unit_and_year(eligibilities)
    # All invoiced revenue (eligible or not) only serves the FAQ-3.4 view of former Carnots.
    former_units = {rnsr for application in call.applications if application.former_carnot
                    for rnsr in application.unit_rnsrs()}
    invoiced_revenue = revenue_by_unit_and_year(
        (e for e in eligibilities if e.contract.unit in former_units), only_eligible=False)
    applications = sorted(call.applications, key=lambda application: application.id)

    verdicts = admissibility_verdicts(call, params)
    threshold_years = params.threshold_revenue_years()
    threshold_bases = {application.id: threshold_base(application, eligible_revenue,
                                                      threshold_years)
                       for application in applications}
    for application in applications:
        verdicts[application.id].append(revenue_meets_eligibility_threshold(
            application, threshold_bases[application.id], params))

    admissible = {application.id for application in applications
                  if not any(verdict.failed for verdict in verdicts[application.id])}
    holders = _holders_for_abondement(applications, admissible, params)
    years = params.abondement_revenue_years()
    bases: dict[str, Cents] = {}
    for application in applications:
        if application.id not in admissible:
            bases[application.id] = 0
            continue
        portions = abondement_portions(application, eligible_revenue, years, holders, params)
        bases[application.id] = sum(portions.values())
        verdicts[application.id].append(abondement_base_explained(
            application, portions, eligible_revenue, years, holders))
    previous_years = tuple(year - 1 for year in years)
    guarantees = {application.id: guarantee_for(application, eligible_revenue, invoiced_revenue,
                                                application.id in admissible, params)
                  for application in applications}

    bonus_verdicts: dict[str, tuple[Verdict, ...]] = defaultdict(tuple)
    bonus_weights: dict[str, Fraction] = {}
    if params.performance_bonus_share() > 0:
        for application in applications:
            if application.id not in admissible:
                continue
            previous = abondement_base(application, eligible_revenue, previous_years, holders,
                                       params)
            constant = performance_bonus_perimeter_constant(application, params)
            bonus_verdicts[application.id] = (constant, describe_growth(
                application, bases[application.id], previous))
            if constant.status is Status.PASSED:
                bonus_weights[application.id] = performance_bonus_weight(
                    bases[application.id], previous)

    claims = [Claim(application.id, bases[application.id],
                    guarantees[application.id].amount_cents,
                    bonus_weights.get(application.id, Fraction(0)))
              for application in applications if application.id in admissible]
    allocation = allocate(params.envelope_cents(), claims, params.floor_policy(),
                          params.performance_bonus_share())
    consortia = tuple(
        ConsortiumResult(
            application=application,
            verdicts=tuple(verdicts[application.id]),
            threshold_revenue_cents=threshold_bases[application.id],
            abondement_revenue_cents=bases[application.id],
            perimeter_fte=perimeter_fte(application.units, params.fte_reference_year()),
            guarantee=guarantees[application.id],
            bonus_verdicts=bonus_verdicts[application.id],
            pro_rata_cents=allocation.pro_rata_cents.get(application.id, 0),
            bonus_cents=allocation.bonus_cents.get(application.id, 0),
        )
        for application in applications
    )
    return NationalEvaluation(call, params, eligibilities, consortia, allocation,
                              agreement_period(call.year, params))


def _holders_for_abondement(applications: Iterable[Application], admissible: set[str],
                            params: CallParameters) -> dict[str, list[str]]:
    """FAQ-2.22: the consortia among which each unit's revenue is split for the abondement —
    the eligible ones only, unless the parameter says every declaring application."""
    only_eligible = params.shared_unit_split_among_eligible_only()
    holders: dict[str, list[str]] = defaultdict(list)
    for application in applications:
        if only_eligible and application.id not in admissible:
            continue
        for rnsr in application.unit_rnsrs():
            holders[rnsr].append(application.id)
    return holders


# --- explanations ---------------------------------------------------------------------------

ContractCounts = Mapping[str, Counter[tuple[bool, str]]]
"""For each unit (RNSR), how many of its contracts each rule admitted (True) or excluded."""

SOURCE_LABELS = {"assumption": "hypothèse"}


def contract_counts_by_unit(evaluation: NationalEvaluation) -> dict[str, Counter[tuple[bool, str]]]:
    """One pass over the contracts: per unit, the rules that admitted or excluded them."""
    counts: dict[str, Counter[tuple[bool, str]]] = defaultdict(Counter)
    for eligibility in evaluation.contracts:
        counts[eligibility.contract.unit][eligibility.eligible, eligibility.rule] += 1
    return counts


def consortium_contract_counts(result: ConsortiumResult,
                               by_unit: ContractCounts) -> dict[str, dict[str, int]]:
    """FAQ-2.6, 2.28, 3.1–3.3: how many contracts of the consortium's units each rule admitted or
    excluded — the contracts behind its revenue (a shared unit's in each of its consortia)."""
    total: Counter[tuple[bool, str]] = Counter()
    for rnsr in result.application.unit_rnsrs():
        total.update(by_unit.get(rnsr, {}))
    return _by_outcome(total)


def consortium_trace(result: ConsortiumResult, evaluation: NationalEvaluation,
                     by_unit: ContractCounts | None = None) -> dict[str, Any]:
    """Rule ids, parameters read (with source), steps and figures behind one consortium's result:
    its verdicts, the contract rules behind its revenue, the guarantee, the bonus, the allocation
    and the spending window (FAQ-4.1)."""
    if by_unit is None:
        by_unit = contract_counts_by_unit(evaluation)
    contracts = consortium_contract_counts(result, by_unit)
    guarantee_steps = result.guarantee.verdicts if result.application.former_carnot else ()
    steps = [*result.verdicts, *guarantee_steps, *result.bonus_verdicts]
    allocation_steps = list(evaluation.allocation.steps) if result.admissible else []
    parameters = {name for step in (*steps, *allocation_steps) for name in step.parameters}
    parameters.update(CONTRACT_PARAMETERS)
    parameters.update(("threshold_revenue_years", "abondement_revenue_years",
                       "shared_unit_abondement_share", "shared_unit_split_among_eligible_only",
                       "agreement_duration_years", "spending_window_years"))
    contract_rules = {rule for outcome in contracts.values() for rule in outcome}
    spend = spend_by(evaluation.call.year, evaluation.params) if result.allocation_cents else None
    return {
        "rules": sorted({step.rule for step in (*steps, *allocation_steps)} | contract_rules
                        | {"FAQ-1.1", "FAQ-2.22", "FAQ-4.1"}),
        "parameters": evaluation.params.describe(parameters),
        "steps": [step.as_dict() for step in steps],
        "allocation_steps": [step.as_dict() for step in allocation_steps],
        "contracts_by_rule": contracts,
        "figures": {
            "threshold_revenue_cents": result.threshold_revenue_cents,
            "abondement_revenue_cents": result.abondement_revenue_cents,
            "perimeter_fte": str(result.perimeter_fte) if result.perimeter_fte is not None
            else None,
            "guaranteed_floor_cents": result.guarantee.amount_cents,
            "at_floor": result.id in evaluation.allocation.floored,
            "pro_rata_cents": result.pro_rata_cents,
            "bonus_cents": result.bonus_cents,
            "allocation_cents": result.allocation_cents,
            "spend_by": spend.isoformat() if spend else None,
        },
    }


def contract_rule_counts(evaluation: NationalEvaluation) -> dict[str, dict[str, int]]:
    """How many contracts each rule admitted or excluded, nationally."""
    return _by_outcome(Counter((eligibility.eligible, eligibility.rule)
                               for eligibility in evaluation.contracts))


def _by_outcome(counts: Mapping[tuple[bool, str], int]) -> dict[str, dict[str, int]]:
    outcomes: dict[str, dict[str, int]] = {"eligible": {}, "excluded": {}}
    for (eligible, rule), number in sorted(counts.items(), key=lambda item: item[0][1]):
        outcomes["eligible" if eligible else "excluded"][rule] = number
    return outcomes


def consortium_as_dict(result: ConsortiumResult, evaluation: NationalEvaluation,
                       by_unit: ContractCounts | None = None) -> dict[str, Any]:
    """One consortium for programs: verdict, violations and warnings, bases, guarantee (with its
    reasons), allocation, spending deadline and trace."""
    trace = consortium_trace(result, evaluation, by_unit)
    return {
        "id": result.id,
        "name": result.application.name,
        "kind": result.application.kind.value,
        "admissible": result.admissible,
        "violations": [{"rule": v.rule, "message": v.message} for v in result.violations],
        "warnings": [{"rule": v.rule, "message": v.message} for v in result.warnings],
        "threshold_revenue_cents": result.threshold_revenue_cents,
        "abondement_revenue_cents": result.abondement_revenue_cents,
        "perimeter_fte": trace["figures"]["perimeter_fte"],
        "guarantee": {
            "applies": result.guarantee.applies,
            "reasons": [{"rule": v.rule, "status": v.status.value, "message": v.message}
                        for v in result.guarantee.verdicts],
            "amount_cents": result.guarantee.amount_cents,
        },
        "bonus_cents": result.bonus_cents,
        "allocation_cents": result.allocation_cents,
        "spend_by": trace["figures"]["spend_by"],
        "trace": trace,
    }


def evaluation_as_dict(evaluation: NationalEvaluation, *,
                       with_contracts: bool = True) -> dict[str, Any]:
    """The evaluation for programs: the JSON document of ``carnot evaluate --json``.

    ``with_contracts=False`` leaves out the verdict on each contract (its counts by rule stay in
    the traces): what a stored allocation run keeps of a national call's contracts."""
    by_unit = contract_counts_by_unit(evaluation)
    contracts = []
    for eligibility in evaluation.contracts if with_contracts else ():
        entry: dict[str, Any] = {"id": eligibility.contract.id, "eligible": eligibility.eligible}
        if not eligibility.eligible:
            entry["rule"] = eligibility.rule
        contracts.append(entry)
    agreement = evaluation.agreement
    document = {
        "call_year": evaluation.call.year,
        "envelope_cents": evaluation.envelope_cents,
        "allocated_cents": evaluation.allocated_cents,
        "unallocated_cents": evaluation.envelope_cents - evaluation.allocated_cents,
        "agreement": {"starts_on": agreement.starts_on.isoformat(),
                      "ends_on": agreement.ends_on.isoformat(),
                      "renewable": agreement.renewable, "rule": "FAQ-1.1"},
        "consortia": [consortium_as_dict(result, evaluation, by_unit)
                      for result in evaluation.consortia],
        "contracts": contracts,
        "trace": {
            "rules": sorted({step.rule for step in evaluation.allocation.steps}
                            | {"FAQ-1.1", "FAQ-4.1"}),
            "parameters": evaluation.params.describe(),
            "allocation_steps": [step.as_dict() for step in evaluation.allocation.steps],
            "contracts_by_rule": _by_outcome(sum(by_unit.values(), Counter())),
        },
    }
    if not with_contracts:
        del document["contracts"]
    return document


def explain_consortium(result: ConsortiumResult, evaluation: NationalEvaluation) -> str:
    """The trace of one consortium as plain French text, for a person."""
    trace = consortium_trace(result, evaluation)
    params = evaluation.params
    warned = len(result.warnings)
    violations = count(len(result.violations), "violation")
    admissible = "oui" if result.admissible else f"non ({violations})"
    if warned:
        admissible += f" ({count(warned, 'avertissement')})"
    lines = [f"{result.id} — {result.application.name}", f"Recevable : {admissible}"]
    if result.application.former_carnot is not None:
        guarantee = result.guarantee
        lines.append("Abondement garanti (Carnot 4) : " + (
            format_euros(guarantee.amount_cents) if guarantee.applies else
            "non (" + ", ".join(sorted({v.rule for v in guarantee.verdicts
                                        if v.status is not Status.PASSED})) + ")"))
    lines.append(f"Abondement : {format_euros(result.allocation_cents)}")
    if result.allocation_cents:
        lines.append(describe_agreement(evaluation.agreement, params))
        lines.append(describe_spending_window(evaluation.call.year, params))
    lines.append(f"Contrats des unités : {_describe_contract_counts(trace['contracts_by_rule'])}")
    lines += ["", "Règles appliquées :"]
    for step in (*trace["steps"], *trace["allocation_steps"]):
        lines.append(f"  {STATUS_MARKS[Status(step['status'])]} [{step['rule']}] "
                     f"{step['message']}")
    lines += ["", "Paramètres lus :"]
    for parameter in trace["parameters"]:
        lines.append(f"  {parameter['name']} = {shown_value(parameter['value'], params.year)} "
                     f"(source : {shown_source(parameter)})")
    lines += ["", "Chiffres :"]
    for name, value in trace["figures"].items():
        euros = (f" ({format_euros(value)})" if name.endswith("_cents") and isinstance(value, int)
                 else "")
        lines.append(f"  {name} = {shown_value(value, params.year)}{euros}")
    return "\n".join(lines)


def _describe_contract_counts(counts: Mapping[str, Mapping[str, int]]) -> str:
    eligible, excluded = counts["eligible"], counts["excluded"]
    summary = (f"{count(sum(eligible.values()), 'compté')}, "
               f"{count(sum(excluded.values()), 'écarté')}")
    rules = sorted(set(eligible) | set(excluded))
    if not rules:
        return "aucun"
    detail = " ; ".join(f"{rule} : {count(eligible.get(rule, 0), 'compté')}, "
                        f"{count(excluded.get(rule, 0), 'écarté')}" for rule in rules)
    return f"{summary} ({detail})"


def shown_value(value: Any, call_year: int) -> str:
    """A parameter or figure as a person reads it: switches as oui/non, tables by name."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None:
        return "—"
    if isinstance(value, Mapping):
        return f"table (carnot parameters {call_year})"
    return str(value)


def shown_source(parameter: Mapping[str, Any]) -> str:
    """A parameter's source as a person reads it: « hypothèse » where the FAQ gives no figure,
    « scénario » (with the original source) where the scenario overrides it."""
    if "overridden_from" in parameter:
        original = str(parameter["overridden_from"])
        return f"scénario, surchargé (était {SOURCE_LABELS.get(original, original)})"
    source = str(parameter["source"])
    return SOURCE_LABELS.get(source, source)

