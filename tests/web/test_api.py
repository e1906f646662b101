"""The JSON API: an application's life through the API, refusals (401/403/404/422) in French,
CSRF on unsafe methods, the national view, and the published OpenAPI schema.

Who gets which status on every route is in ``tests/web/permissions/api.py`` (route matrix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver

from carnot.accounts.models import Role
from carnot.applications.api import router
from carnot.applications.models import Application
from carnot.applications.services import unit_declare
from carnot.registry.models import Call, Pui, Structure, Team, Unit
from tests.web.factories import (
    make_application,
    make_call,
    make_pui,
    make_structure,
    make_unit,
    make_user,
)

BASE = "/api/candidatures"
PDF = b"%PDF-1.4\n% document d'engagement signe\n%%EOF\n"


@dataclass
class Network:
    call: Call
    unistra: Structure
    cnrs: Structure
    inserm: Structure
    pui: Pui
    icube: Unit
    ibmc: Unit
    coordinator: User
    other_coordinator: User
    unit_lead: User
    officer: User
    staff: User


@pytest.fixture
def network(db: None) -> Network:
    """Strasbourg: a PUI founded by the university and the CNRS, two units of the directory."""
    unistra = make_structure("unistra", name="Université de Strasbourg")
    cnrs = make_structure("cnrs", "epst", name="CNRS")
    inserm = make_structure("inserm", "epst", name="Inserm")
    unit_lead = make_user(Role.UNIT_LEAD, "lead.icube")
    return Network(
        call=make_call(2026), unistra=unistra, cnrs=cnrs, inserm=inserm,
        pui=make_pui("pui-strasbourg", [unistra, cnrs, inserm]),
        icube=make_unit("201923456A", [unistra, cnrs], name="ICube", leads=[unit_lead]),
        ibmc=make_unit("199712345C", [cnrs, inserm], name="IBMC"),
        coordinator=make_user(Role.COORDINATOR, "coord.strasbourg"),
        other_coordinator=make_user(Role.COORDINATOR, "coord.materiaux"),
        unit_lead=unit_lead,
        officer=make_user(Role.PROGRAMME_OFFICER, "officer.mesr"),
        staff=make_user(Role.ASSOCIATION_STAFF, "staff.aicarnot"))


def signed_in(user: User | None, **options: Any) -> Client:
    client = Client(**options)
    if user is not None:
        client.force_login(user)
    return client


def send(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    """A JSON request to the API; returns the response (``.json()`` for its body)."""
    send_method = getattr(client, method.lower())
    if body is None:
        return send_method(BASE + path, **extra)
    return send_method(BASE + path, data=body, content_type="application/json", **extra)


def icube(network: Network, **figures: Any) -> dict[str, Any]:
    return {"rnsr": network.icube.rnsr, "scientific_lead": "Claire Muller",
            "managing_tutelle": "unistra", "tutelles": ["unistra", "cnrs"],
            "permanent_researchers_fte": "120.5", **figures}


def line(panel: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(found for found in panel["lines"] if found["rule"] == rule)


def draft(network: Network, code: str = "terr-strasbourg", *, owner: User | None = None,
          kind: str = "territorial") -> Application:
    return make_application(network.call, owner or network.coordinator, code, kind,
                            network.unistra, puis=[network.pui])


# --- An application's life through the API ------------------------------------------------


def test_coordinator_files_an_application_through_the_api(network: Network) -> None:
    coordinator = signed_in(network.coordinator)

    created = send(coordinator, "POST", "/", {
        "year": 2026, "code": "terr-strasbourg", "name": "Carnot Alsace Innovation",
        "kind": "territorial", "coordinator": "unistra", "puis": ["pui-strasbourg"]})
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "draft"
    assert created.json()["puis"] == ["pui-strasbourg"]

    declared = send(coordinator, "POST", "/2026/terr-strasbourg/units", icube(network))
    assert declared.status_code == 201, declared.json()
    assert declared.json()["tutelles"] == ["cnrs", "unistra"]
    assert declared.json()["permanent_researchers_fte"] == "120.50"

    panel = send(coordinator, "GET", "/2026/terr-strasbourg/panel").json()
    signatures = line(panel, "FAQ-2.18")
    assert signatures["status"] == "failed"
    assert signatures["faq_url"] == "/faq/#FAQ-2.18"
    assert any("sans signature habilitée" in verdict["message"] and "CNRS" in verdict["message"]
               for verdict in signatures["verdicts"])
    assert panel["blocking_failures"] >= 1
    assert panel["lines"][0]["status"] == "failed"  # failed rules first

    refused = send(coordinator, "POST", "/2026/terr-strasbourg/transitions",
                   {"target": "submitted"})
    assert refused.status_code == 422
    assert "FAQ-2.18" in refused.json()["detail"]

    required = send(coordinator, "GET", "/2026/terr-strasbourg/signatures").json()
    assert [(s["structure"]["code"], s["signature"]) for s in required] == [
        ("cnrs", None), ("unistra", None)]
    for structure, signatory in (("unistra", "Michel Deneken"), ("cnrs", "Antoine Petit")):
        recorded = send(coordinator, "POST", "/2026/terr-strasbourg/signatures", {
            "structure": structure, "signatory": signatory, "empowerment": "Président",
            "signed_on": "2026-03-02"})
        assert recorded.status_code == 200, recorded.json()
    required = send(coordinator, "GET", "/2026/terr-strasbourg/signatures").json()
    assert [s["signature"]["signatory"] for s in required] == ["Antoine Petit", "Michel Deneken"]

    panel = send(coordinator, "GET", "/2026/terr-strasbourg/panel").json()
    assert line(panel, "FAQ-2.18")["status"] == "passed"
    assert panel["blocking_failures"] == 0

    allowed = send(coordinator, "GET", "/2026/terr-strasbourg/transitions").json()
    assert [t["target"] for t in allowed] == ["submitted"]
    submitted = send(coordinator, "POST", "/2026/terr-strasbourg/transitions",
                     {"target": "submitted"})
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["source"] == "draft"
    assert submitted.json()["by"] == "coord.strasbourg"
    detail = send(coordinator, "GET", "/2026/terr-strasbourg").json()
    assert detail["status"] == "submitted"
    assert detail["status_label"] == "Déposée"
    assert [unit["rnsr"] for unit in detail["units"]] == [network.icube.rnsr]
    assert len(detail["signatures"]) == 2

    history = send(coordinator, "GET", "/2026/terr-strasbourg/history").json()
    assert [(t["source"], t["target"]) for t in history["transitions"]] == [
        ("draft", "submitted")]
    assert {change["subject"] for change in history["changes"]} >= {
        "candidature", f"unité {network.icube.rnsr}", "signature cnrs", "signature unistra"}

    frozen = send(coordinator, "PATCH", "/2026/terr-strasbourg", {"name": "Autre nom"})
    assert frozen.status_code == 403
    assert "n'est plus modifiable" in frozen.json()["detail"]


def test_update_changes_only_the_fields_sent_and_records_them(network: Network) -> None:
    draft(network)
    coordinator = signed_in(network.coordinator)

    response = send(coordinator, "PATCH", "/2026/terr-strasbourg",
                    {"reference_fte": "130", "theme": "Santé et numérique"})

    assert response.status_code == 200, response.json()
    assert response.json()["reference_fte"] == "130.00"
    assert response.json()["name"] == "Consortium terr-strasbourg"
    assert response.json()["puis"] == ["pui-strasbourg"]
    changes = send(coordinator, "GET", "/2026/terr-strasbourg/history").json()["changes"]
    assert {(c["field"], c["old"], c["new"]) for c in changes} >= {
        ("reference_fte", "", "130"), ("theme", "", "Santé et numérique")}


def test_list_is_filtered_by_year_kind_and_status(network: Network) -> None:
    draft(network)
    draft(network, "them-sante", kind="thematic")
    officer = signed_in(network.officer)

    def codes(query: str) -> list[str]:
        return [a["code"] for a in officer.get(f"{BASE}/{query}").json()]

    assert codes("") == ["terr-strasbourg", "them-sante"]
    assert codes("?kind=thematic") == ["them-sante"]
    assert codes("?call_year=2027") == []
    assert codes("?status=submitted") == []
    assert officer.get(f"{BASE}/?kind=hybride").status_code == 422


# --- Who may see and change what ----------------------------------------------------------


def test_a_coordinator_gets_404_on_another_coordinators_application(network: Network) -> None:
    draft(network, "them-materiaux", owner=network.other_coordinator, kind="thematic")
    draft(network)
    other = signed_in(network.other_coordinator)

    hidden = send(other, "GET", "/2026/terr-strasbourg")
    missing = send(other, "GET", "/2026/nexiste-pas")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()  # nothing tells it exists
    assert send(other, "GET", "/2026/terr-strasbourg/panel").status_code == 404
    assert send(other, "POST", "/2026/terr-strasbourg/units", icube(network)).status_code == 404
    assert [a["code"] for a in send(other, "GET", "/").json()] == ["them-materiaux"]


def test_association_staff_reads_the_national_view_but_cannot_post(network: Network) -> None:
    application = draft(network)
    unit_declare(application=application, by=network.coordinator, rnsr=network.icube.rnsr,
                 scientific_lead="Claire Muller", managing_tutelle=network.unistra,
                 tutelles=[network.unistra, network.cnrs],
                 permanent_researchers_fte=Decimal(120))
    staff = signed_in(network.staff)

    national = send(staff, "GET", "/national/2026")
    assert national.status_code == 200
    row = national.json()["applications"][0]
    assert (row["code"], row["status"], row["units"]) == ("terr-strasbourg", "draft", 1)
    assert "FAQ-2.18" in row["failed_rules"]
    assert row["blocking_failures"] >= 1

    created = send(staff, "POST", "/", {"year": 2026, "code": "them-x", "name": "X",
                                        "kind": "thematic", "coordinator": "cnrs"})
    assert created.status_code == 403
    assert send(staff, "PATCH", "/2026/terr-strasbourg", {"name": "X"}).status_code == 403
    assert send(staff, "POST", "/2026/terr-strasbourg/transitions",
                {"target": "submitted"}).status_code == 403
    assert send(staff, "GET", "/2026/terr-strasbourg/transitions").json() == []
    assert send(signed_in(network.coordinator), "GET", "/national/2026").status_code == 403


def test_national_view_groups_cross_application_checks_by_unit(network: Network) -> None:
    for code in ("them-sante", "them-numerique"):
        application = draft(network, code, kind="thematic")
        unit_declare(application=application, by=network.coordinator, rnsr=network.ibmc.rnsr,
                     scientific_lead="Anne Dupont", managing_tutelle=network.cnrs,
                     tutelles=[network.cnrs, network.inserm],
                     permanent_researchers_fte=Decimal(40))

    national = send(signed_in(network.officer), "GET", "/national/2026").json()

    [unit] = national["cross_checks"]
    assert (unit["rnsr"], unit["unit_name"]) == (network.ibmc.rnsr, "IBMC")
    two_thematic = next(c for c in unit["checks"] if c["rule"] == "FAQ-2.21")
    assert two_thematic["kind"] == "two_thematic"
    assert two_thematic["applications"] == ["them-numerique", "them-sante"]
    assert two_thematic["faq_url"] == "/faq/#FAQ-2.21"
    assert send(signed_in(network.officer), "GET", "/national/2031").status_code == 404


def test_a_unit_lead_corrects_its_unit_but_adds_none(network: Network) -> None:
    application = draft(network)
    unit_declare(application=application, by=network.coordinator, rnsr=network.icube.rnsr,
                 scientific_lead="", managing_tutelle=network.unistra,
                 tutelles=[network.unistra, network.cnrs], permanent_researchers_fte=None)
    lead = signed_in(network.unit_lead)

    corrected = send(lead, "PATCH", f"/2026/terr-strasbourg/units/{network.icube.rnsr}",
                     {"permanent_researchers_fte": "98", "scientific_lead": "Claire Muller"})
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["permanent_researchers_fte"] == "98.00"
    assert corrected.json()["scientific_lead"] == "Claire Muller"
    assert corrected.json()["tutelles"] == ["cnrs", "unistra"]

    added = send(lead, "POST", "/2026/terr-strasbourg/units",
                 icube(network, rnsr=network.ibmc.rnsr))
    assert added.status_code == 403
    assert send(lead, "GET", "/2026/terr-strasbourg").status_code == 200


def test_an_officer_decides_and_a_reason_is_required_to_refuse(network: Network) -> None:
    application = draft(network)
    application.status = "submitted"
    application.save()
    officer = signed_in(network.officer)

    no_reason = send(officer, "POST", "/2026/terr-strasbourg/transitions",
                     {"target": "inadmissible"})
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"] == "Un motif est requis pour cette décision."

    decided = send(officer, "POST", "/2026/terr-strasbourg/transitions",
                   {"target": "admissible"})
    assert decided.status_code == 200
    assert decided.json()["target"] == "admissible"
    assert send(signed_in(network.coordinator), "POST", "/2026/terr-strasbourg/transitions",
                {"target": "selected"}).status_code == 403


# --- Refusals, in French ------------------------------------------------------------------


def test_unknown_rnsr_is_refused_with_422_naming_it_and_the_rule(network: Network) -> None:
    draft(network)

    response = send(signed_in(network.coordinator), "POST", "/2026/terr-strasbourg/units",
                    icube(network, rnsr="202099999Z"))

    assert response.status_code == 422
    body = response.json()
    assert "202099999Z" in body["detail"]
    assert "FAQ-2.18" in body["detail"]
    assert body["errors"] == {"rnsr": ["Unité inconnue du répertoire national : « 202099999Z "
                                       "». Vérifiez le numéro RNSR (FAQ-2.18)."]}


def test_unknown_reference_data_and_bad_input_are_refused_in_french(network: Network) -> None:
    draft(network)
    coordinator = signed_in(network.coordinator)

    unknown = send(coordinator, "POST", "/2026/terr-strasbourg/units",
                   icube(network, tutelles=["unistra", "cea"]))
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"tutelles": ["Structure inconnue du répertoire : cea."]}

    malformed = send(coordinator, "POST", "/2026/terr-strasbourg/units",
                     {"managing_tutelle": "unistra", "tutelles": "unistra"})
    assert malformed.status_code == 422
    assert malformed.json()["detail"].startswith("Données invalides")
    assert malformed.json()["errors"]["body.payload.rnsr"] == ["champ requis"]

    negative = send(coordinator, "POST", "/2026/terr-strasbourg/units",
                    icube(network, permanent_researchers_fte="-3"))
    assert negative.status_code == 422
    assert "permanent_researchers_fte" in negative.json()["errors"]


def test_anonymous_requests_get_401(db: None) -> None:
    response = Client().get(f"{BASE}/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Authentification requise : connectez-vous."


def test_signed_document_must_be_a_pdf_of_bounded_size(network: Network, settings: Any) -> None:
    application = draft(network)
    unit_declare(application=application, by=network.coordinator, rnsr=network.icube.rnsr,
                 scientific_lead="Claire Muller", managing_tutelle=network.unistra,
                 tutelles=[network.unistra, network.cnrs],
                 permanent_researchers_fte=Decimal(120))
    coordinator = signed_in(network.coordinator)
    url = f"{BASE}/2026/terr-strasbourg/signatures/cnrs/document"

    def upload(name: str, content: bytes, **fields: str) -> Any:
        return coordinator.post(url, {"document": SimpleUploadedFile(name, content), **fields})

    no_signatory = upload("engagement.pdf", PDF)
    assert no_signatory.status_code == 422
    assert "signatory" in no_signatory.json()["errors"]

    not_pdf = upload("engagement.pdf", b"MZ\x90\x00 not a pdf", signatory="Antoine Petit")
    assert not_pdf.status_code == 422
    assert not_pdf.json()["errors"] == {"document": ["Le document signé doit être un PDF."]}

    settings.MAX_UPLOAD_BYTES = 16
    too_big = upload("engagement.pdf", PDF, signatory="Antoine Petit")
    assert too_big.status_code == 422
    assert "trop volumineux" in too_big.json()["detail"]

    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    stored = upload("engagement.pdf", PDF, signatory="Antoine Petit", signed_on="2026-03-02")
    assert stored.status_code == 200, stored.json()
    assert stored.json()["has_document"] is True
    assert stored.json()["signatory"] == "Antoine Petit"

    replaced = upload("engagement-v2.pdf", PDF)  # the recorded signatory is kept
    assert replaced.status_code == 200
    assert replaced.json()["signed_on"] == "2026-03-02"


# --- CSRF ---------------------------------------------------------------------------------


def test_a_forged_post_without_csrf_token_is_refused(network: Network) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/connexion/")  # the login page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    client.force_login(network.coordinator)
    body = {"year": 2026, "code": "terr-strasbourg", "name": "Carnot Alsace Innovation",
            "kind": "territorial", "coordinator": "unistra"}

    forged = send(client, "POST", "/", body)
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["detail"]
    assert not Application.objects.exists()
    assert send(client, "GET", "/").status_code == 200  # safe methods need no token

    genuine = send(client, "POST", "/", body, headers={"X-CSRFToken": token})
    assert genuine.status_code == 201, genuine.json()


# --- OpenAPI ------------------------------------------------------------------------------


def _routes() -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every operation of the router, from its URL patterns."""
    found = set()
    for path, path_view in router.path_operations.items():
        documented = "/api/candidatures" + re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", path)
        for operation in path_view.operations:
            found |= {(documented.rstrip("/") or "/", method.lower())
                      for method in operation.methods}
    return found


def test_openapi_schema_documents_every_route(db: None) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    documented = {(path.rstrip("/"), method) for path, methods in schema["paths"].items()
                  for method in methods}

    assert _routes() <= documented
    assert len(_routes()) >= 17
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            who = operation.get("description", "")
            assert who.strip(), f"{method.upper()} {path}: no description (who may use it)"
            assert operation.get("summary", "").strip(), f"{method.upper()} {path}: no summary"
            assert {"401", "403", "404", "422"} <= set(operation["responses"]), (method, path)
    operation_ids = {operation["operationId"] for methods in schema["paths"].values()
                     for operation in methods.values()}
    assert {"get_panel", "national_view", "upload_signed_document"} <= operation_ids
    assert Client().get("/api/docs").status_code == 200


def test_api_docs_load_no_asset_from_another_site(db: None) -> None:
    docs = Client().get("/api/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "https://" not in docs


def test_every_api_url_pattern_is_in_the_schema(db: None) -> None:
    """No operation escapes the schema: every URL pattern under /api/candidatures/ is one of
    its paths."""
    schema_paths = {path.rstrip("/") for path in Client().get("/api/openapi.json").json()["paths"]}
    patterns = set()
    for pattern, _ in _api_patterns():
        patterns.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern).rstrip("/"))
    candidatures = {p for p in patterns if p.startswith("/api/candidatures")}
    assert candidatures
    assert candidatures <= schema_paths


def _api_patterns() -> list[tuple[str, str]]:
    found = []
    for entry in get_resolver().url_patterns:
        if str(entry.pattern) == "api/":
            for inner in getattr(entry, "url_patterns", []):
                found.append(("api/" + str(inner.pattern), inner.name or ""))
    return found


@pytest.mark.django_db
def test_an_incomplete_unit_names_its_teams_through_the_api(db: None) -> None:
    """FAQ-2.25: the teams of an incomplete unit are named by the API as on the pages; an
    unknown team is refused with a French message."""
    call = make_call()
    unistra = make_structure("unistra")
    owner = make_user("coordinator", "coord-api-teams")
    make_application(call, owner, "fc-api-teams", kind="former_carnot",
                               coordinator=unistra)
    unit = make_unit("200919143B", tutelles=[unistra])
    Team.objects.create(unit=unit, name="Équipe Matériaux")
    client = Client()
    client.force_login(owner)
    base = f"/api/candidatures/{call.year}/fc-api-teams/units"
    created = client.post(base, {"rnsr": unit.rnsr, "managing_tutelle": "unistra",
                                 "tutelles": ["unistra"], "scientific_lead": "Anne Martin"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    refused = client.patch(f"{base}/{unit.rnsr}", {"partial": True, "teams": ["Inconnue"]},
                           content_type="application/json")
    assert refused.status_code == 422
    assert "Inconnue" in refused.json()["detail"] + str(refused.json().get("errors"))
    accepted = client.patch(f"{base}/{unit.rnsr}", {"partial": True,
                                                    "teams": ["Équipe Matériaux"]},
                            content_type="application/json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["teams"] == ["Équipe Matériaux"]
