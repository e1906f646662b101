"""Reads on contract ledgers: which contracts count for the abondement, and the contracts of
units as the rules package reads them (a fixed number of queries, whatever the size)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from carnot.ledgers.models import InvoicedAmount, LedgerImport, ResearchContract
from carnot.registry.models import Call, Unit
from carnot.rules.contracts import (
    CATEGORY_LABELS,
    ContractEligibility,
    contract_eligibility,
)
from carnot.rules.domain import Contract, PartnerCategory
from carnot.rules.money import Cents
from carnot.rules.partners import CategoryVerdict, partner_category_from_figures

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


def declared_contracts(*, units: QuerySet[Any, Any]) -> tuple[Contract, ...]:
    """The contracts of the units ``units`` (a query of ``unit_id`` values, e.g. the units a
    call's applications declare) as the rules read them, ordered by unit and reference. Two
    queries, whatever the number of units."""
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
    def reason_shown(self) -> bool:
        """Whether a list of contracts gives the verdict's reason: when the contract does not
        count, or counts although it is out of the consortium's theme (FAQ-2.28) — what a
        reader would not guess from the badge alone."""
        return self.eligibility is not None and (not self.eligibility.eligible
                                                 or not self.eligibility.contract.in_theme)

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


