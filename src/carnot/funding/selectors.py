"""Reads on contract ledgers: which contracts count for the abondement, and the contracts of a
call as the rules package reads them (a fixed number of queries, whatever the size)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from carnot.applications.models import ApplicationUnit
from carnot.funding.models import InvoicedAmount, ResearchContract
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
