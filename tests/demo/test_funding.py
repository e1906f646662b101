"""The demo's funding side: contract ledgers that look like the network's (partners identified
and sized by their figures, contracts invoiced year by year, some excluded each for a visible
reason), every application above the 2,5 M€ threshold, former Carnot 4 guaranteed but one, and a
published 2026 allocation turned into grants with a few expenditures of the demo coordinator.

The demo is built once for the module (it takes a few seconds) and read by every test; a test
that writes does so in its own transaction, rolled back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from carnot.allocation.models import AllocationLine, AllocationRun, AllocationStatus, Grant
from carnot.applications.models import Application, ApplicationUnit
from carnot.applications.selectors import national_contracts, panels_for_call
from carnot.audit.models import AuditEvent
from carnot.demo.accounts import BROKEN, COORDINATOR_APPLICATIONS, DEMO_CALL_YEAR
from carnot.demo.ledger_plan import AT_FLOOR, NOT_GUARANTEED, plan_ledgers
from carnot.demo.national import DemoSummary, build_demo, database_is_empty, demo_reset
from carnot.demo.plan import plan_demo
from carnot.ledgers.models import InvoicedAmount, Partner, ResearchContract
from carnot.ledgers.selectors import contract_eligibilities
from carnot.registry.models import Call, Structure
from carnot.rules.contracts import contract_eligibility
from carnot.rules.domain import PartnerCategory
from carnot.rules.partners import partner_category_from_figures
from carnot.rules.verdicts import Status
from carnot.spending.models import Expenditure
from carnot.spending.selectors import SPENDING_KINDS, ledger_balance, spending_history, vintages

C = PartnerCategory
COMPANIES = {C.MICRO.value, C.SME.value, C.MIDCAP.value, C.LARGE.value}


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def _demo_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoSummary]:
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        summary = build_demo()
        try:
            yield summary
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(_demo_data: DemoSummary, db: None) -> DemoSummary:
    return _demo_data


@pytest.fixture
def call(demo: DemoSummary) -> Call:
    return Call.objects.get(year=DEMO_CALL_YEAR)


@pytest.fixture
def published(call: Call) -> AllocationRun:
    return AllocationRun.objects.get(call=call, status=AllocationStatus.PUBLISHED)


def _consortia(run: AllocationRun) -> dict[str, dict[str, Any]]:
    return {consortium["id"]: consortium for consortium in run.results["consortia"]}


# --- the plan, without a database -----------------------------------------------------------

def test_the_same_seed_plans_the_same_ledgers_and_another_seed_others() -> None:
    units, applications = plan_demo()
    first, again = plan_ledgers(units, applications), plan_ledgers(units, applications)
    assert first.contracts == again.contracts and first.partners == again.partners
    assert first.reference_abondement_cents == again.reference_abondement_cents
    other = plan_ledgers(units, applications, seed=7)
    assert [c.total_cents for c in other.contracts] != [c.total_cents for c in first.contracts]


# --- the ledgers ----------------------------------------------------------------------------

def test_every_declared_unit_and_only_those_have_a_ledger(demo: DemoSummary) -> None:
    declared = set(ApplicationUnit.objects.values_list("unit_id", flat=True))
    with_contracts = set(ResearchContract.objects.values_list("unit_id", flat=True))
    assert with_contracts == declared
    assert demo.funding is not None
    assert demo.funding.contracts == ResearchContract.objects.count() > 15 * len(declared)
    assert demo.funding.invoiced == InvoicedAmount.objects.count()
    assert demo.funding.partners == Partner.objects.count() > 500


def test_partners_are_identified_and_companies_sized_by_their_figures(demo: DemoSummary) -> None:
    """SIREN and SIRET with their Luhn keys, foreign partners by their own identifier; each
    company's class is the one the rules derive from its group figures (décret 2008-1354)."""
    partners = list(Partner.objects.all())
    categories = Counter(partner.category for partner in partners)
    assert all(categories[category] >= 20 for category in (*COMPANIES, "local_authority",
                                                            "other"))
    assert categories["crt_member"] >= 3
    foreign = [partner for partner in partners if partner.foreign_identifier]
    assert len(foreign) >= 20 and all(not partner.siren for partner in foreign)
    assert all(partner.key.startswith("ext:") for partner in foreign)
    for partner in partners:
        if partner.siren:
            assert stdnum_siren.is_valid(partner.siren) and partner.key == partner.siren
        if partner.siret:
            assert stdnum_siret.is_valid(partner.siret) and partner.siret[:9] == partner.siren
        if partner.category in COMPANIES:
            verdict = partner_category_from_figures(
                headcount=partner.headcount, turnover_cents=partner.turnover_cents,
                balance_sheet_cents=partner.balance_sheet_cents, year=partner.category_year)
            assert verdict.category == PartnerCategory(partner.category), partner.name
            assert partner.category_derived and partner.category_reason == verdict.message
        else:
            assert partner.headcount is None and not partner.category_derived
    crt = {structure.siren for structure in Structure.objects.filter(kind="crt")}
    assert {p.siren for p in partners if p.category == "crt_member"} <= crt
    assert all(p.siren.startswith("2") for p in partners if p.category == "local_authority")


def test_contracts_invoice_from_their_signature_and_never_more_than_their_total(
        demo: DemoSummary) -> None:
    invoiced: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for contract, year, cents in InvoicedAmount.objects.values_list("contract_id", "year",
                                                                   "amount_cents"):
        invoiced[contract].append((year, cents))
    grown = 0
    for pk, total, signed_on, category, year, partner in ResearchContract.objects.values_list(
            "pk", "total_cents", "signed_on", "partner_category", "partner_category_year",
            "partner__category"):
        amounts = invoiced[pk]
        assert amounts, "a contract of the ledger invoices in 2023–2026"
        assert all(2023 <= y <= 2026 and y >= signed_on.year and cents > 0
                   for y, cents in amounts)
        assert sum(cents for _, cents in amounts) <= total
        assert year == signed_on.year and signed_on <= date(2026, 9, 30)
        grown += category != partner
    assert grown > 0, "an ETI that was a PME keeps the PME class on its earlier contracts"


def test_some_contracts_do_not_count_each_for_a_visible_reason(call: Call) -> None:
    """FAQ-3.2 (below 15 k€ or 30 k€, exactly at the bound too), FAQ-3.1 (CIFRE), FAQ-3.3 (local
    authority), FAQ-2.6 (a CRT member of the consortium); out-of-theme ones count (FAQ-2.28)."""
    verdicts = list(contract_eligibilities(call=call).values())
    outcomes = Counter((verdict.eligible, verdict.rule) for verdict in verdicts)
    for rule in ("FAQ-3.2", "FAQ-3.1", "FAQ-3.3", "FAQ-2.6"):
        assert outcomes[False, rule] >= 20, rule
    assert outcomes[True, "FAQ-2.28"] >= 100 and outcomes[True, "FAQ-3.1"] >= 100
    excluded = sum(number for (eligible, _), number in outcomes.items() if not eligible)
    assert 0.05 <= excluded / len(verdicts) <= 0.2
    small_midcap = [v for v in verdicts if v.contract.partner_category is C.MIDCAP
                    and not v.eligible and not v.contract.cifre]
    assert small_midcap and all("avec une ETI" in v.message and "ne dépasse pas le seuil de "
                                "30" in v.message for v in small_midcap)
    at_bound = [v for v in verdicts if v.contract.total_cents == v.threshold_cents]
    assert at_bound and not any(v.eligible for v in at_bound)


# --- what the rules make of them ------------------------------------------------------------

def test_every_application_passes_the_threshold_with_the_network_spread_of_revenue(
        call: Call, published: AllocationRun) -> None:
    """FAQ-2.19: above 2,5 M€ of 2025 revenue; from a few M€ to some tens of M€ a consortium,
    about half a billion in all: the 62 M€ envelope is about an eighth of it."""
    lines = list(AllocationLine.objects.filter(run=published))
    assert len(lines) == 40
    broken = {fault.code for fault in BROKEN}
    revenue = [line.threshold_revenue_cents for line in lines]
    assert all(250_000_000 < cents < 6_000_000_000 for cents in revenue)
    assert max(revenue) > 4 * min(revenue)
    assert 30_000_000_000 < sum(line.abondement_revenue_cents for line in lines) < 80_000_000_000
    assert {line.application_code for line in lines if line.admissible} == \
        {line.application_code for line in lines} - broken
    for code, panel in panels_for_call(call=call).items():
        lines = {line.rule: line for line in panel}
        threshold = [verdict for verdict in lines["FAQ-2.19"].verdicts
                     if "recettes_seuil_cents" in verdict.figures]
        assert [verdict.status for verdict in threshold] == [Status.PASSED], code
        # A broken application has no abondement base: it is not admissible.
        assert lines["FAQ-2.22"].status is (Status.NOT_CHECKABLE if code in broken
                                            else Status.PASSED), code


def test_shared_units_count_in_full_for_the_threshold_and_half_for_the_abondement(
        call: Call, published: AllocationRun) -> None:
    consortia = _consortia(published)
    eligible: dict[str, int] = defaultdict(int)
    for contract in national_contracts(call=call):
        if contract_eligibility(contract, call.parameters()).eligible:
            eligible[contract.unit] += contract.invoiced_cents.get(2025, 0)
    holders: dict[str, list[str]] = defaultdict(list)
    for code, rnsr in ApplicationUnit.objects.values_list("application__code", "unit__rnsr"):
        holders[rnsr].append(code)
    shared = [(rnsr, codes) for rnsr, codes in holders.items() if len(codes) == 2
              and all(consortia[code]["admissible"] for code in codes)]
    assert len(shared) >= 10
    for rnsr, codes in shared:
        parts = []
        for code in codes:
            base = next(step for step in consortia[code]["trace"]["steps"]
                        if step["rule"] == "FAQ-2.22")
            parts.append(base["figures"]["parts_cents"][rnsr])
        assert sum(parts) == eligible[rnsr] and abs(parts[0] - parts[1]) <= 1
    full = sum(eligible[rnsr] for rnsr in holders if "terr-lyon" in holders[rnsr])
    assert consortia["terr-lyon"]["threshold_revenue_cents"] == full


def test_former_carnots_keep_their_guarantee_except_the_one_whose_revenue_fell(
        published: AllocationRun) -> None:
    formers = {code: consortium for code, consortium in _consortia(published).items()
               if consortium["kind"] == "former_carnot"}
    assert len(formers) == 6
    for code, consortium in formers.items():
        reasons = {reason["rule"]: reason["status"] for reason in
                   consortium["guarantee"]["reasons"] if reason["rule"] != "FAQ-3.5"}
        assert reasons["FAQ-3.6"] == "passed", code
        assert consortium["guarantee"]["applies"] is (code != NOT_GUARANTEED), code
        assert reasons["FAQ-3.7"] == ("failed" if code == NOT_GUARANTEED else "passed")
    at_floor = formers[AT_FLOOR]
    assert at_floor["allocation_cents"] == at_floor["guarantee"]["amount_cents"] > 0
    assert at_floor["trace"]["figures"]["at_floor"]


# --- the published allocation ---------------------------------------------------------------

def test_the_published_allocation_shares_the_envelope_and_makes_the_grants(
        call: Call, published: AllocationRun, demo: DemoSummary) -> None:
    assert published.number == 1 and published.published_by.username == "ministere"
    assert AllocationRun.objects.filter(call=call).count() == 1
    lines = list(AllocationLine.objects.filter(run=published))
    assert sum(line.allocation_cents for line in lines) == published.envelope_cents == \
        published.allocated_cents == 6_200_000_000
    grants = {grant.application.code: grant for grant in
              Grant.objects.filter(year=DEMO_CALL_YEAR).select_related("application")}
    assert {code: grant.amount_cents for code, grant in grants.items()} == \
        {line.application_code: line.allocation_cents for line in lines
         if line.allocation_cents}
    assert demo.funding is not None and demo.funding.grants == len(grants) == 32


def test_the_demo_coordinator_has_spent_part_of_its_grants(demo: DemoSummary) -> None:
    spent = Expenditure.objects.filter(grant__application__code__in=COORDINATOR_APPLICATIONS)
    assert demo.funding is not None and spent.count() == demo.funding.expenditures >= 4
    assert set(spent.values_list("recorded_by__username", flat=True)) == {"coordinateur"}
    assert len(set(spent.values_list("category", flat=True))) >= 3
    for code in {expenditure.grant.application.code for expenditure in spent}:
        application = Application.objects.get(code=code)
        balance = ledger_balance(application=application)
        assert balance.balanced and 0 < balance.spent_cents < balance.granted_cents
        vintage, = vintages(application=application, today=date(2026, 11, 1))
        assert vintage.deadline == date(2030, 12, 31) and vintage.remaining_cents > 0
        assert any(change.what.startswith("Dépense")
                   for change in spending_history(application=application))


def test_reset_removes_the_ledgers_the_allocation_and_the_grants(demo: DemoSummary) -> None:
    demo_reset()
    assert database_is_empty()
    assert not (Partner.objects.exists() or ResearchContract.objects.exists()
                or AllocationRun.objects.exists() or Grant.objects.exists()
                or Expenditure.objects.exists()
                or AuditEvent.objects.filter(kind__in=SPENDING_KINDS).exists())
