"""The ledgers' JSON API: a unit's and a consortium's contracts with their eligibility, one
contract with its partner's category explained, and synchronous imports (200 with the report,
422 with every error located, nothing written). The world and its hand-checked figures are
those of ``test_views_ledgers``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from carnot.ledgers.models import LedgerImport, ResearchContract
from tests.applications.ledgers.test_views_ledgers import (
    NEW_ROWS,
    RNSR_A,
    RNSR_B,
    RNSR_C,
    SIREN_PME,
    LedgerWorld,
    build_ledger_world,
    csv_file,
    siren,
    snapshot,
)

BASE = "/api/financement"


@pytest.fixture
def lw(db: None) -> LedgerWorld:
    return build_ledger_world()


def api(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def get(user: User | None, path: str, status: int = 200) -> Any:
    response = api(user).get(BASE + path)
    assert response.status_code == status, response.content
    return response.json()


def post_file(user: User | None, path: str, file: SimpleUploadedFile,
              status: int) -> Any:
    response = api(user).post(BASE + path, {"file": file})
    assert response.status_code == status, response.content
    return response.json()


def by_reference(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {contract["reference"]: contract for contract in body["contracts"]}


def test_unit_contracts_with_eligibility_and_totals(lw: LedgerWorld) -> None:
    body = get(lw.lead, f"/unites/{RNSR_A}/contrats")
    assert (body["rnsr"], body["call_year"], body["abondement_years"]) == (RNSR_A, 2026, [2025])
    contracts = by_reference(body)
    assert list(contracts) == ["A-CRT", "A-ETI", "A-HORS", "A-PME"]
    eti = contracts["A-ETI"]["eligibility"]
    assert (eti["counts"], eti["rule"], eti["faq_url"], eti["threshold_cents"]) == (
        False, "FAQ-3.2", "/faq/#FAQ-3.2", 3_000_000)
    assert "ne dépasse pas le seuil" in eti["reason"]
    assert contracts["A-CRT"]["eligibility"]["rule"] == "FAQ-2.6"
    assert contracts["A-HORS"]["eligibility"]["counts"] is True
    pme = contracts["A-PME"]
    assert pme["partner"]["siren"] == SIREN_PME and pme["partner_category_label"] == "PME"
    assert pme["invoiced"] == [{"year": 2025, "amount_cents": 1_200_050},
                               {"year": 2026, "amount_cents": 799_950}]
    assert body["counted_by_year"] == [{"year": 2025, "amount_cents": 4_200_075},
                                       {"year": 2026, "amount_cents": 799_950}]
    assert body["counted_total_cents"] == 5_000_025
    assert (body["contracts_count"], body["counted_count"]) == (4, 2)


def test_unit_contracts_filter_and_unknown_call(lw: LedgerWorld) -> None:
    body = get(lw.officer, f"/unites/{RNSR_A}/contrats?contrats=comptes")
    assert list(by_reference(body)) == ["A-HORS", "A-PME"]
    assert body["counted_total_cents"] == 5_000_025, "totals over every contract"
    refused = get(lw.officer, f"/unites/{RNSR_A}/contrats?appel=1999", status=422)
    assert refused["errors"] == {"appel": ["Aucun appel Carnot pour l'année 1999."]}


def test_unit_contracts_permissions(lw: LedgerWorld) -> None:
    get(None, f"/unites/{RNSR_A}/contrats", status=401)
    get(lw.other_coordinator, f"/unites/{RNSR_A}/contrats", status=404)
    get(lw.lead, f"/unites/{RNSR_C}/contrats", status=404)
    get(lw.association, f"/unites/{RNSR_C}/contrats")


def test_consortium_contracts_grouped_by_unit(lw: LedgerWorld) -> None:
    body = get(lw.coordinator, "/2026/terr-alsace/contrats")
    assert [unit["rnsr"] for unit in body["units"]] == [RNSR_A, RNSR_B]
    assert body["units"][1]["shared_with"] == "them-autre"
    assert [unit["counted_total_cents"] for unit in body["units"]] == [5_000_025, 1_000_010]
    assert body["counted_by_year"] == [{"year": 2025, "amount_cents": 5_200_085},
                                       {"year": 2026, "amount_cents": 799_950}]
    assert body["counted_total_cents"] == 6_000_035
    lead = get(lw.lead, "/2026/terr-alsace/contrats")
    assert [unit["rnsr"] for unit in lead["units"]] == [RNSR_A]
    assert lead["declared_units"] == 2
    get(lw.other_coordinator, "/2026/terr-alsace/contrats", status=404)


def test_one_contract_with_its_category_explained(lw: LedgerWorld) -> None:
    body = get(lw.lead, f"/contrats/{lw.contracts['A-PME'].pk}")
    assert body["reference"] == "A-PME" and body["call_year"] == 2026
    assert body["eligibility"]["counts"] is True
    explanation = body["category_explanation"]
    assert (explanation["category"], explanation["derived"], explanation["agrees"]) == (
        "sme", True, True)
    assert explanation["message"].startswith("PME en 2025 (FAQ-3.2")
    assert explanation["reasons"][1].startswith("PME : 120 personnes (moins de 250)")
    get(lw.coordinator, f"/contrats/{lw.contracts['C-1'].pk}", status=404)


def test_unit_import_returns_the_report_and_reimport_changes_nothing(lw: LedgerWorld) -> None:
    body = post_file(lw.lead, f"/unites/{RNSR_A}/contrats/import", csv_file(*NEW_ROWS), 200)
    assert (body["rows"], body["contracts_created"], body["contracts_unchanged"]) == (3, 2, 1)
    assert body["message"].startswith("Import réussi")
    before = snapshot()
    again = post_file(lw.lead, f"/unites/{RNSR_A}/contrats/import", csv_file(*NEW_ROWS), 200)
    assert (again["changed"], again["contracts_unchanged"]) == (False, 3)
    assert snapshot() == before
    assert LedgerImport.objects.count() == 2


def test_unit_import_refused_with_located_errors_and_nothing_written(lw: LedgerWorld) -> None:
    before = snapshot()
    bad = f"{RNSR_A};A-NEW-3;Optique Rhénane;{siren(4444444)};PME;2025;-5;01/03/2025;non;oui;;"
    body = post_file(lw.lead, f"/unites/{RNSR_A}/contrats/import", csv_file(*NEW_ROWS, bad),
                     422)
    assert body["detail"].startswith("Fichier refusé : 1 erreur")
    assert [(e["row"], e["column"]) for e in body["located"]] == [(5, "Montant total HT")]
    assert "ligne 5 colonne « Montant total HT »" in body["errors"]
    assert snapshot() == before


def test_consortium_import_only_touches_declared_units(lw: LedgerWorld) -> None:
    row = (f"{RNSR_C};C-2;Optique Rhénane;{siren(4444444)};PME;2025;16 000,00;01/03/2025;non;"
           "oui;;")
    body = post_file(lw.coordinator, "/2026/terr-alsace/contrats/import", csv_file(row), 422)
    assert [(e["row"], e["column"]) for e in body["located"]] == [(2, "RNSR")]
    assert not ResearchContract.objects.filter(reference="C-2").exists()
    ok = (f"{RNSR_B};B-2;Optique Rhénane;{siren(4444444)};PME;2025;16 000,00;01/03/2025;non;"
          "oui;;")
    assert post_file(lw.coordinator, "/2026/terr-alsace/contrats/import", csv_file(ok),
                     200)["contracts_created"] == 1


def test_import_permissions(lw: LedgerWorld) -> None:
    path = f"/unites/{RNSR_A}/contrats/import"
    post_file(None, path, csv_file(*NEW_ROWS), 401)
    assert post_file(lw.officer, path, csv_file(*NEW_ROWS), 403)["detail"].startswith(
        "Accès refusé")
    post_file(lw.association, path, csv_file(*NEW_ROWS), 403)
    post_file(lw.other_coordinator, path, csv_file(*NEW_ROWS), 404)
    post_file(lw.lead, "/2026/terr-alsace/contrats/import", csv_file(*NEW_ROWS), 403)
    assert not ResearchContract.objects.filter(reference="A-NEW-1").exists()
