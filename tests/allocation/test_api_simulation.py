"""The simulation API (``POST /api/financement/{year}/simulation``): JSON changes → every
consortium's effect (200), French located errors (422), the roles' answers, CSRF, no writes.
Figures by hand in ``tests/allocation/simulation_world.py``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carnot.ledgers.models import InvoicedAmount, ResearchContract
from tests.allocation.simulation_world import (
    EXTRA,
    OWN,
    SHARED,
    THEM_OWN,
    SimulationWorld,
    build_simulation_world,
)

pytestmark = pytest.mark.django_db

URL = reverse("api:run_simulation", kwargs={"year": 2026})


@pytest.fixture
def world() -> SimulationWorld:
    return build_simulation_world()


def _post(user: object, body: Any, client: Client | None = None) -> Any:
    client = client or Client()
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client.post(URL, data=body, content_type="application/json")


def test_envelope_raised_by_ten_percent(world: SimulationWorld) -> None:
    """752 000 000 → 827 200 000 c: each share is its base × 1.1 (bases unchanged)."""
    response = _post(world.officer, {"envelope_cents": 827_200_000})

    assert response.status_code == 200
    body = response.json()
    assert body["stored"] is False
    assert body["baseline"] == {"envelope_cents": 752_000_000, "allocated_cents": 752_000_000,
                                "unallocated_cents": 0}
    assert body["simulated"] == {"envelope_cents": 827_200_000, "allocated_cents": 827_200_000,
                                 "unallocated_cents": 0}
    assert body["difference_cents"] == 75_200_000
    assert [(c["code"], c["baseline"]["allocation_cents"], c["simulated"]["allocation_cents"],
             c["difference_cents"]) for c in body["consortia"]] == [
        ("carnot4-mica", 300_000_000, 330_000_000, 30_000_000),
        ("them-materiaux", 250_000_000, 275_000_000, 25_000_000),
        ("terr-alsace", 202_000_000, 222_200_000, 20_200_000)]
    assert body["parameters"] == [{"name": "envelope", "before": "7520000.00",
                                   "after": "8272000.00", "source_before": "scenario",
                                   "source_after": "scenario"}]


def test_contract_to_an_eti_and_hypothetical_contract(world: SimulationWorld) -> None:
    """C-O2 (20 000 €) to an ETI leaves terr's bases (−2 000 000 c); a hypothetical PME contract
    of 20 000 € invoiced in 2025 puts the same amount back: terr's bases and every amount are
    as stored, but both contracts are reported."""
    response = _post(world.coordinator, {"changes": [
        {"kind": "change_contract", "contract": f"{OWN}/C-O2", "partner_category": "midcap"},
        {"kind": "add_contract", "rnsr": OWN, "reference": "HYP", "partner_category": "sme",
         "total_cents": 2_000_000, "signed_on": "2025-01-15",
         "invoiced_cents": {"2025": 2_000_000}},
    ]})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert all(c["difference_cents"] == 0 and c["changes"] == [] for c in body["consortia"])
    assert [(e["contract"], e["counted_before"], e["counted_after"], e["rule_after"])
            for e in body["contracts"]] == [(f"{OWN}/C-O2", True, False, "FAQ-3.2"),
                                            (f"{OWN}/HYP", None, True, "FAQ-3.2")]
    assert {c["code"]: c["own"] for c in body["consortia"]} == {
        "carnot4-mica": False, "terr-alsace": True, "them-materiaux": False}


def test_units_removed_and_added_with_the_figures_that_changed(world: SimulationWorld) -> None:
    """OWN out of terr (below 2,5 M€: inadmissible), EXTRA into them (its 100 000 € count)."""
    response = _post(world.officer, {"changes": [
        {"kind": "remove_unit", "consortium": "terr-alsace", "rnsr": OWN},
        {"kind": "add_unit", "consortium": "them-materiaux", "rnsr": EXTRA.lower(),
         "fte": "4.5"}]})

    body = response.json()
    assert response.status_code == 200, body
    terr = next(c for c in body["consortia"] if c["code"] == "terr-alsace")
    assert {change["name"]: (change["before"], change["after"])
            for change in terr["changes"]}["admissible"] == (True, False)
    assert [note["rule"] for note in terr["new_failures"]] == ["FAQ-2.19"]
    them = next(c for c in body["consortia"] if c["code"] == "them-materiaux")
    assert them["simulated"]["abondement_revenue_cents"] == 200_000_000 + 150_000_000 \
        + 10_000_000
    assert body["simulated"]["allocated_cents"] == 752_000_000
    assert any("inserm" in line for line in body["assumptions"])
    assert body["changes"] == [f"Retirer l'unité {OWN} de terr-alsace",
                               f"Ajouter l'unité {EXTRA} à them-materiaux (4,5 ETP)"]


def test_input_errors_are_french_and_located(world: SimulationWorld) -> None:
    response = _post(world.officer, {
        "envelope_cents": -5, "parameters": {"inconnu": 1},
        "changes": [{"kind": "add_unit", "consortium": "terr-alsace"},
                    {"kind": "change_contract", "contract": f"{OWN}/C-O2", "total_cents": -1,
                     "rnsr": OWN},
                    {"kind": "change_contract", "contract": "sans-barre", "cifre": True},
                    {"kind": "change_contract", "contract": f"{OWN}/C-O2"}]})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors == {
        "envelope_cents": ["L'enveloppe ne peut pas être négative."],
        "changes[0].rnsr": ["champ requis pour « add_unit »"],
        "changes[1].rnsr": ["champ sans objet pour « change_contract »"],
        "changes[1].total_cents": ["un montant est positif ou nul"],
        "changes[2].contract": ["identifiant « RNSR/référence » attendu"],
        "changes[3]": [f"contrat {OWN}/C-O2 : aucune modification donnée"]}


def test_schema_errors_are_french_too(world: SimulationWorld) -> None:
    response = _post(world.officer, {"changes": [{"kind": "fusionner"},
                                                 {"kind": "add_unit", "fte": "beaucoup"}]})

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["body.payload.changes.0.kind"][0].startswith("valeur non autorisée")
    assert errors["body.payload.changes.1.fte"] == ["nombre décimal attendu"]


def test_refusals_of_the_simulation_are_located(world: SimulationWorld) -> None:
    response = _post(world.officer, {
        "parameters": {"guarantee_rate": "1.5"}})
    assert response.status_code == 422
    assert "proportion entre 0 et 1" in response.json()["errors"][
        "parameters.guarantee_rate"][0]

    response = _post(world.officer, {"changes": [
        {"kind": "remove_unit", "consortium": "terr-alsace", "rnsr": THEM_OWN},
        {"kind": "add_contract", "rnsr": SHARED, "reference": "C-S1",
         "partner_category": "sme", "total_cents": 1, "signed_on": "2025-01-01"}]})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["changes[0].rnsr"] == [
        f"L'unité {THEM_OWN} n'est pas déclarée dans terr-alsace : rien à retirer."]
    assert "existe déjà" in errors["changes[1].reference"][0]


def test_a_coordinator_may_not_change_another_consortium(world: SimulationWorld) -> None:
    response = _post(world.coordinator, {"envelope_cents": 1, "changes": [
        {"kind": "change_contract", "contract": f"{THEM_OWN}/C-T1", "in_theme": False}]})

    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"Changement n° 1 refusé : l'unité {THEM_OWN} n'est déclarée dans aucun de vos "
        "consortiums (terr-alsace) ; vous ne changez que les contrats des unités qu'ils "
        "déclarent (le registre d'une unité que la simulation leur ajoute ne vous est pas "
        "ouvert).")
    own = _post(world.other_coordinator, {"changes": [
        {"kind": "change_contract", "contract": f"{THEM_OWN}/C-T1", "in_theme": False}]})
    assert own.status_code == 200
    assert {c["code"] for c in own.json()["consortia"] if c["own"]} == {"them-materiaux"}


def test_who_may_simulate(world: SimulationWorld) -> None:
    body = {"envelope_cents": 1_000}
    assert _post(world.association, body).status_code == 200
    assert _post(world.unit_lead, body).status_code == 403
    anonymous = _post(None, body)
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"] == "Authentification requise : connectez-vous."


def test_the_csrf_token_is_required(world: SimulationWorld) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    refused = client.post(URL, data={}, content_type="application/json")
    assert refused.status_code == 403

    client.get(reverse("funding:simulation", kwargs={"year": 2026}))
    token = client.cookies["csrftoken"].value
    accepted = client.post(URL, data={}, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert accepted.status_code == 200


def test_the_api_writes_nothing(world: SimulationWorld) -> None:
    before = (list(ResearchContract.objects.values_list("pk", "total_cents", "cifre")),
              list(InvoicedAmount.objects.values_list("pk", "amount_cents")))
    client = Client()
    client.force_login(world.officer)
    with CaptureQueriesContext(connection) as queries:
        response = _post(None, {"envelope_cents": 10, "changes": [
            {"kind": "change_contract", "contract": f"{SHARED}/C-S1", "total_cents": 0,
             "invoiced_cents": {"2025": 0}, "cifre": True},
            {"kind": "add_unit", "consortium": "terr-alsace", "rnsr": EXTRA, "fte": 1}]},
                         client)
    assert response.status_code == 200
    assert [query["sql"] for query in queries
            if not query["sql"].lstrip().upper().startswith("SELECT")] == []
    assert (list(ResearchContract.objects.values_list("pk", "total_cents", "cifre")),
            list(InvoicedAmount.objects.values_list("pk", "amount_cents"))) == before
