"""The yearly allocation (issue 4): a run stores its parameters, the fingerprint of its inputs,
its results with their traces and one line per consortium; it is immutable, reproducible to the
cent, comparable with another run line by line, and published by programme officers only.

The world, figures by hand (call 2026; envelope 62 000 000,00 € unless a test changes it):

* terr-alsace (territorial, PUI Strasbourg): unit 200919143B, shared with them-materiaux, and its
  own unit 201119876B. them-materiaux (thematic): the shared unit only.
  Shared unit: 3 000 000,01 € invoiced in 2025 (300 000 001 c); own unit: 1 000 000,00 €.
  FAQ-2.22 — threshold bases count the shared unit in full: terr 400 000 001 c,
  them 300 000 001 c; abondement bases split it 50/50, the odd cent to the first by id
  (« terr-alsace » < « them-materiaux »): terr 150 000 001 + 100 000 000 = 250 000 001 c,
  them 150 000 000 c.
* carnot4-mica (former Carnot 4): 2019 perimeter 60 + 40 = 100 FTE, 50 + 36 = 86 FTE kept
  (86 %); 1 500 000,00 € invoiced by each unit in 2023, 2024 and 2025 (mean 3 000 000,00 €) and
  1 365 000,00 € each in 2026 (2 730 000,00 € = 91 %): guaranteed, 80 % of its reference
  abondement of 1 234 567,89 € = 987 654,312 € → 98 765 431 c. Abondement base 300 000 000 c.
* Pro rata of 6 200 000 000 c over 700 000 001 c of bases, then the largest remainders:
  terr 6 200 000 000 × 250 000 001 / 700 000 001 = 2 214 285 719,9796…;
  them 6 200 000 000 × 150 000 000 / 700 000 001 = 1 328 571 426,6735…;
  mica 6 200 000 000 × 300 000 000 / 700 000 001 = 2 657 142 853,3469….
  Whole parts: 6 199 999 998 c; the two missing cents go to the two largest remainders (terr,
  them) → terr 2 214 285 720 c, them 1 328 571 427 c, mica 2 657 142 853 c. Every share is far
  above the MICA floor, so no floor applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carnot.accounts.models import Role
from carnot.allocation.models import (
    AllocationImmutable,
    AllocationLine,
    AllocationRun,
    AllocationStatus,
)
from carnot.allocation.selectors import allocation_compare, allocation_runs
from carnot.allocation.services import allocation_publish, allocation_run
from carnot.applications.models import (
    Application,
    ApplicationUnit,
    FormerCarnotReference,
)
from carnot.ledgers.models import InvoicedAmount
from carnot.registry.models import Call
from tests.builders import declare_unit, new_contract, new_structure, sign_for
from tests.web.factories import make_call, make_pui, make_unit, make_user

pytestmark = pytest.mark.django_db

SHARED, TERR_OWN, MICA_A, MICA_B = "200919143B", "201119876B", "201420777F", "201220344C"
ENVELOPE = 6_200_000_000


@dataclass
class World:
    call: Call
    officer: User
    coordinator: User







@pytest.fixture
def world() -> World:
    call = make_call(2026)
    officer = make_user(Role.PROGRAMME_OFFICER, "charge")
    coordinator = make_user(Role.COORDINATOR, "coordo")
    unistra, uha = new_structure("unistra"), new_structure("uha")
    cnrs = new_structure("cnrs", "epst", region="Île-de-France")
    uca = new_structure("uca", region="Auvergne-Rhône-Alpes")
    pui = make_pui("pui-strasbourg", [unistra])
    pui.partners.set([uha])
    shared, own = make_unit(SHARED, [unistra, cnrs]), make_unit(TERR_OWN, [uha])
    mica_a, mica_b = make_unit(MICA_A, [uca]), make_unit(MICA_B, [uca, cnrs])

    terr = Application.objects.create(call=call, code="terr-alsace", name="Carnot Alsace",
                                      kind="territorial", coordinator=unistra)
    terr.puis.set([pui])
    them = Application.objects.create(call=call, code="them-materiaux", name="Matériaux",
                                      kind="thematic", coordinator=cnrs,
                                      theme="Matériaux avancés")
    them.alignments.create(kind="PEPR", name="DIADEM")
    them.alignments.create(kind="CSF", name="Industries pour la construction")
    mica = Application.objects.create(call=call, code="carnot4-mica", name="Carnot MICA",
                                      kind="former_carnot", coordinator=uca)
    FormerCarnotReference.objects.create(
        application=mica, perimeter_2019={MICA_A: 60, MICA_B: 40},
        units_by_year={str(year): [MICA_A, MICA_B] for year in (2023, 2024, 2025, 2026)},
        reference_abondement_cents=123_456_789)
    declare_unit(terr, shared, "60", "Anne Martin", shared_with=them)
    declare_unit(terr, own, "20", "Luc Weber")
    declare_unit(them, shared, "60", "Anne Martin", shared_with=terr)
    declare_unit(mica, mica_a, "50", "Paul Durand")
    declare_unit(mica, mica_b, "36", "Julie Roux")
    sign_for(terr, unistra, cnrs, uha)
    sign_for(them, unistra, cnrs)
    sign_for(mica, uca, cnrs)

    new_contract(shared, "C-PART-1", "large", 250_000_000, {2025: 200_000_000})
    new_contract(shared, "C-PART-2", "sme", 120_000_001, {2025: 100_000_001})
    new_contract(own, "C-PROPRE", "midcap", 150_000_000, {2025: 100_000_000})
    for unit in (mica_a, mica_b):
        new_contract(unit, "C-MICA", "large", 2_000_000_000,
                  {2023: 150_000_000, 2024: 150_000_000, 2025: 150_000_000,
                   2026: 136_500_000})
    return World(call, officer, coordinator)


def _lines(run: AllocationRun) -> dict[str, AllocationLine]:
    return {line.application_code: line for line in run.lines.all()}


def test_run_shares_the_envelope_to_the_cent_with_figures_by_hand(world: World) -> None:
    run = allocation_run(call=world.call, envelope_cents=None, overrides=None, by=world.officer)

    lines = _lines(run)
    assert run.number == 1 and run.status == AllocationStatus.DRAFT
    assert run.envelope_cents == ENVELOPE == run.allocated_cents
    assert sum(line.allocation_cents for line in lines.values()) == ENVELOPE
    assert all(line.admissible for line in lines.values()), run.results["consortia"]
    assert {code: line.allocation_cents for code, line in lines.items()} == {
        "terr-alsace": 2_214_285_720, "them-materiaux": 1_328_571_427,
        "carnot4-mica": 2_657_142_853}
    assert {code: line.pro_rata_cents for code, line in lines.items()} == {
        code: line.allocation_cents for code, line in lines.items()}
    assert len(run.inputs_fingerprint) == 64
    names = {entry["name"] for entry in run.parameters}
    assert {"envelope", "shared_unit_abondement_share", "guarantee_rate"} <= names
    assert "contracts" not in run.results
    assert run.results["trace"]["contracts_by_rule"]["eligible"]


def test_shared_unit_counts_in_full_for_threshold_and_half_for_abondement(world: World) -> None:
    lines = _lines(allocation_run(call=world.call, envelope_cents=None, overrides=None,
                                  by=world.officer))

    assert lines["terr-alsace"].threshold_revenue_cents == 400_000_001
    assert lines["them-materiaux"].threshold_revenue_cents == 300_000_001
    assert lines["terr-alsace"].abondement_revenue_cents == 250_000_001
    assert lines["them-materiaux"].abondement_revenue_cents == 150_000_000


def test_an_application_decided_against_gets_no_share_and_leaves_its_shared_unit_whole(
        world: World) -> None:
    """them-materiaux is declared « non retenue »: it has no line, and the unit it shared with
    terr-alsace counts in full there for both bases (400 000 001 c). Pro rata of
    6 200 000 000 c over 400 000 001 + 300 000 000 = 700 000 001 c: terr
    6 200 000 000 × 400 000 001 / 700 000 001 = 3 542 857 146,6531… and mica
    6 200 000 000 × 300 000 000 / 700 000 001 = 2 657 142 853,3469…; whole parts
    6 199 999 999 c, the cent left goes to the largest remainder (terr)."""
    Application.objects.filter(code="them-materiaux").update(status="rejected")

    lines = _lines(allocation_run(call=world.call, envelope_cents=None, overrides=None,
                                  by=world.officer))

    assert set(lines) == {"terr-alsace", "carnot4-mica"}
    assert lines["terr-alsace"].threshold_revenue_cents == 400_000_001
    assert lines["terr-alsace"].abondement_revenue_cents == 400_000_001
    assert lines["terr-alsace"].admissible, "no FAQ-2.17 failure for a partner decided against"
    assert {code: line.allocation_cents for code, line in lines.items()} == {
        "terr-alsace": 3_542_857_147, "carnot4-mica": 2_657_142_853}


def test_guarantee_of_former_carnot_4_is_stored_with_each_condition(world: World) -> None:
    run = allocation_run(call=world.call, envelope_cents=None, overrides=None, by=world.officer)

    line = _lines(run)["carnot4-mica"]
    assert line.guarantee_applies and line.guarantee_cents == 98_765_431
    assert not _lines(run)["terr-alsace"].guarantee_applies
    mica = next(c for c in run.results["consortia"] if c["id"] == "carnot4-mica")
    reasons = mica["guarantee"]["reasons"]
    assert {"FAQ-3.5", "FAQ-3.6", "FAQ-3.7"} <= {reason["rule"] for reason in reasons}
    assert all(reason["status"] == "passed" for reason in reasons)
    messages = " | ".join(reason["message"] for reason in reasons)
    assert "86,00 % du périmètre initial maintenu" in messages
    assert "= 91,00 % de la moyenne 2023–2025" in messages
    assert "987\u202f654,31 €" in messages
    figures = [step["figures"] for step in mica["trace"]["steps"]
               if step["rule"] in {"FAQ-3.5", "FAQ-3.7"}]
    assert figures and all(figures), "the figures of each condition are in the trace"


def test_running_again_on_the_same_inputs_gives_the_same_cents_and_fingerprint(
        world: World) -> None:
    first = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                           by=world.officer)
    second = allocation_run(call=world.call, envelope_cents=ENVELOPE, overrides={},
                            by=world.officer)

    assert second.number == 2
    assert second.inputs_fingerprint == first.inputs_fingerprint
    assert second.results == first.results and second.parameters == first.parameters
    figures = ("allocation_cents", "pro_rata_cents", "abondement_revenue_cents")
    assert ([[getattr(line, name) for name in figures] for line in second.lines.all()]
            == [[getattr(line, name) for name in figures] for line in first.lines.all()])
    changes = allocation_compare(before=first, after=second)
    assert {change.change for change in changes} == {"unchanged"}
    assert not any(change.inputs_changed or change.parameters or change.rules
                   for change in changes)
    assert list(allocation_runs(call=world.call)) == [first, second]


def test_a_changed_contract_or_parameter_changes_the_fingerprint(world: World) -> None:
    first = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                           by=world.officer)
    InvoicedAmount.objects.filter(contract__reference="C-PROPRE").update(
        amount_cents=100_000_002)
    after_contract = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                                    by=world.officer)
    after_parameter = allocation_run(call=world.call, envelope_cents=None,
                                     overrides={"guarantee_rate": "0.5"}, by=world.officer)

    fingerprints = {first.inputs_fingerprint, after_contract.inputs_fingerprint,
                    after_parameter.inputs_fingerprint}
    assert len(fingerprints) == 3
    terr = next(c for c in allocation_compare(before=first, after=after_contract)
                if c.application_code == "terr-alsace")
    assert terr.inputs_changed and not terr.parameters
    assert ("abondement_revenue_cents", 250_000_001, 250_000_003) in {
        (f.name, f.before, f.after) for f in terr.figures}
    mica = next(c for c in allocation_compare(before=after_contract, after=after_parameter)
                if c.application_code == "carnot4-mica")
    assert [(p.name, p.after, p.source_after) for p in mica.parameters] == [
        ("guarantee_rate", "0.5", "scenario")]
    assert ("guarantee_cents", 98_765_431, 61_728_395) in {
        (f.name, f.before, f.after) for f in mica.figures}


def test_changed_envelope_is_compared_line_by_line_with_the_parameter_change(
        world: World) -> None:
    before = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                            by=world.officer)
    after = allocation_run(call=world.call, envelope_cents=700_000_001, overrides=None,
                           by=world.officer)

    assert sum(line.allocation_cents for line in after.lines.all()) == 700_000_001
    changes = {change.application_code: change
               for change in allocation_compare(before=before, after=after)}
    assert set(changes) == {"terr-alsace", "them-materiaux", "carnot4-mica"}
    for change in changes.values():
        assert change.change == "changed" and change.inputs_changed
        assert [(p.name, p.before, p.after, p.source_before, p.source_after)
                for p in change.parameters] == [
            ("envelope", "62000000.00", "7000000.01", "assumption", "scenario")]
    # 700 000 001 c over 700 000 001 c of bases: each consortium gets exactly its base.
    assert {code: {f.name: (f.before, f.after) for f in change.figures}["allocation_cents"]
            for code, change in changes.items()} == {
        "terr-alsace": (2_214_285_720, 250_000_001),
        "them-materiaux": (1_328_571_427, 150_000_000),
        "carnot4-mica": (2_657_142_853, 300_000_000)}
    assert "abondement_revenue_cents" not in {f.name for f in changes["terr-alsace"].figures}


def test_compare_names_the_rules_whose_verdict_changed(world: World) -> None:
    before = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                            by=world.officer)
    ApplicationUnit.objects.filter(application__code="carnot4-mica",
                                   unit__rnsr=MICA_B).update(permanent_researchers_fte=20)
    after = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                           by=world.officer)

    mica = next(c for c in allocation_compare(before=before, after=after)
                if c.application_code == "carnot4-mica")
    assert "FAQ-3.5" in {rule.rule for rule in mica.rules}
    assert ("guarantee_applies", True, False) in {(f.name, f.before, f.after)
                                                  for f in mica.figures}


def test_a_run_cannot_be_modified(world: World) -> None:
    run = allocation_run(call=world.call, envelope_cents=None, overrides=None, by=world.officer)

    run.envelope_cents = 1
    with pytest.raises(AllocationImmutable):
        run.save()
    with pytest.raises(AllocationImmutable):
        AllocationRun.objects.filter(pk=run.pk).update(allocated_cents=0)
    line = run.lines.first()
    assert line is not None
    line.allocation_cents += 1
    with pytest.raises(AllocationImmutable):
        line.save()
    with pytest.raises(AllocationImmutable):
        AllocationLine.objects.filter(run=run).update(allocation_cents=0)
    stored = AllocationRun.objects.get(pk=run.pk)
    assert stored.envelope_cents == ENVELOPE
    assert sum(line.allocation_cents for line in stored.lines.all()) == ENVELOPE


def test_a_coordinator_cannot_run_or_publish_an_allocation(world: World) -> None:
    with pytest.raises(ValidationError, match="chargés de programme"):
        allocation_run(call=world.call, envelope_cents=None, overrides=None,
                       by=world.coordinator)
    assert not AllocationRun.objects.exists()
    run = allocation_run(call=world.call, envelope_cents=None, overrides=None, by=world.officer)
    with pytest.raises(ValidationError, match="chargés de programme"):
        allocation_publish(run=run, by=world.coordinator)


def test_unknown_parameter_or_negative_envelope_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        allocation_run(call=world.call, envelope_cents=-1, overrides=None, by=world.officer)
    with pytest.raises(ValidationError, match="Paramètres inutilisables"):
        allocation_run(call=world.call, envelope_cents=None, overrides={"nope": 1},
                       by=world.officer)
    assert not AllocationRun.objects.exists()


def test_one_published_run_per_call_and_superseding_is_explicit(world: World) -> None:
    first = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                           by=world.officer)
    second = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                            by=world.officer)

    published = allocation_publish(run=first, by=world.officer)
    assert published.status == AllocationStatus.PUBLISHED
    assert published.published_by == world.officer and published.published_at is not None
    with pytest.raises(ValidationError, match="seul un brouillon"):
        allocation_publish(run=first, by=world.officer)
    with pytest.raises(ValidationError, match="déjà publiée"):
        allocation_publish(run=second, by=world.officer)

    allocation_publish(run=second, by=world.officer, supersede=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (AllocationStatus.SUPERSEDED,
                                             AllocationStatus.PUBLISHED)
    assert first.published_at is not None, "the superseded run keeps its publication record"
    with pytest.raises(ValidationError, match="seul un brouillon"):
        allocation_publish(run=first, by=world.officer, supersede=True)


def test_database_refuses_two_published_runs_of_a_call(world: World) -> None:
    first = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                           by=world.officer)
    second = allocation_run(call=world.call, envelope_cents=None, overrides=None,
                            by=world.officer)
    allocation_publish(run=first, by=world.officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        AllocationRun.objects.filter(pk=second.pk).update(
            status=AllocationStatus.PUBLISHED, published_at=first.published_at,
            published_by=world.officer)
