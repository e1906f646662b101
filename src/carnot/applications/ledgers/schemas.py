"""Shapes of the ledgers' JSON API (django-ninja schemas). Amounts are integer cents."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from carnot.applications.ledgers.selectors import ConsortiumLedger
from carnot.applications.schemas import ErrorOut, faq_url
from carnot.ledgers.selectors import CategoryExplanation, LedgerPartner, LedgerRow, UnitLedger
from carnot.rules.contracts import CATEGORY_LABELS
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


