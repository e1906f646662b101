"""Reads on contract ledgers: which contracts count for the abondement, and the contracts of a
call as the rules package reads them (a fixed number of queries, whatever the size)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from carnot.applications.models import ApplicationUnit
from carnot.funding.models import AllocationLine, AllocationRun, InvoicedAmount, ResearchContract
from carnot.registry.models import Call, Unit
from carnot.rules.contracts import ContractEligibility, contract_eligibility
from carnot.rules.domain import Contract, PartnerCategory
from carnot.rules.money import Cents

CATEGORIES = {category.value: category for category in PartnerCategory}


def contract_id(rnsr: str, reference: str) -> str:
    """A contract's id in the rules and their messages: the unit's RNSR and the ledger's
    reference (references are unique within a unit only)."""
    return f"{rnsr}/{reference}"


def _contracts(contracts: Iterable[tuple[Any, ...]],
               invoiced: Iterable[tuple[Any, ...]]) -> list[tuple[int, Contract]]:
    """Contracts as rules-domain tuples, with their database ids (two queries)."""
    amounts: dict[int, dict[int, Cents]] = defaultdict(dict)
    for contract_pk, year, cents in invoiced:
        amounts[contract_pk][year] = cents
    found = []
    for (pk, rnsr, reference, partner, category, total, signed_on, cifre,
         in_theme) in contracts:
        signed: date = signed_on
        found.append((pk, Contract(contract_id(rnsr, reference), rnsr, CATEGORIES[category],
                                   total, signed, amounts.get(pk, {}), partner, cifre,
                                   in_theme)))
    return found


CONTRACT_COLUMNS = ("pk", "unit__rnsr", "reference", "partner__name", "partner_category",
                    "total_cents", "signed_on", "cifre", "in_theme")


def contract_eligibilities(*, call: Call, unit: Unit | None = None,
                           ) -> dict[int, ContractEligibility]:
    """For each contract of the ledgers (or of ``unit``'s), by id: whether it counts for the
    abondement under the call's parameters, the rule that decided and why (FAQ-2.6, 2.28,
    3.1–3.3). Two queries."""
    params = call.parameters()
    contracts = ResearchContract.objects.all()
    invoiced = InvoicedAmount.objects.all()
    if unit is not None:
        contracts = contracts.filter(unit=unit)
        invoiced = invoiced.filter(contract__unit=unit)
    rows = _contracts(contracts.order_by("unit__rnsr", "reference").values_list(*CONTRACT_COLUMNS),
                      invoiced.values_list("contract_id", "year", "amount_cents"))
    return {pk: contract_eligibility(contract, params) for pk, contract in rows}


def national_contracts(*, call: Call) -> tuple[Contract, ...]:
    """The contracts of every unit declared in the call's applications, as the rules read them
    (for the allocation), ordered by unit and reference. Two queries."""
    units = ApplicationUnit.objects.filter(application__call=call).values("unit_id")
    contracts = (ResearchContract.objects.filter(unit_id__in=units)
                 .order_by("unit__rnsr", "reference").values_list(*CONTRACT_COLUMNS))
    invoiced = InvoicedAmount.objects.filter(contract__unit_id__in=units).values_list(
        "contract_id", "year", "amount_cents")
    return tuple(contract for _, contract in _contracts(contracts, invoiced))


# --- The yearly allocation -------------------------------------------------------------------

def allocation_runs(*, call: Call) -> QuerySet[AllocationRun]:
    """The allocation runs of ``call``, first to last, with who ran and published them."""
    return (AllocationRun.objects.filter(call=call).select_related("created_by", "published_by")
            .order_by("number"))


LINE_FIGURES = ("admissible", "threshold_revenue_cents", "abondement_revenue_cents",
                "guarantee_applies", "guarantee_cents", "pro_rata_cents", "bonus_cents",
                "allocation_cents")
"""The figures of a line that a comparison reports, in the order of the calculation."""


@dataclass(frozen=True)
class FigureChange:
    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ParameterChange:
    """A parameter whose value or source differs between two runs."""

    name: str
    before: Any
    after: Any
    source_before: str | None
    source_after: str | None


@dataclass(frozen=True)
class RuleChange:
    """A rule whose verdicts on a consortium differ between two runs: the statuses (by subject)
    before and after."""

    rule: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class LineChange:
    """One consortium between two runs: what changed and why.

    ``change`` is ``added``, ``removed``, ``changed`` or ``unchanged``. ``figures`` lists every
    figure that differs (for an added or removed consortium: every figure, the missing side
    ``None``). The why: ``parameters`` that changed and that this consortium's trace read,
    ``inputs_changed`` when the inputs fingerprints differ (applications, units or contracts),
    ``rules`` whose verdicts changed between the two traces.
    """

    application_code: str
    name: str
    change: str
    figures: tuple[FigureChange, ...]
    parameters: tuple[ParameterChange, ...]
    inputs_changed: bool
    rules: tuple[RuleChange, ...]


def parameter_changes(*, before: AllocationRun, after: AllocationRun,
                      ) -> tuple[ParameterChange, ...]:
    """Every parameter whose value or source differs between two runs, by name."""
    old = {entry["name"]: entry for entry in before.parameters}
    new = {entry["name"]: entry for entry in after.parameters}
    changes = []
    for name in sorted(set(old) | set(new)):
        was, now = old.get(name, {}), new.get(name, {})
        if (was.get("value"), was.get("source")) != (now.get("value"), now.get("source")):
            changes.append(ParameterChange(name, was.get("value"), now.get("value"),
                                           was.get("source"), now.get("source")))
    return tuple(changes)


def _consortia(run: AllocationRun) -> dict[str, Mapping[str, Any]]:
    return {consortium["id"]: consortium for consortium in run.results.get("consortia", [])}


def _statuses_by_rule(consortium: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    if consortium is not None:
        trace = consortium.get("trace", {})
        for step in (*trace.get("steps", ()), *trace.get("allocation_steps", ())):
            subject = step.get("subject")
            found[step["rule"]].append(f"{subject} : {step['status']}" if subject
                                       else str(step["status"]))
    return {rule: tuple(sorted(statuses)) for rule, statuses in found.items()}


def _parameters_read(consortium: Mapping[str, Any] | None) -> set[str]:
    if consortium is None:
        return set()
    return {entry["name"] for entry in consortium.get("trace", {}).get("parameters", ())}


def allocation_compare(*, before: AllocationRun, after: AllocationRun) -> list[LineChange]:
    """Compare two runs of a call line by line, by application code: consortia added or removed,
    each figure's old → new value, and why (see ``LineChange``). Three queries."""
    if before.call_id != after.call_id:
        raise ValueError("Deux répartitions ne se comparent que pour un même appel.")
    columns = ("application_code", "name", *LINE_FIGURES)
    old = {line["application_code"]: line
           for line in AllocationLine.objects.filter(run=before).values(*columns)}
    new = {line["application_code"]: line
           for line in AllocationLine.objects.filter(run=after).values(*columns)}
    parameters = parameter_changes(before=before, after=after)
    inputs_changed = before.inputs_fingerprint != after.inputs_fingerprint
    old_results, new_results = _consortia(before), _consortia(after)
    changes = []
    for code in sorted(set(old) | set(new)):
        was, now = old.get(code), new.get(code)
        figures = tuple(FigureChange(name, was[name] if was else None, now[name] if now else None)
                        for name in LINE_FIGURES
                        if was is None or now is None or was[name] != now[name])
        change = ("added" if was is None else "removed" if now is None
                  else "changed" if figures else "unchanged")
        consortium_before, consortium_after = old_results.get(code), new_results.get(code)
        read = _parameters_read(consortium_before) | _parameters_read(consortium_after)
        rules_before = _statuses_by_rule(consortium_before)
        rules_after = _statuses_by_rule(consortium_after)
        rules = tuple(RuleChange(rule, rules_before.get(rule, ()), rules_after.get(rule, ()))
                      for rule in sorted(set(rules_before) | set(rules_after))
                      if rules_before.get(rule, ()) != rules_after.get(rule, ()))
        changes.append(LineChange(
            application_code=code, name=(now or was or {}).get("name", ""), change=change,
            figures=figures,
            parameters=tuple(p for p in parameters if p.name in read),
            inputs_changed=inputs_changed, rules=rules))
    return changes
