"""The demo's funding side written: the planned ledgers with bulk inserts, the 2026 allocation run
published through the services and turned into grants, a few expenditures of the demo
coordinator; and all of it removed with the demo."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db.models import Max

from carnot.allocation.models import AllocationRun, Grant
from carnot.allocation.services import allocation_publish, allocation_run, grants_from_published_run
from carnot.applications.models import Application, ApplicationUnit
from carnot.common.sql import insert_rows
from carnot.demo.ledger_plan import (
    CATEGORY_YEAR,
    FundingSummary,
    LedgerPlan,
)
from carnot.ledgers.models import InvoicedAmount, LedgerImport, Partner, ResearchContract
from carnot.ledgers.services import refresh_ledger_statistics
from carnot.registry.models import Call, Structure, Unit
from carnot.spending.models import Expenditure, ExpenditureCategory
from carnot.spending.services import expenditure_record

if TYPE_CHECKING:
    pass


# --- writing -------------------------------------------------------------------------------------

BATCH = 1000
"""Partners created a statement."""


def write_ledgers(plan: LedgerPlan, *, units: Mapping[str, Unit],
                  structures: Mapping[str, Structure]) -> tuple[int, int, int]:
    """Write partners, contracts and invoiced amounts in bulk; returns how many of each."""
    rows = []
    for partner in plan.partners:
        key, siren, name = partner.key, partner.siren, partner.name
        if partner.crt:
            structure = structures[partner.crt]
            key, siren, name = structure.siren, structure.siren, structure.name
        rows.append(Partner(
            key=key, name=name, siren=siren, siret=partner.siret,
            foreign_identifier=partner.foreign_identifier, category=partner.category.value,
            category_year=CATEGORY_YEAR, headcount=partner.headcount,
            turnover_cents=partner.turnover_cents,
            balance_sheet_cents=partner.balance_sheet_cents,
            category_derived=partner.headcount is not None, category_reason=partner.reason))
    saved = Partner.objects.bulk_create(rows, batch_size=BATCH)
    before = ResearchContract.objects.aggregate(last=Max("pk"))["last"] or 0
    insert_rows(ResearchContract, ("unit_id", "partner_id", "reference", "total_cents",
                                   "signed_on", "cifre", "in_theme", "partner_category",
                                   "partner_category_year"),
            ((units[contract.unit].pk, saved[contract.partner].pk, contract.reference,
              contract.total_cents, contract.signed_on, contract.cifre, contract.in_theme,
              plan.partners[contract.partner].category_for(contract.signed_on.year).value,
              contract.signed_on.year) for contract in plan.contracts))
    rnsr = {unit.pk: rnsr for rnsr, unit in units.items()}
    ids = {(rnsr[unit_id], reference): pk for pk, unit_id, reference in
           ResearchContract.objects.filter(pk__gt=before).values_list("pk", "unit_id",
                                                                      "reference")}
    amounts = [(ids[contract.unit, contract.reference], year, cents)
               for contract in plan.contracts
               for year, cents in sorted(contract.invoiced.items()) if cents]
    insert_rows(InvoicedAmount, ("contract_id", "year", "amount_cents"), amounts)
    refresh_ledger_statistics()
    return len(saved), len(ids), len(amounts)


@dataclass(frozen=True)
class DemoExpenditure:
    spent_on: date
    share: Fraction
    """Of the vintage's grant, rounded down to the hundred euros."""
    category: ExpenditureCategory
    description: str


DEMO_EXPENDITURES = (
    DemoExpenditure(date(2026, 3, 12), Fraction(7, 100), ExpenditureCategory.EQUIPMENT,
                    "Banc d'essais instrumenté pour la plateforme partenariale"),
    DemoExpenditure(date(2026, 5, 28), Fraction(11, 100), ExpenditureCategory.STAFF,
                    "Ingénieure de valorisation (six mois)"),
    DemoExpenditure(date(2026, 6, 30), Fraction(9, 100),
                    ExpenditureCategory.SCIENTIFIC_RESOURCING,
                    "Projet de ressourcement scientifique : preuve de concept avec une PME"),
    DemoExpenditure(date(2026, 9, 15), Fraction(3, 100),
                    ExpenditureCategory.PROFESSIONALISATION,
                    "Formation des chefs de projet à la négociation des contrats de recherche"),
)


def publish_demo_allocation(*, call: Call, officer: User, coordinator: User,
                            coordinator_applications: Collection[str],
                            ) -> tuple[AllocationRun, int, int]:
    """Run the call's allocation as ``officer`` (the envelope of the parameters), publish it,
    make the grants, and record the demo expenditures of ``coordinator``'s applications; returns
    the run, the number of grants and of expenditures recorded."""
    run = allocation_publish(run=allocation_run(call=call, envelope_cents=None, overrides=None,
                                                by=officer), by=officer)
    grants = grants_from_published_run(run=run, by=officer)
    recorded = 0
    mine = [grant for grant in grants if grant.application.code in coordinator_applications]
    for grant in sorted(mine, key=lambda grant: grant.application.code):
        for planned in DEMO_EXPENDITURES[:3 if recorded == 0 else 2]:
            amount = int(planned.share * grant.amount_cents) // 100_00 * 100_00
            if amount <= 0:
                continue
            expenditure_record(application=grant.application, spent_on=planned.spent_on,
                               amount_cents=amount, category=planned.category.value,
                               description=planned.description, by=coordinator, grant=grant)
            recorded += 1
    return run, len(grants), recorded


def summarise(*, plan: LedgerPlan, written: tuple[int, int, int], run: AllocationRun,
              grants: int, expenditures: int) -> FundingSummary:
    partners, contracts, invoiced = written
    return FundingSummary(partners=partners, contracts=contracts, excluded=plan.excluded,
                          invoiced=invoiced, run_number=run.number,
                          envelope_cents=run.envelope_cents,
                          allocated_cents=run.allocated_cents, grants=grants,
                          expenditures=expenditures)


# --- removing it ---------------------------------------------------------------------------------

def remove_demo_funding(*, call_year: int, email_domain: str) -> None:
    """What the demo's funding added to its call and accounts: expenditures, grants,
    allocation runs, ledger imports by demo accounts (before those go; their audit events go
    with the accounts, ``demo_reset``)."""
    applications = Application.objects.filter(call__year=call_year)
    Expenditure.objects.filter(grant__application__in=applications).delete()
    Grant.objects.filter(application__in=applications).delete()
    AllocationRun.objects.filter(call__year=call_year).delete()
    LedgerImport.objects.filter(by__email__endswith=f"@{email_domain}").delete()


def remove_orphan_ledgers() -> None:
    """The ledgers of units that no application declares any more, and partners left without
    a contract (before those units are removed)."""
    declared = ApplicationUnit.objects.values("unit_id")
    ResearchContract.objects.exclude(unit_id__in=declared).delete()
    Partner.objects.filter(contracts=None).delete()
