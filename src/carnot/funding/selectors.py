"""Reads on contract ledgers: which contracts count for the abondement, and the contracts of a
call as the rules package reads them (a fixed number of queries, whatever the size)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from carnot.applications.models import Application, ApplicationUnit
from carnot.funding.models import (
    AllocationLine,
    AllocationRun,
    AllocationStatus,
    Expenditure,
    Grant,
    InvoicedAmount,
    LedgerImport,
    ResearchContract,
    SpendingChange,
)
from carnot.registry.models import Call, Unit
from carnot.rules.contracts import (
    CATEGORY_LABELS,
    ContractEligibility,
    contract_eligibility,
)
from carnot.rules.domain import Contract, PartnerCategory
from carnot.rules.evaluation import ConsortiumResult
from carnot.rules.explanation import Explanation, explain_stored_consortium
from carnot.rules.money import Cents, format_euros
from carnot.rules.partners import CategoryVerdict, partner_category_from_figures
from carnot.rules.revenue import revenue_by_unit_and_year
from carnot.rules.spending import spend_by
from carnot.rules.verdicts import count

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
    categories = CATEGORIES  # a national call has 10⁵ contracts: ``amounts[pk]`` makes the
    # empty mapping of a contract without invoiced amounts only when it is missing
    return [(pk, Contract(contract_id(rnsr, reference), rnsr, categories[category], total,
                          signed_on, amounts[pk], partner, cifre, in_theme))
            for (pk, rnsr, reference, partner, category, total, signed_on, cifre, in_theme)
            in contracts]


CONTRACT_COLUMNS = ("pk", "unit__rnsr", "reference", "partner__name", "partner_category",
                    "total_cents", "signed_on", "cifre", "in_theme")


def contract_eligibilities(*, call: Call, unit: Unit | None = None,
                           units: QuerySet[Unit] | None = None,
                           ) -> dict[int, ContractEligibility]:
    """For each contract of the ledgers (or of ``unit``'s, or of ``units``'), by id: whether it
    counts for the abondement under the call's parameters, the rule that decided and why
    (FAQ-2.6, 2.28, 3.1–3.3). Two queries."""
    params = call.parameters()
    contracts = ResearchContract.objects.all()
    invoiced = InvoicedAmount.objects.all()
    if unit is not None:
        contracts = contracts.filter(unit=unit)
        invoiced = invoiced.filter(contract__unit=unit)
    if units is not None:
        contracts = contracts.filter(unit__in=units)
        invoiced = invoiced.filter(contract__unit__in=units)
    rows = _contracts(contracts.order_by("unit__rnsr", "reference").values_list(*CONTRACT_COLUMNS),
                      invoiced.values_list("contract_id", "year", "amount_cents"))
    return {pk: contract_eligibility(contract, params) for pk, contract in rows}


def _fetch_all(rows: QuerySet[Any, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query, fetched by the cursor in one go: on a national
    ledger (hundreds of thousands of rows) the ORM's row-by-row iteration costs half as much
    again as the query itself. Only for columns the database returns as Python wants them
    (numbers, text, dates and booleans, also on SQLite, whose converters Django registers)."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched: list[tuple[Any, ...]] = cursor.fetchall()
    return fetched


def ledger_revision() -> str:
    """A stamp of the contract ledgers that changes whenever they do: every accepted import is
    recorded (``LedgerImport``: how many, and the latest), and contracts or invoiced amounts
    written otherwise (the demo, a script) take new ids. One query, on indexes only: it runs on
    every admissibility panel (``applications.selectors.call_revision``)."""
    quote = connection.ops.quote_name
    imports = quote(LedgerImport._meta.db_table)
    latest = [f"(SELECT MAX({quote('id')}) FROM {quote(model._meta.db_table)})"
              for model in (ResearchContract, InvoicedAmount)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {imports}), (SELECT MAX({quote('at')}) "
                       f"FROM {imports}), {', '.join(latest)}")
        row = cursor.fetchone()
    return ":".join("-" if value is None else str(value) for value in row or ())


def national_contracts(*, call: Call) -> tuple[Contract, ...]:
    """The contracts of every unit declared in the call's applications, as the rules read them
    (for the allocation), ordered by unit and reference. Two queries."""
    units = ApplicationUnit.objects.filter(application__call=call).values("unit_id")
    contracts = (ResearchContract.objects.filter(unit_id__in=units)
                 .order_by("unit__rnsr", "reference").values_list(*CONTRACT_COLUMNS))
    invoiced = InvoicedAmount.objects.filter(contract__unit_id__in=units).values_list(
        "contract_id", "year", "amount_cents")
    return tuple(contract for _, contract in _contracts(_fetch_all(contracts),
                                                        _fetch_all(invoiced)))


def unit_contracts(*, rnsrs: Iterable[str]) -> tuple[Contract, ...]:
    """The contracts of the units ``rnsrs`` as the rules read them, ordered by unit and
    reference (the what-if simulation adds a unit the call may not declare). Two queries."""
    wanted = sorted(set(rnsrs))
    if not wanted:
        return ()
    contracts = (ResearchContract.objects.filter(unit__rnsr__in=wanted)
                 .order_by("unit__rnsr", "reference").values_list(*CONTRACT_COLUMNS))
    invoiced = InvoicedAmount.objects.filter(contract__unit__rnsr__in=wanted).values_list(
        "contract_id", "year", "amount_cents")
    return tuple(contract for _, contract in _contracts(contracts, invoiced))


# --- Ledger pages ----------------------------------------------------------------------------

COUNTED = "counted"
EXCLUDED = "excluded"
"""Filters of a ledger's contracts: those that count for the abondement, those excluded."""


@dataclass(frozen=True, slots=True)
class LedgerPartner:
    """A contract's partner as a ledger shows it (its last established category)."""

    key: str
    name: str
    siren: str
    siret: str
    foreign_identifier: str
    category: str
    category_year: int
    headcount: int | None
    turnover_cents: Cents | None
    balance_sheet_cents: Cents | None
    category_derived: bool
    category_reason: str

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[CATEGORIES[self.category]]


@dataclass(frozen=True, slots=True)
class LedgerContract:
    """A contract as a ledger shows it: plain values read in one query (a ledger may hold tens
    of thousands of contracts), the partner's category as established for the signature."""

    pk: int
    unit_id: int
    rnsr: str
    reference: str
    total_cents: Cents
    signed_on: date
    cifre: bool
    in_theme: bool
    partner_category: str
    partner_category_year: int
    partner: LedgerPartner

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[CATEGORIES[self.partner_category]]


LEDGER_COLUMNS = ("pk", "unit_id", "unit__rnsr", "reference", "total_cents", "signed_on", "cifre",
                  "in_theme", "partner_category", "partner_category_year", "partner__key",
                  "partner__name", "partner__siren", "partner__siret",
                  "partner__foreign_identifier", "partner__category", "partner__category_year",
                  "partner__headcount", "partner__turnover_cents",
                  "partner__balance_sheet_cents", "partner__category_derived",
                  "partner__category_reason")
"""The columns of ``LedgerContract`` then ``LedgerPartner``, in their order."""


@dataclass(frozen=True)
class LedgerRow:
    """One contract of a ledger, what it invoiced each year, and whether it counts for the
    abondement of the chosen call (None: no call to judge by)."""

    contract: LedgerContract
    invoiced: dict[int, Cents]
    eligibility: ContractEligibility | None

    @property
    def counts(self) -> bool:
        return self.eligibility is not None and self.eligibility.eligible

    @property
    def invoiced_total_cents(self) -> Cents:
        return sum(self.invoiced.values())


@dataclass(frozen=True)
class UnitLedger:
    """A unit's ledger under one call: its contracts (``rows``, filtered), and over all its
    contracts the invoiced amounts per year, of every contract and of those that count."""

    unit: Unit
    call: Call | None
    rows: tuple[LedgerRow, ...]
    contracts: int
    counted: int
    years: tuple[int, ...]
    invoiced_by_year: dict[int, Cents]
    counted_by_year: dict[int, Cents]

    @property
    def excluded(self) -> int:
        return self.contracts - self.counted

    @property
    def counted_cents(self) -> Cents:
        return sum(self.counted_by_year.values())

    @property
    def invoiced_cents(self) -> Cents:
        return sum(self.invoiced_by_year.values())


def _sum_by_year(rows: Iterable[LedgerRow], only_counted: bool) -> dict[int, Cents]:
    totals: dict[int, Cents] = defaultdict(int)
    for row in rows:
        if only_counted and not row.counts:
            continue
        for year, cents in row.invoiced.items():
            totals[year] += cents
    return dict(sorted(totals.items()))


def _ledger_contract(values: tuple[Any, ...]) -> LedgerContract:
    (pk, unit_id, rnsr, reference, total_cents, signed_on, cifre, in_theme, category,
     category_year, *partner) = values
    return LedgerContract(pk, unit_id, rnsr, reference, total_cents, signed_on, cifre, in_theme,
                          category, category_year, LedgerPartner(*partner))


def _ledger_rows(contracts: QuerySet[ResearchContract], invoiced: QuerySet[InvoicedAmount],
                 call: Call | None) -> list[LedgerRow]:
    """The contracts as ledger rows, ordered by unit and reference, each judged under ``call``
    exactly as the allocation reads them (``_contracts``). Two queries."""
    found = [_ledger_contract(values) for values in contracts.order_by("unit__rnsr", "reference")
             .values_list(*LEDGER_COLUMNS)]
    domain = dict(_contracts(
        ((c.pk, c.rnsr, c.reference, c.partner.name, c.partner_category, c.total_cents,
          c.signed_on, c.cifre, c.in_theme) for c in found),
        invoiced.order_by("year").values_list("contract_id", "year", "amount_cents")))
    params = call.parameters() if call is not None else None
    return [LedgerRow(contract=contract,
                      invoiced=dict(sorted(domain[contract.pk].invoiced_cents.items())),
                      eligibility=(contract_eligibility(domain[contract.pk], params)
                                   if params is not None else None))
            for contract in found]


def ledger_rows(*, call: Call | None, units: Iterable[Unit]) -> dict[int, list[LedgerRow]]:
    """Every contract of ``units`` by unit id, ordered by reference, each with its invoiced
    amounts and its eligibility under ``call`` (FAQ-2.6, 2.28, 3.1–3.3). Two queries, whatever
    the number of units."""
    unit_ids = [unit.pk for unit in units]
    found: dict[int, list[LedgerRow]] = {unit_id: [] for unit_id in unit_ids}
    for row in _ledger_rows(ResearchContract.objects.filter(unit_id__in=unit_ids),
                            InvoicedAmount.objects.filter(contract__unit_id__in=unit_ids),
                            call):
        found[row.contract.unit_id].append(row)
    return found


def _unit_ledger(unit: Unit, call: Call | None, rows: list[LedgerRow],
                 only: str) -> UnitLedger:
    shown = [row for row in rows
             if not only or (row.counts if only == COUNTED else not row.counts)]
    invoiced_by_year = _sum_by_year(rows, only_counted=False)
    return UnitLedger(unit=unit, call=call, rows=tuple(shown), contracts=len(rows),
                      counted=sum(1 for row in rows if row.counts),
                      years=tuple(invoiced_by_year),
                      invoiced_by_year=invoiced_by_year,
                      counted_by_year=_sum_by_year(rows, only_counted=True))


def unit_ledger(*, unit: Unit, call: Call | None, only: str = "") -> UnitLedger:
    """A unit's ledger under ``call``; ``only`` (``COUNTED``, ``EXCLUDED``) filters the rows
    shown, never the totals. Two queries."""
    return _unit_ledger(unit, call, ledger_rows(call=call, units=[unit])[unit.pk], only)


@dataclass(frozen=True)
class ConsortiumUnitLedger:
    """One unit of a consortium: its declaration (sharing) and its ledger."""

    declaration: ApplicationUnit
    ledger: UnitLedger


@dataclass(frozen=True)
class ConsortiumLedger:
    """The ledgers of a consortium's units (those the reader may read) under its call, and
    their totals per year, each unit in full (as for the threshold, FAQ-2.22)."""

    application: Application
    units: tuple[ConsortiumUnitLedger, ...]
    declared_units: int
    years: tuple[int, ...]
    invoiced_by_year: dict[int, Cents]
    counted_by_year: dict[int, Cents]

    @property
    def counted_cents(self) -> Cents:
        return sum(self.counted_by_year.values())

    @property
    def invoiced_cents(self) -> Cents:
        return sum(self.invoiced_by_year.values())

    @property
    def contracts(self) -> int:
        return sum(unit.ledger.contracts for unit in self.units)

    @property
    def counted(self) -> int:
        return sum(unit.ledger.counted for unit in self.units)

    @property
    def partial(self) -> bool:
        """Some declared units' ledgers are not shown (a unit lead reads only its units)."""
        return len(self.units) < self.declared_units


def consortium_ledger(*, application: Application, units: Iterable[Unit],
                      only: str = "") -> ConsortiumLedger:
    """The ledgers of ``units`` (declared by ``application``) under the application's call,
    grouped by unit (by RNSR), with per-unit and overall totals. Three queries."""
    readable = {unit.pk for unit in units}
    declarations = [declaration for declaration in
                    ApplicationUnit.objects.filter(application=application)
                    .select_related("unit", "shared_with__call").order_by("unit__rnsr")]
    shown = [declaration for declaration in declarations if declaration.unit_id in readable]
    rows = ledger_rows(call=application.call, units=[d.unit for d in shown])
    ledgers = tuple(ConsortiumUnitLedger(declaration, _unit_ledger(
        declaration.unit, application.call, rows[declaration.unit_id], only))
        for declaration in shown)
    invoiced: dict[int, Cents] = defaultdict(int)
    counted: dict[int, Cents] = defaultdict(int)
    for item in ledgers:
        for year, cents in item.ledger.invoiced_by_year.items():
            invoiced[year] += cents
        for year, cents in item.ledger.counted_by_year.items():
            counted[year] += cents
    return ConsortiumLedger(application=application, units=ledgers,
                            declared_units=len(declarations), years=tuple(sorted(invoiced)),
                            invoiced_by_year=dict(sorted(invoiced.items())),
                            counted_by_year=dict(sorted(counted.items())))


def contract_ledger_row(*, contract: ResearchContract, call: Call | None) -> LedgerRow:
    """One contract as a ledger shows it, under ``call``. Two queries."""
    return _ledger_rows(ResearchContract.objects.filter(pk=contract.pk),
                        InvoicedAmount.objects.filter(contract_id=contract.pk), call)[0]


COMPANY_SIZES = frozenset({PartnerCategory.MICRO, PartnerCategory.SME, PartnerCategory.MIDCAP,
                           PartnerCategory.LARGE})


@dataclass(frozen=True)
class CategoryExplanation:
    """Why a partner has its category (FAQ-3.2, décret 2008-1354; open question 8).

    ``verdict`` is the size class the partner's group figures give for the category's year
    (None without figures, or for a partner that is not a company); ``derived`` says the
    category was deduced from them at import (rather than declared); ``agrees`` whether the
    figures give the recorded category."""

    category: PartnerCategory
    year: int
    derived: bool
    verdict: CategoryVerdict | None
    stored_reason: str

    @property
    def agrees(self) -> bool:
        return self.verdict is None or self.verdict.category in (None, self.category)

    @property
    def message(self) -> str:
        """Why, in French: the size class the figures give (« PME en 2025 (FAQ-3.2, …) : … »),
        the reason stored at import, or that the category was declared."""
        if self.verdict is not None:
            return self.verdict.message
        if self.stored_reason:
            return self.stored_reason
        declared = f"Catégorie déclarée : {CATEGORY_LABELS[self.category]} ({self.year})"
        if self.category in COMPANY_SIZES:
            return (f"{declared} ; aucun chiffre du groupe (effectif, chiffre d'affaires, total "
                    "de bilan) ne permet de la vérifier (FAQ-3.2, décret 2008-1354).")
        return f"{declared}."

    @property
    def headline(self) -> str:
        """The verdict without its reasons: « PME en 2025 (FAQ-3.2, décret 2008-1354) »."""
        return self.message.partition(" : ")[0] if self.verdict is not None else self.message

    @property
    def reasons(self) -> tuple[str, ...]:
        """Class by class, why the company is in it or not (empty without figures)."""
        return self.verdict.reasons if self.verdict is not None else ()


def partner_category_explanation(*, contract: ResearchContract) -> CategoryExplanation:
    """Why the contract's partner has its category: recomputed from its group figures
    (headcount, turnover, balance sheet) for the year of its category, with the reason stored
    when the category was derived at import. No query (the partner is loaded)."""
    partner = contract.partner
    category = CATEGORIES[partner.category]
    has_figures = not (partner.headcount is None and partner.turnover_cents is None
                       and partner.balance_sheet_cents is None)
    verdict = None
    if has_figures and category in COMPANY_SIZES:
        verdict = partner_category_from_figures(
            headcount=partner.headcount, turnover_cents=partner.turnover_cents,
            balance_sheet_cents=partner.balance_sheet_cents, year=partner.category_year)
    return CategoryExplanation(category=category, year=partner.category_year,
                               derived=partner.category_derived, verdict=verdict,
                               stored_reason=partner.category_reason)


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


def consortium_has_grants(*, application: Application) -> bool:
    """Whether the consortium (its application's code, across calls) has a ledger of grants."""
    return consortium_grants(application=application).exists()


def vintage_alert(vintage: Vintage) -> str | None:
    """The French warning of a vintage whose money is about to expire or was lost (FAQ-4.1),
    with the amount and the date; None when there is nothing to warn about."""
    if vintage.remaining_cents <= 0:
        return None
    left = format_euros(vintage.remaining_cents)
    if vintage.expired:
        return (f"Abondement {vintage.year} : {left} non dépensés au "
                f"{vintage.deadline:%d/%m/%Y} sont perdus, le délai de cinq ans est passé "
                "(FAQ-4.1).")
    if not vintage.expiring:
        return None
    when = ("aujourd'hui, dernier jour" if vintage.days_left == 0
            else f"dans {count(vintage.days_left, 'jour')}")
    return (f"Abondement {vintage.year} : {left} restent à dépenser au plus tard le "
            f"{vintage.deadline:%d/%m/%Y} ({when}) ; au-delà, ils sont perdus (FAQ-4.1).")


@dataclass(frozen=True)
class ExpenditurePart:
    """The share of an expenditure charged to one vintage."""

    year: int
    amount_cents: Cents


@dataclass(frozen=True)
class ExpenditureEntry:
    """One expenditure as recorded: its parts (one per vintage charged, oldest first) share the
    entry, the date, the category, the description and who recorded it."""

    entry: uuid.UUID
    spent_on: date
    category: str
    category_label: str
    description: str
    recorded_by: str
    recorded_at: datetime
    parts: tuple[ExpenditurePart, ...]

    @property
    def amount_cents(self) -> Cents:
        return sum(part.amount_cents for part in self.parts)


def expenditure_entry(parts: Sequence[Expenditure]) -> ExpenditureEntry:
    """One expenditure from its rows (one per vintage charged, sharing an entry; their grants
    and recorder loaded), its parts oldest vintage first."""
    first = parts[0]
    return ExpenditureEntry(
        entry=first.entry, spent_on=first.spent_on, category=first.category,
        category_label=first.get_category_display(), description=first.description,
        recorded_by=first.recorded_by.get_full_name() or first.recorded_by.username,
        recorded_at=first.recorded_at,
        parts=tuple(ExpenditurePart(part.grant.year, part.amount_cents)
                    for part in sorted(parts, key=lambda part: (part.grant.year, part.pk))))


def expenditure_entries(*, application: Application) -> list[ExpenditureEntry]:
    """The consortium's expenditures (every call of its code), newest first, an expenditure
    split across vintages as one entry with its parts (one query)."""
    rows = (Expenditure.objects.filter(grant__application__code=application.code)
            .select_related("grant", "recorded_by")
            .order_by("-spent_on", "-recorded_at", "-pk"))
    grouped: dict[uuid.UUID, list[Expenditure]] = {}
    for row in rows:
        grouped.setdefault(row.entry, []).append(row)
    return [expenditure_entry(parts) for parts in grouped.values()]


def spending_history(*, application: Application) -> QuerySet[SpendingChange]:
    """Every write on the consortium's grants and expenditures (every call of its code),
    newest first, with who made it."""
    return (SpendingChange.objects.filter(application__code=application.code)
            .select_related("by").order_by("-at", "-pk"))
