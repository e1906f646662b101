"""The API of a published result (issue 4): the figures of the consortium's line and its
explanation step by step, with the page's permissions (401, 404). Figures: ``results_world``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carnot.applications.models import Signature
from tests.allocation.results_world import (
    MICA_AMOUNT,
    MICA_FLOOR,
    TERR_AMOUNT,
    ResultsWorld,
    build_results_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> ResultsWorld:
    return build_results_world()


def _get(user: User | None, code: str) -> tuple[int, Any]:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(f"/api/financement/2026/{code}/abondement")
    return response.status_code, response.json()


def test_published_result_with_figures_and_explanation(world: ResultsWorld) -> None:
    run = world.run()

    status, body = _get(world.coordinator, "terr-alsace")

    assert status == 200
    assert (body["allocation_cents"], body["threshold_revenue_cents"],
            body["abondement_revenue_cents"]) == (TERR_AMOUNT, 400_000_001, 250_000_001)
    assert body["admissible"] and not body["guarantee_applies"] and body["guarantee"] is None
    assert body["spend_by"] == "2030-12-31"
    assert body["run"]["number"] == run.number
    assert body["run"]["inputs_fingerprint"] == run.inputs_fingerprint
    assert (body["run"]["consortia"], body["run"]["admissible_consortia"]) == (3, 3)
    assert body["run"]["envelope_cents"] == body["run"]["allocated_cents"] == run.envelope_cents
    sharing = next(step for step in body["steps"] if step["rule"] == "FAQ-2.22")
    assert sharing["faq_url"] == "/faq/#FAQ-2.22" and sharing["status"] == "passed"
    assert {"name": "parts_cents", "label": "part de chaque unité",
            "value": "200919143B : 1\u202f500\u202f000,01 € ; 201119876B : 1\u202f000\u202f000,00 €"
            } in sharing["figures"]
    assert [step["rule"] for step in body["allocation_steps"]] == ["ALLOC-1", "ALLOC-2",
                                                                  "ALLOC-3"]
    assert "Règles appliquées :" in body["text"]


def test_guarantee_conditions_of_a_former_carnot_4(world: ResultsWorld) -> None:
    world.run()

    status, body = _get(world.officer, "carnot4-mica")

    assert status == 200 and body["allocation_cents"] == MICA_AMOUNT
    guarantee = body["guarantee"]
    assert guarantee["applies"] and guarantee["amount_cents"] == MICA_FLOOR
    assert guarantee["failed_rules"] == []
    assert {"FAQ-3.4", "FAQ-3.5", "FAQ-3.6", "FAQ-3.7"} <= {
        condition["rule"] for condition in guarantee["conditions"]}


def test_not_admissible_result_lists_its_violations(world: ResultsWorld) -> None:
    Signature.objects.filter(application=world.them, structure__code="cnrs").delete()
    world.run()

    status, body = _get(world.other_coordinator, "them-materiaux")

    assert status == 200 and body["allocation_cents"] == 0 and body["spend_by"] is None
    assert "FAQ-2.18" in {violation["rule"] for violation in body["violations"]}


def test_same_permissions_as_the_page(world: ResultsWorld) -> None:
    world.run(publish=False)
    assert _get(world.officer, "terr-alsace")[0] == 404, "no published run yet"

    world.call.allocation_runs.update(status="published", published_at="2026-05-04T10:00Z",
                                      published_by=world.officer)

    assert _get(None, "terr-alsace")[0] == 401
    status, body = _get(world.other_coordinator, "terr-alsace")
    assert status == 404 and body["detail"].startswith("Introuvable")
    assert _get(world.coordinator, "terr-alsace")[0] == 200
