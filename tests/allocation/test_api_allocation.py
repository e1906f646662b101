"""The JSON API of the yearly allocation (issue 4): the pages' operations and permissions —
runs listed, run (envelope and overrides), read (lines, parameters, fingerprint, totals), one
line with its explanation, compared, published as grants. Figures by hand: ``results_world``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carnot.accounts.models import Role
from carnot.allocation.models import AllocationRun, AllocationStatus, Grant
from carnot.allocation.services import allocation_run
from tests.allocation.results_world import (
    ENVELOPE,
    MICA_AMOUNT,
    MICA_FLOOR,
    TERR_AMOUNT,
    THEM_AMOUNT,
    ResultsWorld,
    build_results_world,
)
from tests.web.factories import make_user

pytestmark = pytest.mark.django_db

RUNS = "/api/financement/2026/repartitions"


@pytest.fixture
def world() -> ResultsWorld:
    return build_results_world()


@pytest.fixture
def officer(world: ResultsWorld) -> Client:
    return _client(world.officer)


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _run(world: ResultsWorld, **kwargs: Any) -> AllocationRun:
    return allocation_run(call=world.call, envelope_cents=kwargs.pop("envelope_cents", None),
                          overrides=kwargs.pop("overrides", None), by=world.officer)


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()[:800]
    return response.json()


def test_list_runs_first_to_last_with_status_and_fingerprint(world: ResultsWorld,
                                                             officer: Client) -> None:
    first = world.run()
    second = _run(world, envelope_cents=700_000_001)

    runs = _json(officer.get(RUNS))

    assert [(run["number"], run["status"], run["envelope_cents"], run["allocated_cents"])
            for run in runs] == [(1, "published", ENVELOPE, ENVELOPE),
                                 (2, "draft", 700_000_001, 700_000_001)]
    assert runs[0]["inputs_fingerprint"] == first.inputs_fingerprint
    assert runs[1]["inputs_fingerprint"] == second.inputs_fingerprint
    assert runs[0]["published_by"] == "charge" and runs[1]["published_by"] is None


def test_create_a_run_with_an_envelope_and_an_override(world: ResultsWorld,
                                                       officer: Client) -> None:
    run = _json(officer.post(RUNS, {"envelope_cents": 700_000_001,
                                    "overrides": {"guarantee_rate": "0.5"}},
                             content_type="application/json"), 201)

    assert run["number"] == 1 and run["status"] == "draft"
    assert run["totals"]["allocation_cents"] == 700_000_001 == run["envelope_cents"]
    assert run["totals"]["balanced"] is True
    rate = next(p for p in run["parameters"] if p["name"] == "guarantee_rate")
    assert (rate["value"], rate["source"], rate["overridden_from"]) == ("0.5", "scenario",
                                                                         "FAQ-3.5")
    mica = next(line for line in run["lines"] if line["application_code"] == "carnot4-mica")
    assert mica["guarantee_cents"] == 61_728_395 and mica["guarantee_applies"] is True


def test_refused_override_is_a_422_keyed_by_parameter(world: ResultsWorld,
                                                      officer: Client) -> None:
    refusal = _json(officer.post(RUNS, {"overrides": {"guarantee_rate": "1.5",
                                                      "nope": 1}},
                                 content_type="application/json"), 422)

    assert "proportion entre 0 et 1" in refusal["errors"]["guarantee_rate"][0]
    assert "FAQ-3.5" in refusal["errors"]["guarantee_rate"][0]
    assert "paramètre inconnu" in refusal["errors"]["nope"][0]
    assert not AllocationRun.objects.exists()


def test_get_a_run_with_lines_parameters_fingerprint_and_totals(world: ResultsWorld,
                                                                officer: Client) -> None:
    stored = _run(world)

    run = _json(officer.get(f"{RUNS}/{stored.number}"))

    assert run["inputs_fingerprint"] == stored.inputs_fingerprint
    lines = {line["application_code"]: line for line in run["lines"]}
    assert {code: line["allocation_cents"] for code, line in lines.items()} == {
        "terr-alsace": TERR_AMOUNT, "them-materiaux": THEM_AMOUNT,
        "carnot4-mica": MICA_AMOUNT}
    assert (lines["terr-alsace"]["threshold_revenue_cents"],
            lines["terr-alsace"]["abondement_revenue_cents"]) == (400_000_001, 250_000_001)
    assert lines["carnot4-mica"]["guarantee_cents"] == MICA_FLOOR
    assert {c["rule"] for c in lines["carnot4-mica"]["guarantee_conditions"]} >= {
        "FAQ-3.5", "FAQ-3.6", "FAQ-3.7"}
    assert run["totals"] == {
        "threshold_revenue_cents": 300_000_000 + 400_000_001 + 300_000_001,
        "abondement_revenue_cents": 700_000_001, "guarantee_cents": MICA_FLOOR,
        "pro_rata_cents": ENVELOPE, "bonus_cents": 0, "allocation_cents": ENVELOPE,
        "envelope_cents": ENVELOPE, "balanced": True}
    assert {p["name"] for p in run["parameters"]} >= {"envelope", "guarantee_rate"}


def test_get_a_line_with_its_explanation(world: ResultsWorld, officer: Client) -> None:
    run = _run(world)

    found = _json(officer.get(f"{RUNS}/{run.number}/carnot4-mica"))

    assert found["line"]["allocation_cents"] == MICA_AMOUNT
    explanation = found["explanation"]
    assert explanation["guarantee"]["applies"] is True
    kept = next(c for c in explanation["guarantee"]["conditions"] if c["rule"] == "FAQ-3.6")
    assert {"name": "etp_2019", "label": "ETP du périmètre 2019", "value": "100"} in \
        kept["figures"]
    assert explanation["text"].startswith("carnot4-mica — Carnot MICA\nRecevable : oui")
    assert _json(officer.get(f"{RUNS}/{run.number}/inconnu"), 404)["detail"]


def test_compare_two_runs_line_by_line(world: ResultsWorld, officer: Client) -> None:
    before = _run(world)
    after = _run(world, overrides={"guarantee_rate": "0.5"})

    compared = _json(officer.get(f"{RUNS}/comparer",
                                 {"before": before.number, "after": after.number}))

    assert compared["inputs_changed"] is True
    assert [(p["name"], p["before"], p["after"]) for p in compared["parameters"]] == [
        ("guarantee_rate", "0.80", "0.5")]
    lines = {line["application_code"]: line for line in compared["lines"]}
    assert lines["terr-alsace"]["change"] == "unchanged"
    assert lines["carnot4-mica"]["change"] == "changed"
    assert {"name": "guarantee_cents", "before": MICA_FLOOR, "after": 61_728_395} in \
        lines["carnot4-mica"]["figures"]
    assert _json(officer.get(f"{RUNS}/comparer", {"before": 1, "after": 9}), 404)
    assert _json(officer.get(f"{RUNS}/comparer", {"before": 1}), 422)


def test_publish_makes_the_grants_and_superseding_needs_confirmation(
        world: ResultsWorld, officer: Client) -> None:
    first, second = _run(world), _run(world, envelope_cents=700_000_001)

    published = _json(officer.post(f"{RUNS}/{first.number}/publier", {},
                                   content_type="application/json"))
    assert published["run"]["status"] == "published"
    assert {g["application_code"]: g["amount_cents"] for g in published["grants"]} == {
        "terr-alsace": TERR_AMOUNT, "them-materiaux": THEM_AMOUNT,
        "carnot4-mica": MICA_AMOUNT}

    refusal = _json(officer.post(f"{RUNS}/{second.number}/publier", {},
                                 content_type="application/json"), 422)
    assert "déjà publiée" in refusal["detail"]
    assert _json(officer.post(f"{RUNS}/{first.number}/publier", {"supersede": True},
                              content_type="application/json"), 422)
    second.refresh_from_db()
    assert second.status == AllocationStatus.DRAFT

    _json(officer.post(f"{RUNS}/{second.number}/publier", {"supersede": True},
                       content_type="application/json"))
    first.refresh_from_db()
    assert first.status == AllocationStatus.SUPERSEDED
    assert Grant.objects.get(application=world.terr, year=2026).amount_cents == 250_000_001


def test_same_permissions_as_the_pages(world: ResultsWorld) -> None:
    run = _run(world)
    staff = _client(make_user(Role.ASSOCIATION_STAFF, "aic"))
    lead = _client(make_user(Role.UNIT_LEAD, "lead"))

    assert _json(staff.get(f"{RUNS}/{run.number}"))["number"] == 1
    assert _json(staff.post(RUNS, {}, content_type="application/json"), 403)
    assert _json(staff.post(f"{RUNS}/{run.number}/publier", {},
                            content_type="application/json"), 403)
    for client in (_client(world.coordinator), lead):
        assert _json(client.get(RUNS), 403)
        assert _json(client.get(f"{RUNS}/{run.number}/terr-alsace"), 403)
    assert _json(_client(None).get(RUNS), 401)
    run.refresh_from_db()
    assert run.status == AllocationStatus.DRAFT and AllocationRun.objects.count() == 1
