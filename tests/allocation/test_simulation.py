"""The what-if simulation (issue 4): changes applied in memory to the call as the rules read it,
baseline and simulated evaluated, every consortium's effect — and nothing stored.

The world and its figures by hand are in ``tests/allocation/simulation_world.py``: envelope
752 000 000 c, abondement bases terr-alsace 202 000 000, them-materiaux 250 000 000,
carnot4-mica 300 000 000 c (their sum: each share is exactly its base).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnot.allocation.models import AllocationRun
from carnot.allocation.overrides import parameter_value
from carnot.allocation.simulation import SimulationResult, simulate
from carnot.allocation.simulation_scenario import (
    AddContract,
    AddUnit,
    ChangeContract,
    ChangeRefused,
    RemoveUnit,
    Scenario,
)
from carnot.applications.models import Application, ApplicationUnit
from carnot.ledgers.models import InvoicedAmount, ResearchContract
from carnot.rules.domain import PartnerCategory
from tests.allocation.simulation_world import (
    BASES,
    ENVELOPE,
    EXTRA,
    MICA_B,
    OWN,
    SHARED,
    THEM_OWN,
    SimulationWorld,
    build_simulation_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> SimulationWorld:
    return build_simulation_world()


def _amounts(result: SimulationResult) -> dict[str, tuple[int, int, int]]:
    """Per consortium: (baseline, simulated, difference) in cents."""
    return {o.code: (o.baseline.allocation_cents, o.simulated.allocation_cents,
                     o.difference_cents) for o in result.consortia}


def _changed(result: SimulationResult, code: str) -> dict[str, tuple[object, object]]:
    outcome = next(o for o in result.consortia if o.code == code)
    return {change.name: (change.before, change.after) for change in outcome.changes}


def test_without_change_the_simulation_is_the_stored_call(world: SimulationWorld) -> None:
    result = simulate(call=world.call, scenario=Scenario())

    assert _amounts(result) == {code: (base, base, 0) for code, base in BASES.items()}
    assert result.baseline_envelope_cents == result.simulated_envelope_cents == ENVELOPE
    assert result.baseline_total_cents == result.simulated_total_cents == ENVELOPE
    assert not any(outcome.changed for outcome in result.consortia)
    assert not result.parameters and not result.changes and not result.contracts


def test_envelope_raised_by_ten_percent_raises_every_pro_rata_share(
        world: SimulationWorld) -> None:
    """+10 %: 752 000 000 → 827 200 000 c. The bases are unchanged (752 000 000 c in all), so
    each share is its base × 1.1, exactly: terr 202 000 000 × 1.1 = 222 200 000, them
    250 000 000 × 1.1 = 275 000 000, mica 300 000 000 × 1.1 = 330 000 000 (sum 827 200 000)."""
    result = simulate(call=world.call, scenario=Scenario(envelope_cents=827_200_000))

    assert _amounts(result) == {
        "terr-alsace": (202_000_000, 222_200_000, 20_200_000),
        "them-materiaux": (250_000_000, 275_000_000, 25_000_000),
        "carnot4-mica": (300_000_000, 330_000_000, 30_000_000)}
    assert result.simulated_envelope_cents == result.simulated_total_cents == 827_200_000
    assert result.baseline_total_cents == ENVELOPE
    assert [o.code for o in result.consortia] == ["carnot4-mica", "them-materiaux",
                                                  "terr-alsace"], "largest change first"
    assert set(_changed(result, "terr-alsace")) == {"pro_rata_cents", "allocation_cents"}
    assert [(p.name, p.after, p.source_after) for p in result.parameters] == [
        ("envelope", "8272000.00", "scenario")]


def test_contract_moved_to_an_eti_partner_leaves_the_bases(world: SimulationWorld) -> None:
    """OWN/C-O2 (20 000 €) counts with a PME (above 15 k€) but not with an ETI (not above
    30 k€, FAQ-3.2): terr's threshold base 302 000 000 → 300 000 000 c, its abondement base
    202 000 000 → 200 000 000 c. The envelope (752 000 000 c) over 750 000 000 c of bases:
    terr 752 × 200 / 750 = 200 533 333,33…, them 752 × 250 / 750 = 250 666 666,66…, mica
    752 × 300 / 750 = 300 800 000 ; whole parts 751 999 999, the last cent to the largest
    remainder (them, ,66…): terr 200 533 333 (−1 466 667), them 250 666 667 (+666 667), mica
    300 800 000 (+800 000). The differences add up to 0."""
    change = ChangeContract(f"{OWN}/C-O2", partner_category=PartnerCategory.MIDCAP)
    result = simulate(call=world.call, scenario=Scenario(changes=(change,)))

    assert _amounts(result) == {
        "terr-alsace": (202_000_000, 200_533_333, -1_466_667),
        "carnot4-mica": (300_000_000, 300_800_000, 800_000),
        "them-materiaux": (250_000_000, 250_666_667, 666_667)}
    assert _changed(result, "terr-alsace") == {
        "threshold_revenue_cents": (302_000_000, 300_000_000),
        "abondement_revenue_cents": (202_000_000, 200_000_000),
        "pro_rata_cents": (202_000_000, 200_533_333),
        "allocation_cents": (202_000_000, 200_533_333)}
    assert "abondement_revenue_cents" not in _changed(result, "them-materiaux")
    assert result.simulated_total_cents == ENVELOPE
    [effect] = result.contracts
    assert (effect.contract, effect.counted_before, effect.counted_after, effect.rule_after) \
        == (f"{OWN}/C-O2", True, False, "FAQ-3.2")
    assert "ne dépasse pas le seuil de 30\u202f000,00 €" in effect.reason_after
    assert result.changes == (
        f"Modifier le contrat {OWN}/C-O2 : partenaire ETI",)


def test_unit_removed_below_the_threshold_and_its_shared_unit_counts_in_full_elsewhere(
        world: SimulationWorld) -> None:
    """Without OWN, terr's threshold base is SHARED's 2 000 000 € < 2 500 000 €: inadmissible
    (FAQ-2.19), abondement 0. SHARED then counts in full for them (shared with an ineligible
    consortium, FAQ-2.22): them 200 000 000 + 150 000 000 = 350 000 000 c. 752 000 000 c over
    650 000 000: them 404 923 076,92… → 404 923 077 (largest remainder), mica 347 076 923,07…
    → 347 076 923."""
    result = simulate(call=world.call,
                      scenario=Scenario(changes=(RemoveUnit("terr-alsace", OWN),)))

    assert _amounts(result) == {
        "terr-alsace": (202_000_000, 0, -202_000_000),
        "them-materiaux": (250_000_000, 404_923_077, 154_923_077),
        "carnot4-mica": (300_000_000, 347_076_923, 47_076_923)}
    terr = _changed(result, "terr-alsace")
    assert terr["admissible"] == (True, False)
    assert terr["threshold_revenue_cents"] == (302_000_000, 200_000_000)
    assert _changed(result, "them-materiaux")["abondement_revenue_cents"] == (
        250_000_000, 350_000_000)
    outcome = next(o for o in result.consortia if o.code == "terr-alsace")
    assert [note.rule for note in outcome.new_failures] == ["FAQ-2.19"]
    assert result.simulated_total_cents == ENVELOPE


def test_unit_of_the_directory_added_with_its_contracts_and_assumed_paperwork(
        world: SimulationWorld) -> None:
    """EXTRA (not declared in the call) brings its SME contract of 100 000 € invoiced in 2025:
    terr's bases +10 000 000 c (threshold 312 000 000, abondement 212 000 000). 752 000 000 c
    over 762 000 000: terr 209 217 847,76… → 209 217 848 (largest remainder), them
    246 719 160,10… → 246 719 160, mica 296 062 992,12… → 296 062 992. Its tutelle Inserm has
    not signed terr's commitment document, and nobody leads it yet: both assumed."""
    result = simulate(call=world.call, scenario=Scenario(
        changes=(AddUnit("terr-alsace", EXTRA, Decimal("10")),)))

    assert _amounts(result) == {
        "terr-alsace": (202_000_000, 209_217_848, 7_217_848),
        "carnot4-mica": (300_000_000, 296_062_992, -3_937_008),
        "them-materiaux": (250_000_000, 246_719_160, -3_280_840)}
    assert _changed(result, "terr-alsace")["abondement_revenue_cents"] == (202_000_000,
                                                                           212_000_000)
    assert all(o.simulated.admissible for o in result.consortia)
    assumptions = " ".join(result.assumptions)
    assert "signature du document d'engagement supposée obtenue de inserm" in assumptions
    assert f"Unité {EXTRA} : un responsable scientifique est supposé désigné" in assumptions


def test_unit_declared_elsewhere_becomes_shared_on_both_sides(world: SimulationWorld) -> None:
    """THEM_OWN (1 500 000 € in 2025, them's alone) added to terr without FTE: shared, with its
    30 FTE on both sides (FAQ-2.17); full for terr's threshold (302 → 452 M c), half in each
    abondement base (FAQ-2.22): terr 202 000 000 + 75 000 000 = 277 000 000, them 250 000 000 −
    75 000 000 = 175 000 000; the bases still add up to the envelope, so each share is its
    base: terr +75 000 000, them −75 000 000, mica unchanged."""
    result = simulate(call=world.call,
                      scenario=Scenario(changes=(AddUnit("terr-alsace", THEM_OWN),)))

    assert _amounts(result) == {
        "terr-alsace": (202_000_000, 277_000_000, 75_000_000),
        "them-materiaux": (250_000_000, 175_000_000, -75_000_000),
        "carnot4-mica": (300_000_000, 300_000_000, 0)}
    assert _changed(result, "terr-alsace")["threshold_revenue_cents"] == (302_000_000,
                                                                          452_000_000)
    assert not any(o.new_failures for o in result.consortia), "sharing declared both sides"
    assert any("devient partagée entre terr-alsace et them-materiaux" in line
               for line in result.assumptions)


def test_hypothetical_contract_adds_to_the_bases(world: SimulationWorld) -> None:
    """A PME contract of 50 000 € invoiced in 2025 for OWN: terr's base 207 000 000 c; over
    757 000 000 c: terr 205 632 760,89… → 205 632 761 (largest remainder), them
    248 348 745,04… → 248 348 745, mica 298 018 494,05… → 298 018 494."""
    change = AddContract(OWN, "HYP-1", PartnerCategory.SME, 5_000_000, date(2025, 2, 1),
                         {2025: 5_000_000})
    result = simulate(call=world.call, scenario=Scenario(changes=(change,)))

    assert _amounts(result)["terr-alsace"] == (202_000_000, 205_632_761, 3_632_761)
    assert _amounts(result)["them-materiaux"][1] == 248_348_745
    assert _amounts(result)["carnot4-mica"][1] == 298_018_494
    [effect] = result.contracts
    assert (effect.contract, effect.counted_before, effect.counted_after) == (
        f"{OWN}/HYP-1", None, True)


def test_parameter_override_drops_the_guarantee_without_changing_the_amounts(
        world: SimulationWorld) -> None:
    """MICA keeps 86 % of its 2019 perimeter: guaranteed with 85 % (FAQ-3.5), not with 90 %.
    Its floor (98 765 431 c) was below its share anyway: amounts unchanged."""
    result = simulate(call=world.call,
                      scenario=Scenario(parameters={"perimeter_kept_minimum": "0,9"}))

    assert _changed(result, "carnot4-mica") == {"guarantee_applies": (True, False),
                                                "guarantee_cents": (98_765_431, 0)}
    assert all(o.difference_cents == 0 for o in result.consortia)
    assert [(p.name, p.before, p.after) for p in result.parameters] == [
        ("perimeter_kept_minimum", "0.85", "0.9")]


def test_parameters_are_checked_by_name_in_french(world: SimulationWorld) -> None:
    with pytest.raises(ValidationError) as unknown:
        simulate(call=world.call, scenario=Scenario(parameters={"taux_magique": "1"}))
    assert "Paramètre inconnu : « taux_magique »" in \
        unknown.value.message_dict["parameters.taux_magique"][0]

    with pytest.raises(ValidationError) as bad:
        simulate(call=world.call, scenario=Scenario(
            parameters={"guarantee_rate": "1,5", "fte_reference_year": "deux mille"}))
    errors = bad.value.message_dict
    assert "proportion entre 0 et 1" in errors["parameters.guarantee_rate"][0]
    assert "nombre entier attendu" in errors["parameters.fte_reference_year"][0]

    with pytest.raises(ValidationError) as twice:
        simulate(call=world.call, scenario=Scenario(envelope_cents=1,
                                                    parameters={"envelope": "2"}))
    assert "deux fois" in twice.value.message_dict["parameters.envelope"][0]
    with pytest.raises(ValidationError) as negative:
        simulate(call=world.call, scenario=Scenario(envelope_cents=-1))
    assert negative.value.message_dict["envelope_cents"] == [
        "L'enveloppe ne peut pas être négative."]


def test_parameter_values_are_read_as_their_file_gives_them() -> None:
    assert parameter_value(True, "non") is False
    assert parameter_value(2025, " 2024 ") == 2024
    assert parameter_value([2025], "2024, 2025") == [2024, 2025]
    assert parameter_value("62000000.00", "62 000 000,50 €") == "62000000.50"
    assert parameter_value("0.80", 0.5) == "0.5"
    assert parameter_value({"a": 1}, '{"micro": {"counts": false}}') == {
        "micro": {"counts": False}}
    with pytest.raises(ValueError, match="« oui » ou « non »"):
        parameter_value(False, "peut-être")
    with pytest.raises(ValueError, match="liste d'années"):
        parameter_value([2025], "2025, l'an prochain")


def test_every_refused_change_is_located_and_nothing_is_evaluated(
        world: SimulationWorld) -> None:
    changes = (
        RemoveUnit("terr-inconnu", OWN),
        AddUnit("terr-alsace", "209999999Z", Decimal(1)),
        AddUnit("terr-alsace", EXTRA),
        ChangeContract(f"{OWN}/C-ABSENT", total_cents=1),
        AddContract(OWN, "C-O1", PartnerCategory.SME, 1, date(2025, 1, 1)),
        AddContract(EXTRA, "HYP", PartnerCategory.SME, 1, date(2025, 1, 1)),
        RemoveUnit("them-materiaux", OWN),
    )
    with pytest.raises(ValidationError) as refused:
        simulate(call=world.call, scenario=Scenario(changes=changes))

    errors = refused.value.message_dict
    assert errors["changes[0].consortium"] == [
        "Aucune candidature « terr-inconnu » dans l'appel 2026."]
    assert "inconnue du répertoire national" in errors["changes[1].rnsr"][0]
    assert "ETP de recherche 2025 de l'unité 201733333D requis" in errors["changes[2].fte"][0]
    assert "introuvable" in errors["changes[3].contract"][0]
    assert "existe déjà" in errors["changes[4].reference"][0]
    assert "n'est déclarée par aucun consortium" in errors["changes[5].rnsr"][0]
    assert "n'est pas déclarée dans them-materiaux" in errors["changes[6].rnsr"][0]


def test_changes_apply_in_order(world: SimulationWorld) -> None:
    """EXTRA added, then its contract changed and a hypothetical one added to it."""
    result = simulate(call=world.call, scenario=Scenario(changes=(
        AddUnit("terr-alsace", EXTRA, Decimal("4.5")),
        ChangeContract(f"{EXTRA}/C-E1", invoiced_cents={2025: 0}),
        AddContract(EXTRA, "HYP", PartnerCategory.LARGE, 10_000_000, date(2025, 1, 1),
                    {2025: 4_000_000}))))

    assert _changed(result, "terr-alsace")["abondement_revenue_cents"] == (202_000_000,
                                                                           206_000_000)


def test_a_coordinator_changes_only_their_own_consortia(world: SimulationWorld) -> None:
    own = frozenset({"terr-alsace"})
    allowed = simulate(call=world.call, scope=own, scenario=Scenario(
        envelope_cents=800_000_000, parameters={"guarantee_rate": "0.5"},
        changes=(ChangeContract(f"{SHARED}/C-S1", total_cents=1),  # shared with them
                 AddUnit("terr-alsace", EXTRA, Decimal(3)))))
    assert allowed.simulated_envelope_cents == 800_000_000

    with pytest.raises(ChangeRefused) as refused:
        simulate(call=world.call, scope=own, scenario=Scenario(changes=(
            RemoveUnit("terr-alsace", OWN),
            ChangeContract(f"{THEM_OWN}/C-T1", total_cents=1),
            RemoveUnit("carnot4-mica", MICA_B),
            AddContract(THEM_OWN, "HYP", PartnerCategory.SME, 1, date(2025, 1, 1)))))
    assert set(refused.value.errors) == {"changes[1]", "changes[2]", "changes[3]"}
    assert refused.value.errors["changes[2]"] == [
        "Changement n° 3 refusé : carnot4-mica n'est pas l'un de vos consortiums "
        "(terr-alsace) ; vous ne changez que leurs unités."]
    assert f"l'unité {THEM_OWN} n'est déclarée dans aucun de vos consortiums" in str(
        refused.value)


def test_refused_contract_of_another_consortium_reveals_nothing(
        world: SimulationWorld) -> None:
    """A coordinator naming a contract that does not exist in a unit not theirs gets the same
    refusal as for one that exists."""
    own = frozenset({"terr-alsace"})
    messages = []
    for reference in ("C-T1", "C-ABSENT"):
        with pytest.raises(ChangeRefused) as refused:
            simulate(call=world.call, scope=own, scenario=Scenario(
                changes=(ChangeContract(f"{THEM_OWN}/{reference}", total_cents=1),)))
        messages.append(str(refused.value))
    assert messages[0] == messages[1]


def _snapshot() -> list[object]:
    return [
        list(ResearchContract.objects.order_by("pk").values_list(
            "pk", "total_cents", "partner_category", "cifre", "in_theme")),
        list(InvoicedAmount.objects.order_by("pk").values_list("pk", "year", "amount_cents")),
        list(ApplicationUnit.objects.order_by("pk").values_list(
            "pk", "application_id", "unit_id", "shared_with_id", "permanent_researchers_fte")),
        list(Application.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        AllocationRun.objects.count(),
    ]


def test_a_simulation_writes_nothing(world: SimulationWorld) -> None:
    before = _snapshot()
    scenario = Scenario(envelope_cents=900_000_000, parameters={"guarantee_rate": "0.6"},
                        changes=(RemoveUnit("terr-alsace", OWN),
                                 AddUnit("terr-alsace", EXTRA, Decimal(2)),
                                 AddUnit("carnot4-mica", THEM_OWN),
                                 ChangeContract(f"{SHARED}/C-S1", total_cents=5,
                                                invoiced_cents={2025: 7}, cifre=True),
                                 AddContract(EXTRA, "HYP", PartnerCategory.SME, 1,
                                             date(2025, 1, 1))))
    with CaptureQueriesContext(connection) as queries:
        simulate(call=world.call, scenario=scenario)

    statements = [query["sql"].lstrip().split()[0].upper() for query in queries]
    assert statements and set(statements) == {"SELECT"}, statements
    assert len(statements) <= 25, "a fixed number of reads"
    assert _snapshot() == before


# --- Properties ------------------------------------------------------------------------------

CONTRACTS = [f"{SHARED}/C-S1", f"{OWN}/C-O1", f"{OWN}/C-O2", f"{THEM_OWN}/C-T1"]
STORED = {f"{SHARED}/C-S1": (300_000_000, PartnerCategory.LARGE, 200_000_000),
          f"{OWN}/C-O1": (150_000_000, PartnerCategory.SME, 100_000_000),
          f"{OWN}/C-O2": (2_000_000, PartnerCategory.SME, 2_000_000),
          f"{THEM_OWN}/C-T1": (200_000_000, PartnerCategory.LARGE, 150_000_000)}
PROPERTY_SETTINGS = settings(max_examples=25, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY_SETTINGS
@given(chosen=st.lists(st.sampled_from(CONTRACTS), unique=True),
       restate_envelope=st.booleans(), restate_rate=st.booleans())
def test_a_scenario_that_restates_the_stored_values_equals_the_baseline(
        world: SimulationWorld, chosen: list[str], restate_envelope: bool,
        restate_rate: bool) -> None:
    """Changes that give back the stored values go through the whole path (read, apply,
    evaluate twice) and change no figure."""
    changes = tuple(ChangeContract(contract, total_cents=STORED[contract][0],
                                   partner_category=STORED[contract][1],
                                   invoiced_cents={2025: STORED[contract][2]}, cifre=False,
                                   in_theme=True) for contract in chosen)
    scenario = Scenario(envelope_cents=ENVELOPE if restate_envelope else None,
                        parameters={"guarantee_rate": "0.80"} if restate_rate else {},
                        changes=changes)
    result = simulate(call=world.call, scenario=scenario)

    assert all(outcome.simulated == outcome.baseline and not outcome.changed
               for outcome in result.consortia)
    assert result.simulated_total_cents == result.baseline_total_cents == ENVELOPE


category = st.sampled_from(list(PartnerCategory))
contract_change = st.builds(
    ChangeContract, contract=st.sampled_from(CONTRACTS),
    total_cents=st.none() | st.integers(0, 10**10),
    invoiced_cents=st.dictionaries(st.sampled_from([2024, 2025, 2026]),
                                   st.integers(0, 10**10), max_size=2),
    partner_category=st.none() | category, in_theme=st.none() | st.booleans(),
    cifre=st.none() | st.booleans()).filter(lambda change: not change.changes_nothing)
unit_change = st.sampled_from([RemoveUnit("terr-alsace", OWN),
                               RemoveUnit("them-materiaux", SHARED),
                               RemoveUnit("carnot4-mica", MICA_B),
                               AddUnit("terr-alsace", THEM_OWN),
                               AddUnit("them-materiaux", EXTRA, Decimal(5))])


@PROPERTY_SETTINGS
@given(envelope=st.none() | st.integers(0, 10**12),
       changes=st.lists(contract_change | unit_change, max_size=4, unique_by=repr))
def test_totals_always_equal_the_envelope(world: SimulationWorld, envelope: int | None,
                                          changes: list[object]) -> None:
    """Whatever the envelope and the changes: on each side the consortia's amounts add up to
    what was allocated, which is the whole envelope whenever an eligible consortium has a base
    or a floor (otherwise nothing is shared); the baseline never moves."""
    result = simulate(call=world.call,
                      scenario=Scenario(envelope_cents=envelope, changes=tuple(changes)))

    assert result.baseline_total_cents == result.baseline_allocated_cents == ENVELOPE
    assert result.simulated_total_cents == result.simulated_allocated_cents
    assert result.simulated_envelope_cents == (ENVELOPE if envelope is None else envelope)
    shares = any(o.simulated.admissible and (o.simulated.abondement_revenue_cents
                                             or o.simulated.guarantee_cents)
                 for o in result.consortia)
    expected = result.simulated_envelope_cents if shares else 0
    assert result.simulated_total_cents == expected
    assert sum(o.difference_cents for o in result.consortia) == result.difference_cents
    assert [abs(o.difference_cents) for o in result.consortia] == sorted(
        (abs(o.difference_cents) for o in result.consortia), reverse=True)


@pytest.mark.parametrize("adds", [THEM_OWN, EXTRA])
def test_adding_a_unit_does_not_open_its_ledger_to_a_coordinator(world: SimulationWorld,
                                                                  adds: str) -> None:
    """A coordinator may add a unit of another consortium (or of none) to theirs, but not then
    change or probe its contracts: their effects (category, amounts, rule) and whether a
    reference exists are the unit's ledger, which is not theirs to read."""
    own = frozenset({"terr-alsace"})
    messages = []
    for change in (ChangeContract(f"{adds}/C-T1", total_cents=1),
                   ChangeContract(f"{adds}/C-E1", cifre=True),
                   ChangeContract(f"{adds}/C-ABSENT", total_cents=1),
                   AddContract(adds, "C-T1", PartnerCategory.SME, 1, date(2025, 1, 1)),
                   AddContract(adds, "C-E1", PartnerCategory.SME, 1, date(2025, 1, 1))):
        with pytest.raises(ChangeRefused) as refused:
            simulate(call=world.call, scope=own, scenario=Scenario(
                changes=(AddUnit("terr-alsace", adds, Decimal(3)), change)))
        assert set(refused.value.errors) == {"changes[1]"}
        messages.append(refused.value.errors["changes[1]"])
    assert all(message == messages[0] for message in messages)
