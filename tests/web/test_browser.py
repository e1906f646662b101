"""The platform in a real browser (Playwright driving Debian's Chromium), on the demo dataset.

A coordinator signs in, creates a territorial application on a PUI that has none yet, adds two
of its units (one without a scientific lead), sees the panel fail FAQ-2.18 (lead missing,
tutelles' signatures missing) with its link to the FAQ, is refused the submission, records the
signatures (with the signed PDF), names the missing lead, sees the panel pass and submits: the
application is « Déposée ». Then the programme officer signs in and sees the national view: the
new application submitted, and the demo's cross-checks (a unit in two thematic consortia,
FAQ-2.21). Every step leaves a full-page screenshot (``$CARNOT_SCREENSHOTS``, else
``var/screenshots/``): 01-login.png, 02-… (``EXPECTED_SCREENSHOTS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from carnot.applications.models import ApplicationUnit
from carnot.demo.accounts import COORDINATOR_USERNAME, DEMO_PASSWORD, OFFICER_USERNAME
from carnot.demo.national import build_demo
from carnot.registry.models import Pui, Structure, Unit
from tests.web.browser_helpers import (
    BrowserProblems,
    Screenshots,
    chromium_context,
    require_chromium,
    screenshot_directory,
    sign_in,
)

pytestmark = pytest.mark.browser

NEW_CODE = "terr-navigateur"
NEW_NAME = "Carnot territorial — test navigateur"
DETAIL = re.compile(rf"/candidatures/2026/{NEW_CODE}/$")
SIGNED_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXPECT_TIMEOUT_MS = 10_000

EXPECTED_SCREENSHOTS = (
    "login", "coordinator-applications", "new-application-form", "application-created",
    "unit-lookup", "panel-fails-faq-2.18", "faq-2.18", "submission-refused",
    "signatures-recorded", "unit-lead-named", "panel-passes", "submitted", "national-view",
    "national-failures-only",
)


@dataclass(frozen=True)
class Scenario:
    """A PUI without application in the demo, its coordinator, two of its units that no
    application declares (``led`` is declared with its scientific lead, ``unled`` without),
    and the tutelles that must sign for them."""

    pui: Pui
    coordinator: Structure
    led: Unit
    unled: Unit
    signatories: list[Structure]


@dataclass(frozen=True)
class Visit:
    """The browser page, the server's address, the screenshots taken so far."""

    page: Page
    base: str
    shots: Screenshots
    scenario: Scenario

    def rule(self, rule: str) -> Locator:
        return self.page.locator(f'[data-testid="panel-line"][data-rule="{rule}"]')

    def unit_row(self, unit: Unit) -> Locator:
        return self.page.locator(f'[data-testid="unit-row"][data-rnsr="{unit.rnsr}"]')


def _scenario() -> Scenario:
    declared = set(ApplicationUnit.objects.values_list("unit_id", flat=True))
    for pui in Pui.objects.filter(applications=None).order_by("code"):
        founders = set(pui.founders.all())
        units = [unit for unit in Unit.objects.filter(managing_tutelle__in=founders)
                 .exclude(pk__in=declared).select_related("managing_tutelle")
                 .prefetch_related("tutelles").order_by("rnsr")
                 if len(unit.tutelles.all()) <= 2]
        if len(units) >= 2:
            led, unled = units[:2]
            signatories = sorted({*led.tutelles.all(), *unled.tutelles.all()},
                                 key=lambda structure: structure.name)
            return Scenario(pui, led.managing_tutelle, led, unled, signatories)
    raise AssertionError("le jeu de démonstration n'a plus de PUI sans candidature avec deux "
                         "unités libres")


@pytest.fixture
def page(live_server: object, transactional_db: None, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    """A page of a fresh Chromium. Playwright's sync API keeps an event loop running in this
    thread: Django must be told that its (synchronous) database access here is intended."""
    require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with chromium_context(tmp_path / "chromium-profile") as context:
        yield context.new_page()


def test_coordinator_files_an_application_and_the_officer_checks_the_call(
        page: Page, live_server: object) -> None:
    build_demo(scale=1, seed=2026)
    problems = BrowserProblems()
    problems.watch(page)
    visit = Visit(page, str(live_server).rstrip("/"), Screenshots(screenshot_directory()),
                  _scenario())

    _coordinator_creates_an_application(visit)
    _coordinator_adds_units_and_sees_faq_2_18_fail(visit)
    _coordinator_fixes_and_submits(visit)
    _officer_sees_the_national_cross_checks(visit)

    for blocked in problems.blocked_inline_styles:
        print(f"style en ligne refusé par la CSP (signalé, sans échec) : {blocked}")
    assert not problems.problems, "\n".join(problems.problems)
    assert visit.shots.taken == [
        f"{number:02d}-{name}.png" for number, name in enumerate(EXPECTED_SCREENSHOTS, 1)]


# --- the steps ---------------------------------------------------------------------------------

def _coordinator_creates_an_application(visit: Visit) -> None:
    page, scenario = visit.page, visit.scenario
    _sign_in(visit, COORDINATOR_USERNAME)
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    _assert_dsfr_styles(page)
    visit.shots.take(page, "login")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/candidatures/$"))
    expect(page.get_by_test_id("current-user")).to_contain_text("Claire Vasseur")
    expect(page.locator('[data-testid="application-row"][data-code="terr-clermont"]')) \
        .to_be_visible()
    visit.shots.take(page, "coordinator-applications")

    page.get_by_test_id("new-application").click()
    expect(page.get_by_role("heading", name="Nouvelle candidature")).to_be_visible()
    form = page.get_by_test_id("application-form")
    form.locator('[name="code"]').fill(NEW_CODE)
    form.locator('[name="name"]').fill(NEW_NAME)
    form.locator('[name="coordinator"]').select_option(label=scenario.coordinator.name)
    form.get_by_text("Territorial (sur un PUI)").click()
    expect(form.locator('[name="kind"][value="territorial"]')).to_be_checked()
    form.locator('[name="pui"]').select_option(label=scenario.pui.name)
    visit.shots.take(page, "new-application-form")
    form.get_by_test_id("application-submit").click()
    expect(page).to_have_url(DETAIL)
    expect(page.get_by_test_id("application-title")).to_have_text(NEW_NAME)
    expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("no-unit")).to_be_visible()
    expect(page.get_by_test_id("message")).to_contain_text(f"Candidature « {NEW_NAME} » créée")
    visit.shots.take(page, "application-created")


def _coordinator_adds_units_and_sees_faq_2_18_fail(visit: Visit) -> None:
    """Units are added with htmx: the directory answers as the RNSR is typed, the workspace is
    swapped, the panel reloads itself."""
    page, scenario = visit.page, visit.scenario
    _type_rnsr(page, scenario.led)
    _submit_unit(visit, scenario.led, fte="12.5", lead="Hélène Rousseau")
    expect(page.get_by_test_id("notice")).to_contain_text(f"Unité {scenario.led.rnsr} ajoutée")
    expect(page.get_by_test_id("message")).to_have_count(0)  # « créée » was an earlier step
    _type_rnsr(page, scenario.unled)
    visit.shots.take(page, "unit-lookup")
    _submit_unit(visit, scenario.unled, fte="8")
    expect(page.get_by_test_id("figure-units")).to_have_text("2")
    expect(page.get_by_test_id("figure-fte")).to_have_text("20,5")
    expect(visit.rule("FAQ-2.13")).to_contain_text("Périmètre 2025 : 20,5 ETP")

    rule = visit.rule("FAQ-2.18")
    expect(rule).to_have_attribute("data-status", "failed")
    expect(rule).to_contain_text(f"{scenario.unled.rnsr} (0 responsable)")
    expect(rule).to_contain_text("sans signature habilitée")
    _assert_nothing_scrolls_sideways(page)
    expect(page.get_by_test_id("panel-summary")).to_contain_text("FAQ-2.18")
    expect(page.get_by_test_id("figure-signatures")).to_have_attribute(
        "data-missing", str(len(scenario.signatories)))
    visit.shots.take(page, "panel-fails-faq-2.18")

    rule.get_by_test_id("panel-rule-link").click()
    expect(page).to_have_url(re.compile(r"/faq/#FAQ-2\.18$"))
    expect(page.locator('[id="FAQ-2.18"]')).to_be_in_viewport()
    visit.shots.take(page, "faq-2.18")
    page.go_back()
    expect(page).to_have_url(DETAIL)

    page.get_by_test_id("transition-submitted").click()
    expect(page.locator(".fr-alert--error").filter(has_text="Action refusée")) \
        .to_contain_text("[FAQ-2.18]")
    expect(page.get_by_test_id("status-badge")).to_have_attribute("data-status", "draft")
    visit.shots.take(page, "submission-refused")


def _coordinator_fixes_and_submits(visit: Visit) -> None:
    page, scenario = visit.page, visit.scenario
    rule = visit.rule("FAQ-2.18")
    refusal = page.get_by_test_id("message").filter(has_text="Action refusée")
    for index, structure in enumerate(scenario.signatories, start=1):
        _record_signature(page, structure, f"Signataire {index} {structure.code}")
        expect(refusal).to_have_count(0)  # fixed since: the refusal goes with the first change
    expect(page.get_by_test_id("figure-signatures")).to_have_attribute("data-missing", "0")
    expect(rule).not_to_contain_text("sans signature")
    expect(rule).to_have_attribute("data-status", "failed")
    _assert_nothing_scrolls_sideways(page)
    visit.shots.take(page, "signatures-recorded")

    visit.unit_row(scenario.unled).get_by_test_id("unit-edit").click()
    expect(page.get_by_role("heading", name=re.compile(f"Unité {scenario.unled.rnsr}"))) \
        .to_be_visible()
    form = page.get_by_test_id("unit-form")
    form.locator('[name="scientific_lead"]').fill("Antoine Lemaire")
    visit.shots.take(page, "unit-lead-named")
    form.get_by_test_id("unit-submit").click()
    expect(page).to_have_url(DETAIL)
    expect(visit.unit_row(scenario.unled)).to_contain_text("Antoine Lemaire")
    expect(rule).to_have_attribute("data-status", "passed")
    expect(page.get_by_test_id("panel")).to_have_attribute("data-failures", "0")
    expect(page.get_by_test_id("panel-summary")).to_contain_text("Aucune règle bloquante")
    visit.shots.take(page, "panel-passes")

    page.get_by_test_id("transition-submitted").click()
    badge = page.get_by_test_id("status-badge")
    expect(badge).to_have_attribute("data-status", "submitted")
    expect(badge).to_have_text("Déposée")
    expect(page.get_by_text("Statut de la candidature : Déposée.")).to_be_visible()
    expect(page.get_by_test_id("unit-form")).to_have_count(0)
    expect(page.get_by_test_id("signature-form")).to_have_count(0)
    visit.shots.take(page, "submitted")


def _officer_sees_the_national_cross_checks(visit: Visit) -> None:
    page = visit.page
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    _sign_in(visit, OFFICER_USERNAME)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/candidatures/nationale/$"))
    expect(page.get_by_test_id("current-user")).to_contain_text("Sophie Delmas")
    new_row = page.locator(f'[data-testid="national-row"][data-code="{NEW_CODE}"]')
    expect(new_row.get_by_test_id("status-badge")).to_have_text("Déposée")
    expect(new_row).to_have_attribute("data-failures", "0")
    twice = page.locator('[data-testid="cross-check"][data-rule="FAQ-2.21"]').first
    expect(twice).to_be_visible()
    expect(twice).to_contain_text("them-cyber")
    expect(twice).to_contain_text("them-ia")
    visit.shots.take(page, "national-view")

    page.locator('label[for="id_echecs"]').click()
    expect(page.locator('[name="echecs"]')).to_be_checked()
    page.get_by_test_id("national-filter").click()
    expect(page).to_have_url(re.compile(r"echecs=on"))
    expect(new_row).to_have_count(0)
    expect(page.locator('[data-testid="national-row"][data-code="them-ia"]')).to_be_visible()
    expect(twice).to_be_visible()
    visit.shots.take(page, "national-failures-only")


# --- small actions -----------------------------------------------------------------------------

def _sign_in(visit: Visit, username: str) -> None:
    sign_in(visit.page, visit.base, username, DEMO_PASSWORD)


def _assert_dsfr_styles(page: Page) -> None:
    """The DSFR stylesheet is loaded and applied (Marianne font, styled buttons)."""
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Marianne" in font, f"police du DSFR absente : {font!r}"
    button = page.get_by_role("button", name="Se connecter")
    background = button.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background not in {"rgba(0, 0, 0, 0)", "transparent", "rgb(239, 239, 239)"}, \
        f"bouton sans style DSFR : {background!r}"


def _assert_nothing_scrolls_sideways(page: Page) -> None:
    """At 1280 px, every column of the detail page's tables is visible without scrolling."""
    hidden = page.evaluate("""() => [...document.querySelectorAll('#workspace *')]
        .filter(element => ['auto', 'scroll'].includes(getComputedStyle(element).overflowX)
                && element.scrollWidth > element.clientWidth + 1)
        .map(element => element.closest('[data-testid]')?.dataset.testid || element.className)""")
    assert not hidden, f"à faire défiler horizontalement à 1280 px : {hidden}"


@contextmanager
def _panel_reloads(page: Page) -> Iterator[None]:
    """The change made in the block (an htmx form) makes the panel reload itself from its own
    endpoint; wait until it has answered. Besides checking the live panel, this keeps the
    requests sequential: the test database (SQLite in memory) is shared by the live server's
    threads, and a write racing with the panel's reads fails with « database table is
    locked »."""
    with page.expect_response(lambda response: response.url.endswith("/panneau/")) as reload:
        yield
    assert reload.value.ok, f"le panneau répond {reload.value.status}"


def _type_rnsr(page: Page, unit: Unit) -> None:
    form = page.get_by_test_id("unit-form")
    form.locator('[name="rnsr"]').press_sequentially(unit.rnsr, delay=10)
    expect(form.get_by_test_id("rnsr-found")).to_contain_text(unit.name)


def _submit_unit(visit: Visit, unit: Unit, *, fte: str, lead: str = "") -> None:
    form = visit.page.get_by_test_id("unit-form")
    if lead:
        form.locator('[name="scientific_lead"]').fill(lead)
    form.locator('[name="permanent_researchers_fte"]').fill(fte)
    with _panel_reloads(visit.page):
        form.get_by_test_id("unit-submit").click()
    expect(visit.unit_row(unit)).to_be_visible()


def _record_signature(page: Page, structure: Structure, signatory: str) -> None:
    form = page.get_by_test_id("signature-form")
    form.locator('[name="structure"]').select_option(label=structure.name)
    form.locator('[name="signatory"]').fill(signatory)
    form.locator('[name="empowerment"]').fill("Délégation de signature du président")
    form.locator('[name="signed_on"]').fill("2026-03-02")
    document: FilePayload = {"name": f"engagement-{structure.code}.pdf",
                             "mimeType": "application/pdf", "buffer": SIGNED_PDF}
    form.locator('[name="document"]').set_input_files(files=document)
    with _panel_reloads(page):
        form.get_by_test_id("signature-submit").click()
    row = page.locator(f'[data-testid="signatory-row"][data-structure="{structure.code}"]')
    expect(row).to_have_attribute("data-signed", "yes")
    expect(row).to_contain_text(signatory)
