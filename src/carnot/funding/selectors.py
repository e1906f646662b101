"""Reads on contract ledgers: which contracts count for the abondement, and the contracts of a
call as the rules package reads them (a fixed number of queries, whatever the size)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum

from carnot.applications.models import Application, ApplicationUnit
from carnot.funding.models import (
    AllocationLine,
    AllocationRun,
    Expenditure,
    Grant,
    InvoicedAmount,
    ResearchContract,
)
from carnot.registry.models import Call, Unit
from carnot.rules.contracts import ContractEligibility, contract_eligibility
from carnot.rules.domain import Contract, PartnerCategory
from carnot.rules.money import Cents
from carnot.rules.spending import spend_by

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


# --- Five-year spending (FAQ-4.1) ------------------------------------------------------------

EXPIRY_WARNING_DAYS = 180
"""How long before a vintage's deadline the platform warns that money is about to expire.

Assumption (no FAQ figure): six months leave a consortium time to commit and invoice what is
left. A named constant rather than a dated parameter, since it decides no amount; make it a
parameter of the call's YAML if the programme wants to change it from one call to the next."""


def consortium_grants(*, application: Application) -> QuerySet[Grant]:
    """The vintages of a consortium's ledger, oldest first.

    A consortium is known by its application's code from one call to the next: its ledger holds
    the grants of every application with that code (one per year, each from its own call's
    allocation)."""
    return (Grant.objects.filter(application__code=application.code)
            .select_related("application__call").order_by("year", "pk"))


def grant_deadline(grant: Grant) -> date:
    """The last day on which ``grant`` may be spent: 31/12 of N+4 with the parameters of the
    call that granted it (FAQ-4.1)."""
    return spend_by(grant.year, grant.application.call.parameters())


def spent_by_grant(grant_ids: Iterable[int]) -> dict[int, Cents]:
    """What was spent on each grant (one query); grants without expenditure are missing."""
    rows = (Expenditure.objects.filter(grant_id__in=list(grant_ids)).values("grant_id")
            .annotate(spent=Sum("amount_cents")).values_list("grant_id", "spent"))
    return {grant_id: int(spent) for grant_id, spent in rows}


@dataclass(frozen=True)
class Vintage:
    """One year's abondement as the consortium sees it on ``today``."""

    grant_id: int
    year: int
    granted_cents: Cents
    spent_cents: Cents
    remaining_cents: Cents
    deadline: date
    days_left: int
    """Days from today to the deadline (0 on the deadline itself, negative once it passed)."""
    expired: bool
    expiring: bool
    """Money is left and the deadline is within ``EXPIRY_WARNING_DAYS`` days."""


def vintages(*, application: Application, today: date) -> list[Vintage]:
    """Per vintage of the consortium, oldest first: granted, spent, remaining, the deadline
    (FAQ-4.1), the days left and whether money is about to expire (two queries)."""
    grants = list(consortium_grants(application=application))
    spent = spent_by_grant(grant.pk for grant in grants)
    found = []
    for grant in grants:
        deadline = grant_deadline(grant)
        used = spent.get(grant.pk, 0)
        remaining = grant.amount_cents - used
        days_left = (deadline - today).days
        found.append(Vintage(
            grant_id=grant.pk, year=grant.year, granted_cents=grant.amount_cents,
            spent_cents=used, remaining_cents=remaining, deadline=deadline,
            days_left=days_left, expired=days_left < 0,
            expiring=remaining > 0 and 0 <= days_left <= EXPIRY_WARNING_DAYS))
    return found


@dataclass(frozen=True)
class LedgerBalance:
    """A consortium's ledger in total: what was granted is what was spent plus what is left."""

    granted_cents: Cents
    spent_cents: Cents
    remaining_cents: Cents
    overspent_years: tuple[int, ...]
    """Vintages spent beyond their grant (never, when every write goes through the services)."""

    @property
    def balanced(self) -> bool:
        return (self.granted_cents == self.spent_cents + self.remaining_cents
                and not self.overspent_years)


def ledger_balance(*, application: Application) -> LedgerBalance:
    """The consortium's totals, each computed on its own: granted (sum of grants), spent (sum of
    expenditures) and remaining (sum over vintages of granted − spent, none negative)."""
    grants = list(consortium_grants(application=application)
                  .values_list("pk", "year", "amount_cents"))
    granted = sum(amount for _, _, amount in grants)
    spent_total = (Expenditure.objects.filter(grant__application__code=application.code)
                   .aggregate(total=Sum("amount_cents"))["total"]) or 0
    spent = spent_by_grant(pk for pk, _, _ in grants)
    remaining = sum(amount - spent.get(pk, 0) for pk, _, amount in grants)
    return LedgerBalance(
        granted_cents=granted, spent_cents=int(spent_total), remaining_cents=remaining,
        overspent_years=tuple(year for pk, year, amount in grants
                              if spent.get(pk, 0) > amount))
