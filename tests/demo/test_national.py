"""The demo dataset: deterministic, of the size of a national call, with exactly the faults it
announces, and a clean application that the demo coordinator can submit as it is."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from carnot.accounts.models import Role
from carnot.accounts.permissions import role_of
from carnot.allocation.models import AllocationLine
from carnot.applications.models import Application, ApplicationUnit, FormerCarnotReference
from carnot.applications.selectors import (
    applications_visible_to,
    blocking_failures,
    panels_for_call,
)
from carnot.applications.services import application_transition
from carnot.applications.workflow import Status
from carnot.demo.accounts import (
    BROKEN,
    CLEAN_APPLICATION,
    DEMO_ACCOUNTS,
    DEMO_CALL_YEAR,
    DEMO_PASSWORD,
)
from carnot.demo.national import (
    DemoSummary,
    build_demo,
    database_is_empty,
    demo_is_loaded,
    demo_reset,
)
from carnot.demo.plan import plan_demo
from carnot.ledgers.models import ResearchContract
from carnot.registry.models import Call, Pui, Unit
from carnot.rules.admissibility import rnsr_is_well_formed
from carnot.rules.verdicts import Status as VerdictStatus

ONE_SIDED = "terr-rennes"
"""The application that leaves a shared unit undeclared on its side, on purpose (FAQ-2.17)."""


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def _demo_data(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoSummary]:
    """One demo for the module (it takes a few seconds to build); each test runs in its own
    transaction on top of it, rolled back."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        summary = build_demo()
        try:
            yield summary
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(_demo_data: DemoSummary, db: None) -> DemoSummary:
    return _demo_data


def snapshot() -> dict[str, Any]:
    """What the demo wrote, independently of primary keys."""
    declarations = defaultdict(list)
    for code, rnsr, fte, shared in ApplicationUnit.objects.values_list(
            "application__code", "unit__rnsr", "permanent_researchers_fte", "shared_with__code"):
        declarations[code].append((rnsr, fte, shared))
    return {
        "units": sorted(Unit.objects.values_list("rnsr", "name", "managing_tutelle__code")),
        "applications": sorted(
            (a.code, a.kind, a.status, a.coordinator.code, sorted(declarations[a.code]))
            for a in Application.objects.select_related("coordinator")),
        "contracts": sorted(ResearchContract.objects.values_list(
            "unit__rnsr", "reference", "partner__key", "total_cents", "signed_on")),
        "allocation": sorted(AllocationLine.objects.values_list(
            "run__number", "application_code", "allocation_cents")),
    }


# --- the plan, without a database ---------------------------------------------------------------

def test_the_same_seed_plans_the_same_dataset_and_another_seed_another() -> None:
    units, applications = plan_demo(seed=2026)
    again_units, again_applications = plan_demo(seed=2026)
    assert [u.rnsr for u in units] == [u.rnsr for u in again_units]
    assert [(a.code, [d.unit.rnsr for d in a.declarations]) for a in applications] == \
        [(a.code, [d.unit.rnsr for d in a.declarations]) for a in again_applications]
    other_units, _ = plan_demo(seed=7)
    assert [u.rnsr for u in units] != [u.rnsr for u in other_units]


def test_scale_repeats_applications_and_units_with_suffixed_codes() -> None:
    units, applications = plan_demo(scale=2)
    single_units, single_applications = plan_demo()
    assert len(applications) == 2 * len(single_applications)
    assert 1.9 * len(single_units) <= len(units) <= 2.1 * len(single_units)
    assert len({u.rnsr for u in units}) == len(units)
    codes = {a.code for a in applications}
    assert len(codes) == len(applications)
    assert {"terr-clermont", "terr-clermont-2", "them-ia-2", "c4-brgm-2"} <= codes


# --- the dataset in the database ----------------------------------------------------------------

def test_the_dataset_has_the_size_of_a_national_call(demo: DemoSummary) -> None:
    call = Call.objects.get(year=DEMO_CALL_YEAR)
    assert call.status == "open" and call.deadline > timezone.now()
    assert Pui.objects.count() == 25
    kinds = Counter(Application.objects.values_list("kind", flat=True))
    assert kinds == {"territorial": 20, "thematic": 14, "former_carnot": 6}
    assert 950 <= Unit.objects.count() <= 1050
    assert FormerCarnotReference.objects.count() == 6
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert statuses[Status.DRAFT] >= 20 and statuses[Status.SUBMITTED] >= 5
    assert statuses[Status.ADMISSIBLE] >= 1 and statuses[Status.SELECTED] >= 1
    tutelles = set(Unit.tutelles.through.objects.values_list("structure__code", flat=True))
    assert {"cnrs", "inserm", "inrae", "cea", "inria", "ifpen", "brgm", "onera", "ifremer",
            "imt", "cetim", "gip-genopole", "irt-railenium"} <= tutelles
    assert demo.application_count == 40 and demo.units == Unit.objects.count()


def test_every_rnsr_is_well_formed_with_a_year_from_1970_to_2024(demo: DemoSummary) -> None:
    rnsrs = list(Unit.objects.values_list("rnsr", flat=True))
    assert all(rnsr_is_well_formed(rnsr) for rnsr in rnsrs)
    assert all(1970 <= int(rnsr[:4]) <= 2024 for rnsr in rnsrs)


def test_a_few_percent_of_units_are_shared_and_declared_on_both_sides(
        demo: DemoSummary) -> None:
    holders: dict[str, list[tuple[str, str, str | None, Decimal | None]]] = defaultdict(list)
    for rnsr, code, kind, shared, fte in ApplicationUnit.objects.values_list(
            "unit__rnsr", "application__code", "application__kind", "shared_with__code",
            "permanent_researchers_fte"):
        holders[rnsr].append((code, kind, shared, fte))
    shared = {rnsr: held for rnsr, held in holders.items() if len(held) > 1}
    assert all(len(held) == 2 for held in shared.values())
    assert 0.02 <= len(shared) / Unit.objects.count() <= 0.05
    one_sided = []
    for rnsr, ((code_a, _, shared_a, _), (code_b, _, shared_b, _)) in shared.items():
        if (shared_a, shared_b) != (code_b, code_a):
            one_sided.append((rnsr, code_a if shared_a is None else code_b))
    assert [code for _, code in one_sided] == [ONE_SIDED]
    kinds = Counter(tuple(sorted(kind for _, kind, _, _ in held)) for held in shared.values())
    assert kinds[("territorial", "thematic")] >= len(shared) - 1  # and one pair of thematics


def test_the_panels_show_each_fault_and_nothing_else(demo: DemoSummary) -> None:
    panels = panels_for_call(call=Call.objects.get(year=DEMO_CALL_YEAR))
    failed = {code: {v.rule for v in blocking_failures(panel)} for code, panel in panels.items()}
    for fault in BROKEN:
        assert fault.rule in failed[fault.code], (fault, failed[fault.code])
    assert {code for code, rules in failed.items() if rules} == {f.code for f in BROKEN}
    assert {f.rule for f in BROKEN} >= {"FAQ-2.21", "FAQ-2.18", "FAQ-2.3", "FAQ-2.10",
                                        "FAQ-2.17", "FAQ-2.27"}
    assert failed[CLEAN_APPLICATION] == set()
    for code, rules in failed.items():
        if Application.objects.get(code=code).status != Status.DRAFT:
            assert rules == set(), f"{code} was submitted with failures"
    # The revenue rules are computed from the demo's ledgers: nothing left « not checkable ».
    assert not any(line.status is VerdictStatus.NOT_CHECKABLE and line.rule == "FAQ-2.19"
                   for panel in panels.values() for line in panel)


def test_the_demo_coordinator_can_submit_the_clean_application(demo: DemoSummary) -> None:
    coordinator = User.objects.get(username="coordinateur")
    mine = set(applications_visible_to(user=coordinator).values_list("code", flat=True))
    assert mine == {CLEAN_APPLICATION, "terr-montpellier", "them-agro"}
    application = Application.objects.get(code=CLEAN_APPLICATION)
    assert application.status == Status.DRAFT
    application_transition(application=application, target=Status.SUBMITTED, by=coordinator)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_every_role_has_a_demo_account_with_the_printed_password(demo: DemoSummary) -> None:
    roles = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        roles[role_of(user)] = account.username
    assert set(roles) == set(Role)
    assert User.objects.get(username="admin").is_superuser
    lead = User.objects.get(username="responsable")
    assert lead.led_units.count() == 3
    assert set(applications_visible_to(user=lead).values_list("code", flat=True)) >= \
        {CLEAN_APPLICATION}


def test_reset_removes_the_demo_and_a_rebuild_gives_the_same_data(demo: DemoSummary) -> None:
    first = snapshot()
    demo_reset()
    assert database_is_empty() and not demo_is_loaded()
    assert not User.objects.exists()
    build_demo()
    assert snapshot() == first
