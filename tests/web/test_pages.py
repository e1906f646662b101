"""The application pages, driven as a user would: create, declare units, sign, follow the live
panel, submit, decide; the national view, its filters, cross-checks and exports."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carnot.accounts.models import Role
from carnot.applications import services, spreadsheet
from carnot.applications.models import Application, ApplicationUnit, Signature
from carnot.applications.selectors import application_transitions
from carnot.common.sheets import SheetError, SpreadsheetRejected
from carnot.registry.models import Call, Pui, Structure, Unit
from tests.web.factories import (
    make_application,
    make_call,
    make_pui,
    make_structure,
    make_unit,
    make_user,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Site:
    call: Call
    unistra: Structure
    cnrs: Structure
    inserm: Structure
    pui: Pui
    icube: Unit
    lamour: Unit
    igbmc: Unit
    coordinator: User
    other_coordinator: User
    unit_lead: User
    officer: User
    staff: User

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture(autouse=True)
def _fresh_panels(settings: Any, tmp_path: Path) -> None:
    """Panels are cached by the call's revision: start every test from an empty cache, and
    keep uploads in the test's directory."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def site(db: None) -> Site:
    call = make_call(2026)
    unistra = make_structure("unistra", name="Université de Strasbourg")
    cnrs = make_structure("cnrs", "epst", name="CNRS")
    inserm = make_structure("inserm", "epst", name="Inserm")
    pui = make_pui("pui-strasbourg", [unistra], name="PUI de Strasbourg")
    pui.partners.add(cnrs)
    unit_lead = make_user(Role.UNIT_LEAD, "claire.muller")
    return Site(
        call=call, unistra=unistra, cnrs=cnrs, inserm=inserm, pui=pui,
        icube=make_unit("201923456A", [unistra, cnrs], name="ICube", leads=[unit_lead]),
        lamour=make_unit("201822222B", [cnrs], name="Institut Jean Lamour"),
        igbmc=make_unit("199712345C", [inserm, unistra], name="IGBMC"),
        coordinator=make_user(Role.COORDINATOR, "coordination.alsace"),
        other_coordinator=make_user(Role.COORDINATOR, "coordination.materiaux"),
        unit_lead=unit_lead,
        officer=make_user(Role.PROGRAMME_OFFICER, "charge.programme"),
        staff=make_user(Role.ASSOCIATION_STAFF, "equipe.aicarnot"),
    )


def _territorial(site: Site, code: str = "terr-strasbourg") -> Application:
    return make_application(site.call, site.coordinator, code, "territorial", site.unistra,
                            [site.pui])


def _declare(application: Application, unit: Unit, by: User, *, fte: str = "120",
             lead: str = "Claire Muller", shared_with: Application | None = None
             ) -> ApplicationUnit:
    return services.unit_declare(
        application=application, by=by, rnsr=unit.rnsr, scientific_lead=lead,
        managing_tutelle=unit.managing_tutelle, tutelles=list(unit.tutelles.all()),
        permanent_researchers_fte=Decimal(fte), shared_with=shared_with)


def _sign(application: Application, structure: Structure, by: User) -> None:
    services.signature_record(application=application, by=by, structure=structure,
                              signatory=f"Signataire {structure.code}", empowered=True)


def _url(name: str, application: Application, **kwargs: Any) -> str:
    return reverse(f"applications:{name}", kwargs={"year": application.call.year,
                                                   "code": application.code, **kwargs})


def _panel_line(html: str, rule: str) -> str:
    """The panel's line of ``rule`` (its opening tag carries the rule and its status)."""
    match = re.search(rf'<li[^>]*data-testid="panel-line" data-rule="{re.escape(rule)}"'
                      rf'[^>]*>.*?</li>\s*</ul>\s*</li>', html, re.S)
    assert match, f"no panel line for {rule}"
    return match.group(0)


def _status_of(html: str, rule: str) -> str:
    match = re.search(rf'data-rule="{re.escape(rule)}" data-status="(\w+)"', html)
    assert match, f"no panel line for {rule}"
    return match.group(1)


# --- Creating an application ---------------------------------------------------------------

def test_coordinator_creates_a_thematic_application_with_its_alignments(site: Site) -> None:
    client = site.client(site.coordinator)
    assert 'data-testid="new-application"' in client.get("/candidatures/").content.decode()
    response = client.post(reverse("applications:create"), {
        "call": site.call.pk, "code": "them-sante", "name": "Carnot Santé Numérique",
        "kind": "thematic", "coordinator": site.inserm.pk, "theme": "Santé numérique",
        "theme_justification": "Données de santé et IA pour le diagnostic.",
        "sna": "Santé numérique", "pepr": "PEPR Santé numérique\nPEPR IA", "csf": ""})
    application = Application.objects.get(code="them-sante")
    assert response.status_code == 302
    assert response["Location"] == "/candidatures/2026/them-sante/"
    assert list(application.owners.all()) == [site.coordinator]
    assert sorted((a.kind, a.name) for a in application.alignments.all()) == [
        ("PEPR", "PEPR IA"), ("PEPR", "PEPR Santé numérique"), ("SNA", "Santé numérique")]
    page = client.get(response["Location"]).content.decode()
    assert "Carnot Santé Numérique" in page
    assert "PEPR : PEPR IA" in page


def test_a_code_already_taken_in_the_call_is_refused_on_its_field(site: Site) -> None:
    _territorial(site)
    response = site.client(site.coordinator).post(reverse("applications:create"), {
        "call": site.call.pk, "code": "terr-strasbourg", "name": "Doublon",
        "kind": "territorial", "coordinator": site.unistra.pk, "pui": site.pui.pk})
    assert response.status_code == 200
    assert "L&#x27;identifiant « terr-strasbourg » est déjà pris pour cet appel." in \
        response.content.decode()
    assert Application.objects.count() == 1


def test_applications_are_created_for_an_open_call_only(site: Site) -> None:
    site.call.status = "closed"
    site.call.save()
    response = site.client(site.coordinator).post(reverse("applications:create"), {
        "call": site.call.pk, "code": "terr-tardive", "name": "Trop tard",
        "kind": "territorial", "coordinator": site.unistra.pk, "pui": site.pui.pk})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Application.objects.exists()


def test_only_coordinators_and_administrators_create_applications(site: Site) -> None:
    assert site.client(site.officer).get(reverse("applications:create")).status_code == 403
    assert site.client(site.unit_lead).get(reverse("applications:create")).status_code == 403
    page = site.client(site.officer).get("/candidatures/").content.decode()
    assert 'data-testid="new-application"' not in page


def test_a_draft_is_edited_and_the_change_is_in_its_history(site: Site) -> None:
    application = make_application(site.call, site.coordinator, "them-sante", "thematic",
                                   site.inserm)
    client = site.client(site.coordinator)
    form = client.get(_url("edit", application)).content.decode()
    assert 'value="them-sante"' in form
    response = client.post(_url("edit", application), {
        "name": "Carnot Santé", "kind": "thematic", "coordinator": site.inserm.pk,
        "theme": "Santé numérique", "theme_justification": "Alignée sur le PEPR.",
        "pepr": "PEPR Santé numérique"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.name, application.theme) == ("Carnot Santé", "Santé numérique")
    assert [a.name for a in application.alignments.all()] == ["PEPR Santé numérique"]
    page = client.get(_url("detail", application)).content.decode()
    assert "Consortium them-sante" in page
    assert "Carnot Santé" in page


def test_the_list_shows_each_application_with_all_its_units(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    _declare(application, site.lamour, site.coordinator, lead="Sophie Lambert")
    make_application(site.call, site.other_coordinator, "them-materiaux", "thematic", site.cnrs)
    for user, codes in ((site.unit_lead, ["terr-strasbourg"]),
                        (site.coordinator, ["terr-strasbourg"]),
                        (site.staff, ["terr-strasbourg", "them-materiaux"])):
        html = site.client(user).get("/candidatures/").content.decode()
        assert re.findall(r'data-testid="application-row" data-code="([\w-]+)"', html) == codes
        row = re.search(r'data-code="terr-strasbourg">.*?</tr>', html, re.S)
        assert row is not None
        assert "<td>2</td>" in row.group(0), "the unit lead sees every unit counted"


# --- Units ---------------------------------------------------------------------------------

def test_a_unit_is_added_from_the_directory_with_its_tutelles(site: Site) -> None:
    application = _territorial(site)
    response = site.client(site.coordinator).post(
        _url("unit-add", application),
        {"rnsr": "201923456a", "scientific_lead": "Claire Muller",
         "permanent_researchers_fte": "120.5", "research_engineers_fte": "4"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "carnot-changed"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="workspace"')
    assert 'data-testid="unit-row" data-rnsr="201923456A"' in html
    declaration = application.units.get()
    assert declaration.unit == site.icube
    assert declaration.managing_tutelle == site.unistra
    assert set(declaration.tutelles.all()) == {site.unistra, site.cnrs}
    assert declaration.permanent_researchers_fte == Decimal("120.5")
    assert "Unité 201923456A ajoutée." in html


def test_an_htmx_change_empties_the_messages_left_at_the_top_of_the_page(site: Site) -> None:
    """« Candidature créée », « Action refusée… »: about an earlier step, they must not stay
    above a workspace that htmx has changed since (no inline script: an out-of-band swap)."""
    application = _territorial(site)
    _declare(application, site.lamour, site.coordinator, lead="")
    client = site.client(site.coordinator)
    refused = client.post(_url("transition", application), {"target": "submitted"},
                          follow=True).content.decode()
    assert re.search(r'<div id="messages" data-testid="messages">\s*<div class="fr-alert '
                     r'fr-alert--error', refused)
    html = client.post(_url("unit-add", application),
                       {"rnsr": site.icube.rnsr, "scientific_lead": "Claire Muller",
                        "permanent_researchers_fte": "12"}, **HTMX).content.decode()
    emptied = re.search(r'<div id="messages" data-testid="messages" hx-swap-oob="true">'
                        r'(.*?)</div>', html, re.S)
    assert emptied is not None and not emptied.group(1).strip()
    invalid = client.post(_url("unit-add", application), {"rnsr": "nimporte"},
                          **HTMX).content.decode()
    assert 'id="messages" data-testid="messages" hx-swap-oob="true"' in invalid
    page = client.get(_url("detail", application)).content.decode()
    assert 'hx-swap-oob' not in page, "the full page carries the messages in place"


def test_figures_are_written_the_french_way_in_the_page_and_the_panel(site: Site) -> None:
    application = _territorial(site)
    services.unit_declare(
        application=application, by=site.coordinator, rnsr=site.icube.rnsr,
        scientific_lead="Claire Muller", managing_tutelle=site.unistra,
        tutelles=[site.unistra, site.cnrs], permanent_researchers_fte=Decimal("20.50"),
        research_engineers_fte=Decimal("4"), research_engineers_do_research=True)
    html = site.client(site.coordinator).get(_url("detail", application)).content.decode()
    figure = re.search(r'data-testid="figure-fte">([^<]*)<', html)
    assert figure is not None and figure.group(1) == "24,5"
    unit = re.search(r'data-testid="unit-fte">(.*?)</td>', html, re.S)
    assert unit is not None and unit.group(1).startswith("20,5<br>")
    assert "+ 4 ingénieurs (comptés)" in unit.group(1)
    line = _panel_line(html, "FAQ-2.16")
    assert "Périmètre 2025 : 24,5 ETP" in line and "dont 4 ETP d&#x27;ingénieurs" in line
    assert "20.50" not in html and "24.50" not in html


def test_the_history_names_fields_and_values_in_french(site: Site) -> None:
    application = _territorial(site)
    declaration = _declare(application, site.icube, site.coordinator, fte="12.50")
    services.unit_update(declaration=declaration, by=site.coordinator,
                         permanent_researchers_fte=Decimal("20"), partial=True)
    html = site.client(site.coordinator).get(_url("detail", application)).content.decode()
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in
            re.findall(r'data-testid="history-row">(.*?)</tr>', html, re.S)]
    assert any("ETP recherche permanents 12,5 20" in row for row in rows), rows
    assert any("unité incomplète non oui" in row for row in rows), rows
    assert not any("permanent_researchers_fte" in row or "False" in row for row in rows)


def test_without_htmx_adding_a_unit_redirects_to_the_application(site: Site) -> None:
    application = _territorial(site)
    response = site.client(site.coordinator).post(
        _url("unit-add", application),
        {"rnsr": site.lamour.rnsr, "scientific_lead": "Sophie Lambert",
         "permanent_researchers_fte": "80"})
    assert response.status_code == 302
    assert response["Location"] == _url("detail", application)
    assert application.units.get().unit == site.lamour


def test_an_unknown_rnsr_is_refused_with_a_clear_french_message(site: Site) -> None:
    application = _territorial(site)
    client = site.client(site.coordinator)
    unknown = client.post(_url("unit-add", application),
                          {"rnsr": "202399999Z", "scientific_lead": "X"}, **HTMX)
    assert unknown.status_code == 200
    assert "Unité inconnue du répertoire national : « 202399999Z »" in unknown.content.decode()
    malformed = client.post(_url("unit-add", application), {"rnsr": "12AB"})
    assert malformed.status_code == 200
    assert "n&#x27;est pas un numéro RNSR" in malformed.content.decode()
    assert not application.units.exists()


def test_the_rnsr_lookup_answers_from_the_directory(site: Site) -> None:
    client = site.client(site.coordinator)
    found = client.get(reverse("applications:unit-lookup"), {"rnsr": "201923456A"})
    assert "ICube" in found.content.decode()
    assert "Université de Strasbourg" in found.content.decode()
    missing = client.get(reverse("applications:unit-lookup"), {"rnsr": "202399999Z"})
    assert 'data-testid="rnsr-unknown"' in missing.content.decode()


def test_a_unit_declared_twice_is_refused(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    response = site.client(site.coordinator).post(
        _url("unit-add", application), {"rnsr": site.icube.rnsr, "scientific_lead": "Y"})
    assert "déjà déclarée dans cette candidature" in response.content.decode()
    assert application.units.count() == 1


def test_a_unit_is_removed_with_a_post_only(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    client = site.client(site.coordinator)
    url = _url("unit-remove", application, rnsr=site.icube.rnsr)
    assert client.get(url).status_code == 405
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "carnot-changed"
    assert not application.units.exists()


def test_the_unit_lead_corrects_its_own_line_only(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    _declare(application, site.lamour, site.coordinator, lead="Sophie Lambert", fte="80")
    client = site.client(site.unit_lead)
    page = client.get(_url("detail", application)).content.decode()
    assert page.count('data-testid="unit-edit"') == 1
    assert 'data-testid="unit-remove"' not in page
    response = client.post(_url("unit-edit", application, rnsr=site.icube.rnsr),
                           {"scientific_lead": "Claire Muller",
                            "permanent_researchers_fte": "118"})
    assert response.status_code == 302
    assert application.units.get(unit=site.icube).permanent_researchers_fte == Decimal("118")
    assert client.get(_url("unit-edit", application, rnsr=site.lamour.rnsr)).status_code == 403
    assert client.post(_url("unit-remove", application, rnsr=site.icube.rnsr)).status_code == 403
    history = client.get(_url("detail", application)).content.decode()
    assert re.search(r"ETP recherche permanents</td>\s*<td>120</td>\s*<td>118</td>", history)


# --- Commitment document -------------------------------------------------------------------

def test_every_tutelle_must_sign_and_missing_ones_are_shown(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    _sign(application, site.unistra, site.coordinator)
    page = site.client(site.coordinator).get(_url("detail", application)).content.decode()
    assert 'data-structure="cnrs" data-signed="no"' in page
    assert 'data-structure="unistra" data-signed="yes"' in page
    assert "manquante" in page


def test_a_signed_pdf_is_accepted_and_downloadable(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    client = site.client(site.coordinator)
    response = client.post(_url("signature-record", application), {
        "structure": site.cnrs.pk, "signatory": "Antoine Petit",
        "empowerment": "Président-directeur général", "empowered": "on",
        "signed_on": "2026-04-15",
        "document": SimpleUploadedFile("engagement.pdf", PDF, "application/pdf")}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "carnot-changed"
    signature = Signature.objects.get(application=application, structure=site.cnrs)
    assert signature.signatory.full_name == "Antoine Petit"
    assert signature.signed_on.isoformat() == "2026-04-15"
    download = site.client(site.officer).get(
        _url("signature-document", application, structure_code="cnrs"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_document_that_is_not_a_pdf_is_refused(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    response = site.client(site.coordinator).post(_url("signature-record", application), {
        "structure": site.cnrs.pk, "signatory": "Antoine Petit", "empowered": "on",
        "document": SimpleUploadedFile("engagement.pdf", b"<html>pas un PDF</html>")})
    assert response.status_code == 200
    assert "Le document signé doit être un PDF." in response.content.decode()
    assert not Signature.objects.filter(application=application).exists()


def test_only_a_tutelle_of_a_unit_can_sign(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    response = site.client(site.coordinator).post(_url("signature-record", application), {
        "structure": site.inserm.pk, "signatory": "Didier Samuel", "empowered": "on"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Signature.objects.exists()


# --- The live panel ------------------------------------------------------------------------

def test_the_panel_shows_a_failing_rule_with_its_faq_id_then_passes_after_the_fix(
        site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    _sign(application, site.unistra, site.coordinator)
    client = site.client(site.coordinator)

    detail = client.get(_url("detail", application)).content.decode()
    assert re.search(r'<section id="panel-region"[^>]*hx-get="/candidatures/2026/terr-strasbourg/'
                     r'panneau/" hx-trigger="carnot-changed from:body"', detail)
    panel = client.get(_url("panel", application), **HTMX).content.decode()
    assert panel.lstrip().startswith('<div id="admissibility-panel"')
    assert "<section" not in panel, "only the panel, not its region"
    line = _panel_line(panel, "FAQ-2.18")
    assert 'data-status="failed"' in line
    assert 'href="/faq/#FAQ-2.18"' in line
    assert "CNRS" in line

    client.post(_url("signature-record", application),
                {"structure": site.cnrs.pk, "signatory": "Antoine Petit", "empowered": "on"},
                **HTMX)
    fixed = client.get(_url("panel", application), **HTMX).content.decode()
    assert _status_of(fixed, "FAQ-2.18") == "passed"
    assert 'data-failures="0"' in fixed
    assert "Aucune règle bloquante en échec." in fixed


def test_revenue_rules_are_shown_as_not_yet_checkable(site: Site) -> None:
    application = _territorial(site)
    panel = site.client(site.coordinator).get(_url("panel", application)).content.decode()
    assert _status_of(panel, "FAQ-2.19") in {"not_checkable", "failed", "passed"}
    assert _status_of(panel, "FAQ-2.22") == "not_checkable"
    assert "Pas encore vérifiable" in panel


def test_a_missing_scientific_lead_fails_then_passes_once_named(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator, lead="")
    client = site.client(site.coordinator)
    page = client.get(_url("detail", application)).content.decode()
    assert _status_of(page, "FAQ-2.18") == "failed"
    client.post(_url("unit-edit", application, rnsr=site.icube.rnsr),
                {"scientific_lead": "Claire Muller", "permanent_researchers_fte": "120"})
    _sign(application, site.unistra, site.coordinator)
    _sign(application, site.cnrs, site.coordinator)
    panel = client.get(_url("panel", application)).content.decode()
    assert _status_of(panel, "FAQ-2.18") == "passed"


# --- Workflow ------------------------------------------------------------------------------

def test_submission_is_refused_while_a_rule_fails_and_shown_as_an_alert(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    client = site.client(site.coordinator)
    page = client.get(_url("detail", application)).content.decode()
    assert 'data-testid="transition-submitted"' in page
    response = client.post(_url("transition", application), {"target": "submitted"},
                           follow=True)
    html = response.content.decode()
    assert "fr-alert--error" in html
    assert re.search(r"Action refusée : 1 verdict bloquant en échec : \[FAQ-2\.18\] [^<]*"
                     r"sans signature habilitée : [^<;]*\.</p>", html), "no « . ; », no « (s) »"
    assert "[FAQ-2.18]" in html
    application.refresh_from_db()
    assert application.status == "draft"


def test_an_application_without_any_unit_cannot_be_submitted(site: Site) -> None:
    application = _territorial(site)
    client = site.client(site.coordinator)
    panel = client.get(_url("panel", application)).content.decode()
    assert _status_of(panel, "FAQ-2.13") == "failed"
    assert "Aucune unité déclarée" in panel
    html = client.post(_url("transition", application), {"target": "submitted"},
                       follow=True).content.decode()
    assert "Action refusée" in html
    application.refresh_from_db()
    assert application.status == "draft"


def test_a_clean_application_is_submitted_then_decided_by_the_officer(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    _sign(application, site.unistra, site.coordinator)
    _sign(application, site.cnrs, site.coordinator)
    coordinator = site.client(site.coordinator)
    submitted = coordinator.post(_url("transition", application), {"target": "submitted"},
                                 follow=True).content.decode()
    application.refresh_from_db()
    assert application.status == "submitted", submitted
    assert "Statut de la candidature : Déposée." in submitted
    assert 'data-testid="unit-form"' not in submitted
    assert coordinator.post(_url("transition", application),
                            {"target": "admissible"}).status_code == 403

    officer = site.client(site.officer)
    page = officer.get(_url("detail", application)).content.decode()
    assert 'data-testid="transition-admissible"' in page
    assert 'data-testid="transition-inadmissible"' in page
    assert 'name="reason"' in page
    refused = officer.post(_url("transition", application), {"target": "inadmissible"},
                           follow=True).content.decode()
    assert "Un motif est requis pour cette décision." in refused
    officer.post(_url("transition", application), {"target": "admissible"})
    officer.post(_url("transition", application),
                 {"target": "rejected", "reason": "Périmètre trop restreint."})
    application.refresh_from_db()
    assert application.status == "rejected"
    record = application_transitions(application=application)[-1]
    assert (record.source, record.target, record.by) == ("admissible", "rejected", site.officer)
    history = officer.get(_url("detail", application)).content.decode()
    assert "Motif : Périmètre trop restreint." in history
    assert "Recevable" in history


def test_the_association_reads_but_takes_no_decision(site: Site) -> None:
    application = _territorial(site)
    client = site.client(site.staff)
    page = client.get(_url("detail", application)).content.decode()
    assert 'data-testid="workflow"' not in page
    assert 'data-testid="unit-form"' not in page
    assert client.post(_url("transition", application),
                       {"target": "submitted"}).status_code == 403


# --- Access ----------------------------------------------------------------------------------

def test_a_coordinator_cannot_see_another_consortium_application(site: Site) -> None:
    application = _territorial(site)
    client = site.client(site.other_coordinator)
    for name in ("detail", "panel", "export", "edit", "unit-add", "import"):
        assert client.get(_url(name, application)).status_code == 404, name
    assert client.post(_url("transition", application),
                       {"target": "submitted"}).status_code == 404
    assert "terr-strasbourg" not in client.get("/candidatures/").content.decode()


def test_writes_need_the_csrf_token(site: Site) -> None:
    application = _territorial(site)
    client = Client(enforce_csrf_checks=True)
    client.force_login(site.coordinator)
    response = client.post(_url("unit-add", application),
                           {"rnsr": site.icube.rnsr, "scientific_lead": "X"})
    assert response.status_code == 403
    assert not application.units.exists()


def test_pages_have_no_inline_script_nor_style(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    pages = [site.client(site.coordinator).get(_url(name, application)).content.decode()
             for name in ("detail", "panel", "unit-add", "signature-record", "import")]
    pages.append(site.client(site.officer).get(reverse("applications:national"))
                 .content.decode())
    for html in pages:
        assert " style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"\son[a-z]+=", html)
        assert "{#" not in html and "{%" not in html, "a template comment or tag leaked"


# --- Spreadsheet -----------------------------------------------------------------------------

def test_the_spreadsheet_is_exported_to_whoever_sees_the_application(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    response = site.client(site.staff).get(_url("export", application))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content.startswith(b"PK\x03\x04")
    assert "attachment" in response["Content-Disposition"]


def test_a_refused_import_lists_every_error_and_saves_nothing(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    application = _territorial(site)
    errors = [SheetError("Unités", 3, "RNSR", "« 12AB » n'est pas un RNSR."),
              SheetError("Signataires", 2, "Tutelle", "Tutelle inconnue."),
              SheetError(None, None, None, "Feuille « Unités » absente.")]

    def refuse(**_: Any) -> spreadsheet.ImportReport:
        raise SpreadsheetRejected(errors)

    monkeypatch.setattr(spreadsheet, "import_application", refuse)
    response = site.client(site.coordinator).post(_url("import", application), {
        "file": SimpleUploadedFile("depot.xlsx", b"PK\x03\x04 un classeur")})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fichier refusé : 3 erreurs" in html
    assert html.count('data-testid="import-error"') == 3
    assert "<td>Unités</td>" in html
    assert "<td>3</td>" in html
    assert "<td>RNSR</td>" in html
    assert "Tutelle inconnue." in html


@pytest.mark.parametrize(("name", "content", "message"), [
    ("depot.csv", b"PK\x03\x04", "Le fichier doit être un classeur Excel (.xlsx)."),
    ("depot.xlsx", b"%PDF-1.7", "n&#x27;est pas celui d&#x27;un classeur .xlsx"),
])
def test_an_import_that_is_not_a_spreadsheet_is_refused(site: Site, name: str, content: bytes,
                                                        message: str) -> None:
    application = _territorial(site)
    response = site.client(site.coordinator).post(
        _url("import", application), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_an_import_larger_than_the_limit_is_refused(site: Site, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 1000
    application = _territorial(site)
    response = site.client(site.coordinator).post(
        _url("import", application),
        {"file": SimpleUploadedFile("depot.xlsx", b"PK\x03\x04" + b"0" * 2000)})
    assert "Fichier trop volumineux" in response.content.decode()


def test_the_exported_spreadsheet_is_imported_back(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    client = site.client(site.coordinator)
    exported = client.get(_url("export", application)).content
    response = client.post(_url("import", application),
                           {"file": SimpleUploadedFile("depot.xlsx", exported)}, follow=True)
    assert response.redirect_chain[-1][0] == _url("detail", application)
    assert "Import réussi" in response.content.decode()
    assert application.units.get().unit == site.icube


# --- National view ---------------------------------------------------------------------------

def _national_call(site: Site) -> dict[str, Application]:
    """A call with the cross-application problems the national view must show."""
    terr = _territorial(site)
    energy = make_application(site.call, site.other_coordinator, "them-energie", "thematic",
                              site.cnrs)
    digital = make_application(site.call, site.other_coordinator, "them-numerique",
                               "thematic", site.cnrs)
    health = make_application(site.call, site.other_coordinator, "them-sante", "thematic",
                              site.inserm)
    # ICube in two thematic consortia (FAQ-2.21).
    _declare(energy, site.icube, site.other_coordinator, shared_with=digital)
    _declare(digital, site.icube, site.other_coordinator, shared_with=energy)
    # IGBMC shared by a territorial and a thematic consortium (allowed), declared shared on
    # one side only and with different FTE (FAQ-2.17).
    _declare(terr, site.igbmc, site.coordinator, fte="90", shared_with=health)
    _declare(health, site.igbmc, site.other_coordinator, fte="85")
    return {"terr": terr, "energy": energy, "digital": digital, "health": health}


def test_the_national_view_lists_every_application_with_its_panel_summary(site: Site) -> None:
    applications = _national_call(site)
    response = site.client(site.officer).get(reverse("applications:national"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Appel Carnot 2026" in html
    assert html.count('data-testid="national-row"') == 4
    row = re.search(r'data-code="them-energie" data-failures="(\d+)".*?</tr>', html, re.S)
    assert row is not None
    assert int(row.group(1)) > 0
    assert "FAQ-2.21" in row.group(0)
    assert applications["energy"].name in html


def test_the_national_cross_checks_group_the_problems_by_unit(site: Site) -> None:
    _national_call(site)
    html = site.client(site.staff).get(reverse("applications:national")).content.decode()
    checks = re.findall(r'data-testid="cross-check" data-rnsr="(\w+)" data-rule="([\w.-]+)" '
                        r'data-kind="(\w+)"', html)
    assert ("201923456A", "FAQ-2.21", "two_thematic") in checks
    assert ("199712345C", "FAQ-2.17", "one_side") in checks
    assert ("199712345C", "FAQ-2.17", "fte_differ") in checks
    assert len(checks) == len(set(checks)), "each problem once, not once per application"
    assert "IGBMC" in html


def test_a_unit_in_more_than_two_applications_is_a_cross_check(site: Site) -> None:
    applications = _national_call(site)
    _declare(applications["terr"], site.icube, site.coordinator)
    html = site.client(site.officer).get(reverse("applications:national")).content.decode()
    assert 'data-rnsr="201923456A" data-rule="FAQ-2.26" data-kind="more_than_two"' in html


def test_the_national_view_filters_by_kind_status_and_failures(site: Site) -> None:
    applications = _national_call(site)
    clean = _territorial(site, "terr-propre")
    _declare(clean, make_unit("201511111F", [site.unistra], name="LSIIT"), site.coordinator)
    _sign(clean, site.unistra, site.coordinator)
    empty = make_application(site.call, site.other_coordinator, "them-vide", "thematic",
                             site.cnrs)
    Application.objects.filter(pk=applications["health"].pk).update(status="submitted")
    client = site.client(site.officer)

    def codes(**query: str) -> list[str]:
        html = client.get(reverse("applications:national"), query).content.decode()
        return re.findall(r'data-testid="national-row" data-code="([\w-]+)"', html)

    assert codes(type="territorial") == ["terr-propre", "terr-strasbourg"]
    assert codes(statut="submitted") == ["them-sante"]
    everything = codes()
    failing = codes(echecs="on")
    assert clean.code in everything
    assert clean.code not in failing
    assert sorted(failing) == sorted(set(everything) - {clean.code})
    assert codes(appel="2026", type="thematic", statut="draft") == [
        "them-energie", "them-numerique", "them-vide"]
    assert empty.code in failing


def test_the_national_view_defaults_to_the_latest_call(site: Site) -> None:
    _territorial(site)
    later = make_call(2027)
    make_application(later, site.coordinator, "terr-2027", "territorial", site.unistra)
    client = site.client(site.officer)
    latest = client.get(reverse("applications:national")).content.decode()
    assert "terr-2027" in latest
    assert "terr-strasbourg" not in latest
    chosen = client.get(reverse("applications:national"), {"appel": "2026"}).content.decode()
    assert "terr-strasbourg" in chosen


def test_the_national_view_is_for_the_network_only(site: Site) -> None:
    for user, status in ((site.coordinator, 403), (site.unit_lead, 403), (site.officer, 200),
                         (site.staff, 200)):
        assert site.client(user).get(reverse("applications:national")).status_code == status


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_national_table_and_cross_checks_are_exported_as_csv(site: Site) -> None:
    _national_call(site)
    client = site.client(site.officer)
    table = client.get(reverse("applications:national-csv"), {"type": "thematic"})
    assert table["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="candidatures-2026.csv"' in table["Content-Disposition"]
    rows = _csv(table.content)
    assert rows[0][:3] == ["appel", "identifiant", "nom"]
    assert [row[1] for row in rows[1:]] == ["them-energie", "them-numerique", "them-sante"]
    energy = rows[1]
    assert energy[3] == "Thématique national"
    assert "FAQ-2.21" in energy[8].split()

    checks = _csv(client.get(reverse("applications:cross-checks-csv")).content)
    assert checks[0] == ["RNSR", "unité", "contrôle", "règle", "candidatures", "message"]
    assert ["201923456A", "ICube", "Unité dans deux consortiums thématiques",
            "FAQ-2.21"] in [row[:4] for row in checks[1:]]
    assert any(row[0] == "199712345C" and row[3] == "FAQ-2.17" for row in checks[1:])


def _national_queries(client: Client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("applications:national"))
    assert response.status_code == 200
    return len(queries)


def test_the_national_view_query_count_does_not_grow_with_applications(site: Site) -> None:
    client = site.client(site.officer)
    applications = _national_call(site)
    _sign(applications["terr"], site.unistra, site.coordinator)
    few = _national_queries(client)
    for number in range(6):
        application = make_application(site.call, site.other_coordinator, f"them-x{number}",
                                       "thematic", site.cnrs)
        unit = make_unit(f"2016{number:05d}D", [site.cnrs, site.inserm])
        _declare(application, unit, site.other_coordinator)
        _sign(application, site.cnrs, site.other_coordinator)
    many = _national_queries(client)
    assert many == few


def test_the_detail_page_query_count_does_not_grow_with_units(site: Site) -> None:
    application = _territorial(site)
    _declare(application, site.icube, site.coordinator)
    client = site.client(site.coordinator)

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url("detail", application)).status_code == 200
        return len(queries)

    _sign(application, site.unistra, site.coordinator)
    few = count()
    for number in range(5):
        tutelle = make_structure(f"univ-{number}", name=f"Université {number}")
        unit = make_unit(f"20150000{number}E", [tutelle, site.cnrs])
        _declare(application, unit, site.coordinator)
        _sign(application, tutelle, site.coordinator)
    assert count() == few, "units, tutelles, signatures and history lines cost no query each"


def test_the_list_query_count_does_not_grow_with_applications(site: Site) -> None:
    def count(user: User) -> int:
        client = site.client(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("applications:list")).status_code == 200
        return len(queries)

    _declare(_territorial(site), site.icube, site.coordinator)
    few = {user.username: count(user) for user in (site.coordinator, site.unit_lead,
                                                   site.officer)}
    for number in range(5):
        application = _territorial(site, f"terr-x{number}")
        _declare(application, site.icube, site.coordinator)
        _declare(application, make_unit(f"20140000{number}F", [site.unistra]), site.coordinator)
    assert {user.username: count(user) for user in (site.coordinator, site.unit_lead,
                                                    site.officer)} == few

