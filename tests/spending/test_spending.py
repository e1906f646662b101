"""Five-year spending (issue 4, FAQ-4.1): each year's grant is a vintage spendable from N to N+4;
expenditures are charged oldest vintage first, refused after a vintage's deadline or beyond what
is left; the ledger always balances; every write is in the history.

The world, figures by hand: consortium « terr-alsace » has a 2026 grant of 1 000,00 € (100 000 c,
from the published 2026 run) and a 2027 grant of 500,00 € (50 000 c, from the published 2027
run, to the application of the same code in the 2027 call). With the dated parameter
spending_window_years = 5, the 2026 grant is spendable until 31/12/2030 and the 2027 grant until
31/12/2031.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnot.accounts.models import Role
from carnot.allocation.models import AllocationLine, AllocationRun, AllocationStatus, Grant
from carnot.allocation.services import allocation_publish, grants_from_published_run
from carnot.applications.models import Application
from carnot.audit.models import AuditEvent
from carnot.common.errors import ServiceError
from carnot.registry.models import Call
from carnot.rules.spending import spend_by
from carnot.spending.models import Expenditure, ExpenditureCategory
from carnot.spending.selectors import (
    EXPIRY_WARNING_DAYS,
    ledger_balance,
    spending_history,
    vintages,
)
from carnot.spending.services import expenditure_record
from tests.web.factories import make_application, make_call, make_structure, make_user

pytestmark = pytest.mark.django_db

STAFF = ExpenditureCategory.STAFF.value
EQUIPMENT = ExpenditureCategory.EQUIPMENT.value


@dataclass
class World:
    call_2026: Call
    call_2027: Call
    officer: User
    coordinator: User
    terr: Application
    terr_2027: Application
    other: Application


def _run(call: Call, officer: User, allocations: dict[str, int], *, number: int = 1,
         published: bool = True) -> AllocationRun:
    """A run of ``call`` with one line per consortium (figures other than the allocation are
    irrelevant here)."""
    total = sum(allocations.values())
    run = AllocationRun.objects.create(
        call=call, number=number, envelope_cents=total, parameters=[], inputs_fingerprint="0" * 64,
        results={}, allocated_cents=total, created_by=officer)
    for code, cents in allocations.items():
        AllocationLine.objects.create(
            run=run, application_code=code, name=code, kind="territorial", admissible=True,
            threshold_revenue_cents=0, abondement_revenue_cents=0, guarantee_applies=False,
            guarantee_cents=0, pro_rata_cents=cents, bonus_cents=0, allocation_cents=cents)
    if published:
        AllocationRun.objects.filter(pk=run.pk).update(
            status=AllocationStatus.PUBLISHED, published_at=timezone.now(), published_by=officer)
        run.refresh_from_db()
    return run


@pytest.fixture
def world() -> World:
    call_2026, call_2027 = make_call(2026), make_call(2027)
    officer = make_user(Role.PROGRAMME_OFFICER, "charge")
    coordinator = make_user(Role.COORDINATOR, "coordo")
    someone_else = make_user(Role.COORDINATOR, "autre")
    unistra, uca = make_structure("unistra"), make_structure("uca")
    terr = make_application(call_2026, coordinator, "terr-alsace", "territorial", unistra)
    other = make_application(call_2026, someone_else, "terr-auvergne", "territorial", uca)
    terr_2027 = make_application(call_2027, coordinator, "terr-alsace", "territorial", unistra)
    grants_from_published_run(
        run=_run(call_2026, officer, {"terr-alsace": 100_000, "terr-auvergne": 70_000}),
        by=officer)
    grants_from_published_run(run=_run(call_2027, officer, {"terr-alsace": 50_000}), by=officer)
    return World(call_2026, call_2027, officer, coordinator, terr, terr_2027, other)


def _spend(world: World, spent_on: date, cents: int, *, grant: Grant | None = None,
           by: User | None = None, application: Application | None = None) -> list[Expenditure]:
    return expenditure_record(application=application or world.terr, spent_on=spent_on,
                              amount_cents=cents, category=STAFF, description="Post-doctorat",
                              by=by or world.coordinator, grant=grant)


def _left(world: World, today: date = date(2027, 6, 1)) -> dict[int, int]:
    return {v.year: v.remaining_cents for v in vintages(application=world.terr, today=today)}


# --- Vintages and deadlines -----------------------------------------------------------------

def test_the_2026_grant_is_spendable_until_31_december_2030(world: World) -> None:
    assert spend_by(2026, world.call_2026.parameters()) == date(2030, 12, 31)
    rows = vintages(application=world.terr, today=date(2027, 6, 1))

    assert [(v.year, v.granted_cents, v.spent_cents, v.remaining_cents, v.deadline)
            for v in rows] == [(2026, 100_000, 0, 100_000, date(2030, 12, 31)),
                               (2027, 50_000, 0, 50_000, date(2031, 12, 31))]
    assert rows[0].days_left == (date(2030, 12, 31) - date(2027, 6, 1)).days
    assert not any(v.expiring or v.expired for v in rows)


def test_an_expenditure_after_the_deadline_of_its_vintage_is_refused(world: World) -> None:
    """Done means: an expenditure refused after its deadline (31/12/2030 for the 2026 grant)."""
    _spend(world, date(2030, 12, 31), 1_000, grant=world.terr.grants.get(year=2026))

    with pytest.raises(ServiceError) as refused:
        _spend(world, date(2031, 1, 2), 1_000, grant=world.terr.grants.get(year=2026))

    message = " ".join(refused.value.messages)
    assert "abondement 2026" in message and "31/12/2030" in message
    assert "990,00 €" in message and "02/01/2031" in message and "FAQ-4.1" in message
    assert Expenditure.objects.count() == 1


def test_without_an_open_vintage_the_expenditure_is_refused_naming_the_closed_one(
        world: World) -> None:
    Grant.objects.filter(year=2027).delete()

    with pytest.raises(ServiceError) as refused:
        _spend(world, date(2031, 1, 2), 1_000)

    message = " ".join(refused.value.messages)
    assert "abondement 2026 (utilisable jusqu'au 31/12/2030, reste 1\u202f000,00 €)" in message
    assert not Expenditure.objects.exists()


def test_after_2030_the_oldest_open_vintage_is_2027(world: World) -> None:
    parts = _spend(world, date(2031, 1, 2), 1_000)

    assert [(part.grant.year, part.amount_cents) for part in parts] == [(2027, 1_000)]


def test_an_expenditure_before_its_vintage_year_is_refused(world: World) -> None:
    with pytest.raises(ServiceError, match="du 01/01/2027 au 31/12/2031"):
        _spend(world, date(2026, 12, 31), 1_000, grant=world.terr_2027.grants.get())


# --- Oldest vintage first -------------------------------------------------------------------

def test_expenditures_go_to_the_oldest_vintage_first_and_split_to_the_cent(
        world: World) -> None:
    _spend(world, date(2027, 3, 1), 99_999)

    parts = _spend(world, date(2027, 4, 1), 2_345)

    assert [(part.grant.year, part.amount_cents) for part in parts] == [(2026, 1),
                                                                        (2027, 2_344)]
    assert len({part.entry for part in parts}) == 1
    assert _left(world) == {2026: 0, 2027: 47_656}


def test_a_chosen_vintage_is_charged_even_when_an_older_one_has_money_left(
        world: World) -> None:
    parts = _spend(world, date(2027, 3, 1), 20_000, grant=world.terr_2027.grants.get())

    assert [(part.grant.year, part.amount_cents) for part in parts] == [(2027, 20_000)]
    assert _left(world) == {2026: 100_000, 2027: 30_000}


def test_an_expenditure_beyond_what_is_left_is_refused_naming_each_vintage(
        world: World) -> None:
    _spend(world, date(2027, 3, 1), 100_000)

    with pytest.raises(ServiceError) as refused:
        _spend(world, date(2027, 4, 1), 50_001)

    message = " ".join(refused.value.messages)
    assert "il ne reste que 500,00 €" in message
    assert "abondement 2027 (utilisable jusqu'au 31/12/2031, reste 500,00 €)" in message
    assert message.endswith("(FAQ-4.1).")  # the rule, as every refusal names it
    assert _left(world) == {2026: 0, 2027: 50_000}


def test_a_chosen_vintage_cannot_be_overspent(world: World) -> None:
    with pytest.raises(ServiceError, match="il ne reste que 500,00 €"):
        _spend(world, date(2027, 3, 1), 50_001, grant=world.terr_2027.grants.get())


def test_zero_or_negative_amounts_and_unknown_categories_are_refused(world: World) -> None:
    for cents in (0, -1):
        with pytest.raises(ServiceError, match="doit être positif"):
            _spend(world, date(2027, 3, 1), cents)
    with pytest.raises(ServiceError, match="Catégorie de dépense inconnue"):
        expenditure_record(application=world.terr, spent_on=date(2027, 3, 1), amount_cents=1,
                           category="voyage", description="", by=world.coordinator)
    grant = world.terr.grants.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Expenditure.objects.create(grant=grant, spent_on=date(2027, 3, 1), amount_cents=0,
                                   category=STAFF, recorded_by=world.coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(amount_cents=-1)


def test_another_consortium_s_vintage_cannot_be_chosen(world: World) -> None:
    with pytest.raises(ServiceError, match="n'est pas celui du consortium terr-alsace"):
        _spend(world, date(2027, 3, 1), 1_000, grant=world.other.grants.get())


# --- Who may spend --------------------------------------------------------------------------

def test_only_the_consortium_s_coordinators_and_administrators_record_expenditures(
        world: World) -> None:
    stranger = make_user(Role.COORDINATOR, "etranger")
    for user in (stranger, world.officer):
        with pytest.raises(ServiceError, match="Seuls les coordinateurs du consortium"):
            _spend(world, date(2027, 3, 1), 1_000, by=user)
    admin = make_user(Role.ADMINISTRATOR, "admin")

    _spend(world, date(2027, 3, 1), 1_000, by=admin)

    assert Expenditure.objects.get().recorded_by == admin


# --- Warnings, balance, history -------------------------------------------------------------

def test_money_about_to_expire_is_flagged_within_the_warning_window(world: World) -> None:
    deadline = date(2030, 12, 31)
    before = date.fromordinal(deadline.toordinal() - EXPIRY_WARNING_DAYS - 1)
    within = date.fromordinal(deadline.toordinal() - EXPIRY_WARNING_DAYS)

    assert not vintages(application=world.terr, today=before)[0].expiring
    warned = vintages(application=world.terr, today=within)[0]
    assert warned.expiring and warned.days_left == EXPIRY_WARNING_DAYS
    after = vintages(application=world.terr, today=date(2031, 1, 1))[0]
    assert after.expired and not after.expiring and after.days_left == -1
    _spend(world, date(2030, 1, 1), 100_000)
    assert not vintages(application=world.terr, today=within)[0].expiring


def test_every_write_is_in_the_history_with_who_and_when(world: World) -> None:
    grants = [c for c in spending_history(application=world.terr) if c.what == "Abondement 2026"]
    assert [(c.by, c.old, c.new) for c in grants] == [
        (world.officer, "", "1\u202f000,00 € (répartition n° 1)")]
    _spend(world, date(2027, 3, 1), 99_999)

    _spend(world, date(2027, 4, 1), 2_345)

    spending = [c for c in spending_history(application=world.terr)
                if c.what.startswith("Dépense du 01/04/2027")]
    assert sorted((c.what, c.by, c.old, c.new) for c in spending) == [
        ("Dépense du 01/04/2027 sur l'abondement 2026", world.coordinator, "0,01 € restants",
         "0,01 € (personnel) ; 0,00 € restants"),
        ("Dépense du 01/04/2027 sur l'abondement 2027", world.coordinator, "500,00 € restants",
         "23,44 € (personnel) ; 476,56 € restants")]
    assert all(c.at is not None for c in spending)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=-10, max_value=60_000),
                          st.sampled_from([None, 2026, 2027]),
                          st.dates(min_value=date(2025, 6, 1), max_value=date(2032, 6, 1))),
                max_size=12))
def test_the_ledger_always_balances(world: World,
                                    expenditures: list[tuple[int, int | None, date]]) -> None:
    with transaction.atomic():
        granted = ledger_balance(application=world.terr).granted_cents
        accepted = 0
        for cents, year, spent_on in expenditures:
            grant = Grant.objects.get(application__code="terr-alsace", year=year) if year else None
            try:
                parts = _spend(world, spent_on, cents, grant=grant)
            except ServiceError:
                continue
            assert sum(part.amount_cents for part in parts) == cents
            accepted += cents

        balance = ledger_balance(application=world.terr)
        assert balance.balanced and balance.granted_cents == granted == 150_000
        assert balance.spent_cents == accepted
        assert balance.remaining_cents == granted - accepted
        rows = vintages(application=world.terr, today=date(2027, 1, 1))
        assert sum(v.remaining_cents for v in rows) == balance.remaining_cents
        assert all(v.remaining_cents >= 0 for v in rows)
        transaction.set_rollback(True)


# --- Grants from the published allocation ---------------------------------------------------

def test_grants_come_from_a_published_run_only_and_making_them_again_changes_nothing(
        world: World) -> None:
    draft = _run(world.call_2026, world.officer, {"terr-alsace": 1}, number=2, published=False)
    with pytest.raises(ServiceError, match="seule la répartition publiée"):
        grants_from_published_run(run=draft, by=world.officer)
    with pytest.raises(ServiceError, match="chargés de programme"):
        grants_from_published_run(run=AllocationRun.objects.get(call=world.call_2026,
                                                                number=1),
                                  by=world.coordinator)
    changes = AuditEvent.objects.count()

    again = grants_from_published_run(
        run=AllocationRun.objects.get(call=world.call_2026, number=1), by=world.officer)

    assert [(g.application.code, g.year, g.amount_cents) for g in again] == [
        ("terr-alsace", 2026, 100_000), ("terr-auvergne", 2026, 70_000)]
    assert Grant.objects.count() == 3 and AuditEvent.objects.count() == changes
    assert all(g.source is not None and g.source.run.number == 1 for g in again)


def test_a_superseding_run_updates_grants_unless_more_was_already_spent(
        world: World) -> None:
    _spend(world, date(2027, 3, 1), 80_000)
    lower = _run(world.call_2026, world.officer,
                 {"terr-alsace": 79_999, "terr-auvergne": 90_001}, number=2, published=False)
    allocation_publish(run=lower, by=world.officer, supersede=True)

    with pytest.raises(ServiceError) as refused:
        grants_from_published_run(run=lower, by=world.officer)

    assert "terr-alsace : 800,00 € déjà dépensés sur l'abondement 2026" in str(refused.value)
    assert sorted(Grant.objects.filter(year=2026).values_list("amount_cents", flat=True)) == [
        70_000, 100_000]
    enough = _run(world.call_2026, world.officer,
                  {"terr-alsace": 80_000, "terr-auvergne": 90_001}, number=3, published=False)
    allocation_publish(run=enough, by=world.officer, supersede=True)

    grants_from_published_run(run=enough, by=world.officer)

    assert _left(world) == {2026: 0, 2027: 50_000}
    assert world.other.grants.get().amount_cents == 90_001
    (superseded,) = [c for c in spending_history(application=world.terr)
                     if c.what == "Abondement 2026" and c.old == "1\u202f000,00 €"]
    assert superseded.new.startswith("800,00 €")
    with pytest.raises(ServiceError, match="« Remplacée »"):
        grants_from_published_run(run=lower, by=world.officer)
