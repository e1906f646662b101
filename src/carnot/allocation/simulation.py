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

The scenario's types are in ``simulation_scenario``; applying it, in ``simulation_applying``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from carnot.allocation.inputs import allocation_inputs
from carnot.allocation.selectors import LINE_FIGURES, FigureChange, ParameterChange, line_figures
from carnot.allocation.services import allocation_parameters
from carnot.allocation.simulation_applying import (
    Draft,
    apply_changes,
    refused_changes,
    simulation_parameters,
)
from carnot.allocation.simulation_scenario import (
    ChangeRefused,
    Scenario,
)
from carnot.registry.models import Call
from carnot.rules import domain
from carnot.rules.contracts import contract_eligibility
from carnot.rules.evaluation import ConsortiumResult, NationalEvaluation, evaluate_call
from carnot.rules.money import Cents
from carnot.rules.parameters import CallParameters

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


def _contract_effects(draft: Draft, baseline: domain.NationalCall,
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
