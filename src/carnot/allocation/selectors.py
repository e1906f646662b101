"""Reads of the yearly allocation: runs, their lines and comparisons, published results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from carnot.allocation.models import AllocationLine, AllocationRun, AllocationStatus, Grant
from carnot.applications.models import Application
from carnot.ledgers.selectors import contract_eligibilities
from carnot.registry.models import Call, Unit
from carnot.rules.evaluation import ConsortiumResult
from carnot.rules.explanation import Explanation, explain_stored_consortium
from carnot.rules.money import Cents
from carnot.rules.revenue import revenue_by_unit_and_year

# --- The yearly allocation -------------------------------------------------------------------

def allocation_runs(*, call: Call) -> QuerySet[AllocationRun]:
    """The allocation runs of ``call``, first to last, with who ran and published them."""
    return (AllocationRun.objects.filter(call=call).select_related("created_by", "published_by")
            .order_by("number"))


LINE_FIGURES = ("admissible", "threshold_revenue_cents", "abondement_revenue_cents",
                "guarantee_applies", "guarantee_cents", "pro_rata_cents", "bonus_cents",
                "allocation_cents")
"""The figures of a line that a comparison reports, in the order of the calculation."""


def line_figures(result: ConsortiumResult) -> dict[str, Any]:
    """A consortium's evaluation as the figures of its allocation line (``LINE_FIGURES``):
    what a run stores and what a simulation compares."""
    return {"admissible": result.admissible,
            "threshold_revenue_cents": result.threshold_revenue_cents,
            "abondement_revenue_cents": result.abondement_revenue_cents,
            "guarantee_applies": result.guarantee.applies,
            "guarantee_cents": result.guarantee.amount_cents,
            "pro_rata_cents": result.pro_rata_cents, "bonus_cents": result.bonus_cents,
            "allocation_cents": result.allocation_cents}


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


@dataclass(frozen=True)
class RunLine:
    """A consortium's line of a run with what the run's stored trace adds: why it is not
    admissible (``violations``: rule and message), the guarantee's conditions (``guarantee``:
    rule, status and message, figures included — FAQ-2.19, 3.4–3.7) and whether the envelope
    served it at its guaranteed floor."""

    line: AllocationLine
    violations: tuple[Mapping[str, Any], ...]
    guarantee: tuple[Mapping[str, Any], ...]
    at_floor: bool

    @property
    def failed_rules(self) -> tuple[str, ...]:
        return tuple(sorted({violation["rule"] for violation in self.violations}))


def allocation_lines(*, run: AllocationRun) -> list[RunLine]:
    """Every consortium's line of ``run`` by application code, with its stored verdicts. One
    query (the results are the run's)."""
    stored = _consortia(run)
    found = []
    for line in AllocationLine.objects.filter(run=run).order_by("application_code"):
        consortium = stored.get(line.application_code, {})
        found.append(RunLine(
            line=line, violations=tuple(consortium.get("violations", ())),
            guarantee=tuple(consortium.get("guarantee", {}).get("reasons", ())),
            at_floor=bool(consortium.get("trace", {}).get("figures", {}).get("at_floor"))))
    return found


# --- Published results ----------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedResult:
    """A consortium's result in the published run of its call: the run, the consortium's line,
    and its explanation from what the run stored (verdicts, guarantee with each condition,
    allocation steps, parameters read, figures). ``consortia`` and ``admissible_consortia``
    count the run's lines."""

    application: Application
    run: AllocationRun
    line: AllocationLine
    explanation: Explanation
    consortia: int
    admissible_consortia: int


def _published_lines(application: Application) -> QuerySet[AllocationLine]:
    return AllocationLine.objects.filter(run__call_id=application.call_id,
                                         run__status=AllocationStatus.PUBLISHED,
                                         application_code=application.code)


def has_published_result(*, application: Application) -> bool:
    """Whether the published run of the application's call has a line for it (one query)."""
    return _published_lines(application).exists()


def published_result(*, application: Application) -> PublishedResult | None:
    """The application's result in the published run of its call; None while no run of the
    call is published (or the published run does not list it). Two queries."""
    line = (_published_lines(application)
            .select_related("run__call", "run__published_by").first())
    if line is None:
        return None
    run = line.run
    counts = AllocationLine.objects.filter(run=run).aggregate(
        total=Count("pk"), admissible=Count("pk", filter=Q(admissible=True)))
    return PublishedResult(application=application, run=run, line=line,
                           explanation=explain_stored_consortium(run.results,
                                                                 application.code),
                           consortia=counts["total"], admissible_consortia=counts["admissible"])


@dataclass(frozen=True)
class YearFigures:
    """One year of a consortium's history: its eligible revenue and its abondement."""

    year: int
    eligible_revenue_cents: Cents
    abondement_cents: Cents


def consortium_history(*, application: Application) -> list[YearFigures]:
    """Per year, oldest first: the eligible revenue invoiced by the units the application
    declares, each counted in full (shared units included, as for the eligibility threshold,
    FAQ-2.22), under the contract rules of the application's call (FAQ-2.6, 3.1–3.3); and the
    abondement of the consortium (its code, across calls): the year's grant, or, for a call
    whose published run was not yet turned into grants, the run's line. Four queries."""
    units = Unit.objects.filter(declarations__application=application)
    eligibilities = contract_eligibilities(call=application.call, units=units)
    revenue: dict[int, Cents] = defaultdict(int)
    for per_year in revenue_by_unit_and_year(eligibilities.values()).values():
        for year, cents in per_year.items():
            revenue[year] += cents
    abondement: dict[int, Cents] = defaultdict(int)
    for grant in consortium_grants(application=application):
        abondement[grant.year] += grant.amount_cents
    published = (AllocationLine.objects.filter(application_code=application.code,
                                               run__status=AllocationStatus.PUBLISHED)
                 .values_list("run__call__year", "allocation_cents"))
    for year, cents in published:
        if year not in abondement:
            abondement[year] = cents
    return [YearFigures(year, revenue.get(year, 0), abondement.get(year, 0))
            for year in sorted(set(revenue) | set(abondement))]


def run_distribution(*, run: AllocationRun) -> list[AllocationLine]:
    """The national distribution of a run: every consortium's line, the largest allocation
    first (ties by application code). One query."""
    return list(AllocationLine.objects.filter(run=run)
                .order_by("-allocation_cents", "application_code"))


# --- Grants (each consortium's vintages) ------------------------------------------------------

def consortium_grants(*, application: Application) -> QuerySet[Grant]:
    """The vintages of a consortium's ledger, oldest first.

    A consortium is known by its application's code from one call to the next: its ledger holds
    the grants of every application with that code (one per year, each from its own call's
    allocation)."""
    return (Grant.objects.filter(application__code=application.code)
            .select_related("application__call").order_by("year", "pk"))


def consortium_has_grants(*, application: Application) -> bool:
    """Whether the consortium (its application's code, across calls) has a ledger of grants."""
    return consortium_grants(application=application).exists()


def spent_by_grant(grant_ids: Iterable[int]) -> dict[int, Cents]:
    """What was charged to each grant (one query); grants without expenditure are missing. A
    grant knows its expenditures through their relation to it (``Grant.expenditures``), which
    the spending app declares: publication reads it so as never to lower a vintage below what
    was already spent."""
    rows = (Grant.objects.filter(pk__in=list(grant_ids), expenditures__isnull=False)
            .values("pk").annotate(spent=Sum("expenditures__amount_cents"))
            .values_list("pk", "spent"))
    return {grant_id: int(spent) for grant_id, spent in rows}
