"""Shapes of the funding JSON API (django-ninja schemas), area by area.

Amounts are integer cents (``…_cents``), as everywhere in the platform; dates are ISO 8601;
units are named by RNSR, applications by call year and code.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from carnot.applications.schemas import ErrorOut, faq_url
from carnot.funding.selectors import (
    CategoryExplanation,
    ConsortiumLedger,
    LedgerPartner,
    LedgerRow,
    UnitLedger,
)
from carnot.rules.contracts import CATEGORY_LABELS
from carnot.rules.explanation import Explanation
from carnot.rules.money import Cents

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
"""Refusals every funding endpoint may answer (see ``carnot.web.api``)."""


# --- Ledgers ---------------------------------------------------------------------------------


class LedgerQuery(Schema):
    """Which call judges the contracts (default: the latest), which contracts to list."""

    appel: int | None = Field(None, description="Année de l'appel (par défaut : le dernier).")
    contrats: Literal["comptes", "exclus"] | None = Field(
        None, description="Seulement les contrats qui comptent, ou ceux qui sont exclus "
                          "(les totaux portent toujours sur tous).")


class ContractsQuery(Schema):
    """Which contracts to list."""

    contrats: Literal["comptes", "exclus"] | None = Field(
        None, description="Seulement les contrats qui comptent, ou ceux qui sont exclus "
                          "(les totaux portent toujours sur tous).")


class CallQuery(Schema):
    appel: int | None = Field(None, description="Année de l'appel (par défaut : le dernier).")


class YearAmountOut(Schema):
    year: int
    amount_cents: int


class EligibilityOut(Schema):
    """Whether a contract counts for the abondement, the rule that decided (its FAQ entry) and
    why, in French."""

    counts: bool
    rule: str
    faq_url: str
    reason: str
    threshold_cents: int | None


class PartnerOut(Schema):
    """A contract's partner: its identifiers, its last established category and the group
    figures it may be derived from."""

    key: str
    name: str
    siren: str
    siret: str
    foreign_identifier: str
    category: str
    category_label: str
    category_year: int
    headcount: int | None
    turnover_cents: int | None
    balance_sheet_cents: int | None
    category_derived: bool
    category_reason: str


class ContractOut(Schema):
    """A contract of a ledger, with the category of its partner as established for its
    signature, what it invoiced each year, and its eligibility (None without any call)."""

    id: int
    rnsr: str
    reference: str
    partner: PartnerOut
    partner_category: str
    partner_category_label: str
    partner_category_year: int
    total_cents: int
    signed_on: date
    cifre: bool
    in_theme: bool
    invoiced: list[YearAmountOut]
    invoiced_total_cents: int
    eligibility: EligibilityOut | None


class UnitLedgerOut(Schema):
    """A unit's ledger under a call: totals per year over all its contracts (invoiced, and
    what counts), and its contracts (filtered when asked)."""

    rnsr: str
    name: str
    call_year: int | None
    abondement_years: list[int]
    contracts_count: int
    counted_count: int
    invoiced_by_year: list[YearAmountOut]
    counted_by_year: list[YearAmountOut]
    counted_total_cents: int
    contracts: list[ContractOut]


class ConsortiumUnitOut(UnitLedgerOut):
    shared_with: str | None = Field(None, description="Code de l'autre candidature qui partage "
                                                      "l'unité (FAQ-2.22).")


class ApplicationLedgerOut(Schema):
    """A consortium's ledger: its units' ledgers (those the caller may read) and the totals,
    each unit in full."""

    year: int
    code: str
    name: str
    declared_units: int
    abondement_years: list[int]
    units: list[ConsortiumUnitOut]
    invoiced_by_year: list[YearAmountOut]
    counted_by_year: list[YearAmountOut]
    counted_total_cents: int


class CategoryExplanationOut(Schema):
    """Why the partner has its category (FAQ-3.2, décret 2008-1354)."""

    category: str
    category_label: str
    year: int
    derived: bool
    agrees: bool
    message: str
    reasons: list[str]


class ContractDetailOut(ContractOut):
    call_year: int | None
    category_explanation: CategoryExplanationOut


class LedgerImportReportOut(Schema):
    """What an accepted import changed."""

    rows: int
    contracts_created: int
    contracts_updated: int
    contracts_unchanged: int
    partners_created: int
    partners_updated: int
    invoiced_written: int
    invoiced_deleted: int
    changed: bool
    message: str


class LocatedErrorOut(Schema):
    """One refused cell: its row (the header is row 1) and column as the file names them, the
    FAQ rules its message names, and the message in French."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str
    rules: list[str]


class LedgerRejectedOut(ErrorOut):
    """A refused file (nothing written): every error, located."""

    located: list[LocatedErrorOut] = Field(default_factory=list)


def _years(amounts: dict[int, Cents]) -> list[dict[str, int]]:
    return [{"year": year, "amount_cents": cents} for year, cents in sorted(amounts.items())]


def _partner(partner: LedgerPartner) -> dict[str, Any]:
    return {
        "key": partner.key, "name": partner.name, "siren": partner.siren,
        "siret": partner.siret, "foreign_identifier": partner.foreign_identifier,
        "category": partner.category, "category_label": partner.category_label,
        "category_year": partner.category_year, "headcount": partner.headcount,
        "turnover_cents": partner.turnover_cents,
        "balance_sheet_cents": partner.balance_sheet_cents,
        "category_derived": partner.category_derived,
        "category_reason": partner.category_reason}


def contract_out(row: LedgerRow) -> dict[str, Any]:
    contract, eligibility = row.contract, row.eligibility
    return {
        "id": contract.pk, "rnsr": contract.rnsr, "reference": contract.reference,
        "partner": _partner(contract.partner), "partner_category": contract.partner_category,
        "partner_category_label": contract.category_label,
        "partner_category_year": contract.partner_category_year,
        "total_cents": contract.total_cents, "signed_on": contract.signed_on,
        "cifre": contract.cifre, "in_theme": contract.in_theme,
        "invoiced": _years(row.invoiced), "invoiced_total_cents": row.invoiced_total_cents,
        "eligibility": None if eligibility is None else {
            "counts": eligibility.eligible, "rule": eligibility.rule,
            "faq_url": faq_url(eligibility.rule), "reason": eligibility.message,
            "threshold_cents": eligibility.threshold_cents}}


def unit_ledger_out(ledger: UnitLedger, abondement_years: tuple[int, ...]) -> dict[str, Any]:
    return {
        "rnsr": ledger.unit.rnsr, "name": ledger.unit.name,
        "call_year": ledger.call.year if ledger.call is not None else None,
        "abondement_years": list(abondement_years), "contracts_count": ledger.contracts,
        "counted_count": ledger.counted, "invoiced_by_year": _years(ledger.invoiced_by_year),
        "counted_by_year": _years(ledger.counted_by_year),
        "counted_total_cents": ledger.counted_cents,
        "contracts": [contract_out(row) for row in ledger.rows]}


def application_ledger_out(ledger: ConsortiumLedger,
                           abondement_years: tuple[int, ...]) -> dict[str, Any]:
    application = ledger.application
    return {
        "year": application.call.year, "code": application.code, "name": application.name,
        "declared_units": ledger.declared_units, "abondement_years": list(abondement_years),
        "units": [{**unit_ledger_out(item.ledger, abondement_years),
                   "shared_with": (item.declaration.shared_with.code
                                   if item.declaration.shared_with is not None else None)}
                  for item in ledger.units],
        "invoiced_by_year": _years(ledger.invoiced_by_year),
        "counted_by_year": _years(ledger.counted_by_year),
        "counted_total_cents": ledger.counted_cents}


def category_explanation_out(explanation: CategoryExplanation) -> dict[str, Any]:
    return {"category": explanation.category.value,
            "category_label": CATEGORY_LABELS[explanation.category], "year": explanation.year,
            "derived": explanation.derived, "agrees": explanation.agrees,
            "message": explanation.message, "reasons": list(explanation.reasons)}


# --- Allocation: a consortium's explanation, parameters that changed ----------------------


class FigureOut(Schema):
    """A figure behind a verdict or an amount: key, French label, French value."""

    name: str
    label: str
    value: str


class StepOut(Schema):
    """One verdict of the explanation: rule id and its FAQ link, outcome, subject, French
    message and the figures it used."""

    rule: str
    faq_url: str
    status: str
    subject: str
    message: str
    figures: list[FigureOut]


class GuaranteeOut(Schema):
    """The guarantee of a former Carnot 4 (FAQ-3.4 to 3.7): verdict, floor, each condition."""

    applies: bool
    amount_cents: int
    failed_rules: list[str]
    conditions: list[StepOut]


class ParameterReadOut(Schema):
    """A dated parameter of the call read for this consortium, as a person reads it."""

    name: str
    value: str
    source: str
    note: str
    overridden: bool


class ExplanationOut(Schema):
    """Why the consortium got its amount, in French, from the run's stored trace."""

    code: str
    name: str
    kind: str
    admissible: bool
    allocation_cents: int
    summary: list[str]
    violations: list[StepOut]
    warnings: list[StepOut]
    guarantee: GuaranteeOut | None
    steps: list[StepOut]
    allocation_steps: list[StepOut]
    parameters: list[ParameterReadOut]
    figures: list[FigureOut]
    text: str = Field(description="la même explication en texte (carnot evaluate --explain)")


def explanation_out(explanation: Explanation) -> dict[str, Any]:
    """``ExplanationOut`` of an explanation: its JSON form, each step with its FAQ link."""
    found = explanation.as_dict()
    guarantee = found["guarantee"]
    for step in (*found["violations"], *found["warnings"], *found["steps"],
                 *found["allocation_steps"], *(guarantee["conditions"] if guarantee else ())):
        step["faq_url"] = faq_url(step["rule"])
    return found


class LineFiguresOut(Schema):
    """The figures of a consortium's allocation line (``selectors.LINE_FIGURES``): bases
    (FAQ-2.22: shared units in full for the threshold, half for the abondement), guarantee
    (FAQ-3.5 to 3.7), pro-rata share, bonus, amount."""

    admissible: bool
    threshold_revenue_cents: int
    abondement_revenue_cents: int
    guarantee_applies: bool
    guarantee_cents: int
    pro_rata_cents: int
    bonus_cents: int
    allocation_cents: int


class FigureChangeOut(Schema):
    """A figure of a consortium's line that differs: its name, before and after."""

    name: str
    before: Any
    after: Any


class ParameterChangeOut(Schema):
    """A parameter whose value or source differs between two runs (or a simulation)."""

    name: str
    before: Any
    after: Any
    source_before: str | None
    source_after: str | None
