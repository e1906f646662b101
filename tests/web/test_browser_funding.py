"""The money flow in a real browser (Playwright driving Debian's Chromium), on the demo dataset.

The demo has its 2026 allocation published (run n° 1) with grants. The programme officer opens
a new run with a larger envelope (63 000 000,00 €), reviews the parameters, runs it, sees the
total equal the envelope to the cent and the national distribution chart, and publishes it in
place of n° 1. The coordinator then opens its consortium ``terr-clermont``: the result page shows
the amount of run n° 2, « Pourquoi ce montant ? » leads to the explanation rule by rule, the
notification letter downloads as a PDF, and an expenditure of 12 500,00 € recorded on the
spending page shows in the vintage's figures. Screenshots as in ``test_browser.py``, in the
``financement/`` subdirectory (``EXPECTED_SCREENSHOTS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from carnot.allocation.models import AllocationLine, AllocationStatus, Grant
from carnot.demo.accounts import COORDINATOR_USERNAME, DEMO_PASSWORD, OFFICER_USERNAME
from carnot.demo.national import build_demo
from carnot.rules.money import format_euros
from carnot.spending.models import Expenditure
from tests.web.browser_helpers import (
    BrowserProblems,
    Screenshots,
    chromium_context,
    require_chromium,
    screenshot_directory,
    sign_in,
)

pytestmark = pytest.mark.browser

CONSORTIUM = "terr-clermont"
NEW_ENVELOPE = "63 000 000,00"
NEW_ENVELOPE_CENTS = 6_300_000_000
EXPENDITURE_CENTS = 1_250_000
EXPECT_TIMEOUT_MS = 15_000

EXPECTED_SCREENSHOTS = (
    "runs-of-the-call", "new-run-parameters", "run-2-computed", "run-2-published",
    "coordinator-result", "result-explanation", "spending-before", "expenditure-form",
    "expenditure-recorded",
)


@pytest.fixture
def page(live_server: object, transactional_db: None, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    """A page of a fresh Chromium that accepts downloads (the letter). Playwright's sync API
    keeps an event loop running in this thread: Django must be told that its (synchronous)
    database access here is intended."""
    require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with chromium_context(tmp_path / "chromium-profile", accept_downloads=True) as context:
        yield context.new_page()


def test_the_officer_publishes_a_run_and_the_coordinator_reads_downloads_and_spends(
        page: Page, live_server: object) -> None:
    build_demo(scale=1, seed=2026)
    problems = BrowserProblems()
    problems.watch(page)
    base = str(live_server).rstrip("/")
    directory = screenshot_directory() / "financement"
    directory.mkdir(exist_ok=True)
    shots = Screenshots(directory)

    _officer_runs_and_publishes(page, base, shots)
    _coordinator_reads_the_result(page, base, shots)
    _coordinator_records_an_expenditure(page, shots)

    for blocked in problems.blocked_inline_styles:
        print(f"style en ligne refusé par la CSP (signalé, sans échec) : {blocked}")
    assert not problems.problems, "\n".join(problems.problems)
    assert shots.taken == [
        f"{number:02d}-{name}.png" for number, name in enumerate(EXPECTED_SCREENSHOTS, 1)]


def _officer_runs_and_publishes(page: Page, base: str, shots: Screenshots) -> None:
    sign_in(page, base, OFFICER_USERNAME, DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    page.get_by_test_id("menu-allocation").click()
    expect(page).to_have_url(re.compile(r"/financement/2026/repartitions/$"))
    first = page.locator('[data-testid="run-row"][data-number="1"]')
    expect(first.get_by_test_id("run-status")).to_have_attribute("data-status", "published")
    shots.take(page, "runs-of-the-call")

    page.get_by_test_id("allocation-new").click()
    form = page.get_by_test_id("allocation-form")
    expect(form.locator('[data-testid="parameter-row"][data-name="envelope"]')).to_be_visible()
    form.locator('[name="envelope"]').fill(NEW_ENVELOPE)
    shots.take(page, "new-run-parameters")
    form.get_by_test_id("allocation-run").click()

    expect(page).to_have_url(re.compile(r"/financement/2026/repartitions/2/$"))
    expect(page.get_by_test_id("run-status").first).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("run-envelope")).to_have_text(format_euros(NEW_ENVELOPE_CENTS))
    expect(page.get_by_test_id("balance")).to_have_attribute("data-balanced", "true")
    expect(page.get_by_test_id("total-allocation")).to_have_text(
        format_euros(NEW_ENVELOPE_CENTS))
    chart = page.get_by_test_id("distribution-chart")
    expect(chart).to_be_visible()
    width = chart.evaluate("image => image.decode().then(() => image.naturalWidth)")
    assert width > 200, "the chart image is loaded and drawn"
    shots.take(page, "run-2-computed")

    publish = page.get_by_test_id("publish")
    publish.locator('label[for="publish_remplacer"]').click()
    publish.get_by_test_id("publish-button").click()
    expect(page.get_by_test_id("run-status").first).to_have_attribute("data-status",
                                                                      "published")
    expect(page.get_by_test_id("run-published")).to_be_visible()
    shots.take(page, "run-2-published")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


def _coordinator_reads_the_result(page: Page, base: str, shots: Screenshots) -> None:
    line = AllocationLine.objects.get(run__call__year=2026, run__number=2,
                                      application_code=CONSORTIUM)
    assert line.run.status == AllocationStatus.PUBLISHED and line.allocation_cents > 0
    sign_in(page, base, COORDINATOR_USERNAME, DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.locator(f'[data-testid="application-row"][data-code="{CONSORTIUM}"] a').first.click()
    expect(page).to_have_url(re.compile(rf"/candidatures/2026/{CONSORTIUM}/$"))
    page.get_by_test_id("result-link").click()

    expect(page).to_have_url(re.compile(rf"/financement/2026/{CONSORTIUM}/abondement/$"))
    amount = page.get_by_test_id("result-amount")
    expect(amount).to_contain_text(f"Abondement attribué : {format_euros(line.allocation_cents)}")
    expect(amount).to_contain_text(format_euros(NEW_ENVELOPE_CENTS))
    expect(page.get_by_text("Répartition n° 2, publiée le")).to_be_visible()
    chart = page.get_by_test_id("result-chart")
    width = chart.evaluate("image => image.decode().then(() => image.naturalWidth)")
    assert width > 200, "the chart image is loaded and drawn"
    shots.take(page, "coordinator-result")

    page.get_by_test_id("result-explain").click()
    expect(page).to_have_url(re.compile(r"#explication$"))
    steps = page.get_by_test_id("result-steps")
    expect(steps).to_be_in_viewport()
    expect(steps).to_contain_text("FAQ-2.19")
    expect(steps.locator('a[href$="#FAQ-2.22"]').first).to_be_visible()
    shots.take(page, "result-explanation")

    with page.expect_download() as download:
        page.get_by_test_id("result-letter").click()
    letter = Path(download.value.path())
    assert download.value.suggested_filename.endswith(".pdf")
    assert letter.read_bytes().startswith(b"%PDF"), "the letter is a PDF"
    assert letter.stat().st_size > 5_000


def _coordinator_records_an_expenditure(page: Page, shots: Screenshots) -> None:
    grant = Grant.objects.get(application__code=CONSORTIUM, year=2026)
    spent_before = sum(Expenditure.objects.filter(grant=grant)
                       .values_list("amount_cents", flat=True))
    page.get_by_test_id("result-spending").click()
    expect(page).to_have_url(re.compile(rf"/financement/2026/{CONSORTIUM}/depenses/$"))
    vintage = page.locator('[data-testid="vintage-row"]').filter(has_text="2026")
    expect(vintage.get_by_test_id("vintage-granted")).to_have_text(
        format_euros(grant.amount_cents))
    expect(vintage.get_by_test_id("vintage-spent")).to_have_text(format_euros(spent_before))
    shots.take(page, "spending-before")

    page.get_by_test_id("spending-create-link").click()
    form = page.get_by_test_id("spending-form")
    form.locator('[name="spent_on"]').fill("2026-06-15")
    form.locator('[name="amount"]').fill("12 500,00 €")
    form.locator('[name="category"]').select_option("equipment")
    form.locator('[name="description"]').fill("Banc d'essai pour les partenaires industriels")
    shots.take(page, "expenditure-form")
    form.get_by_test_id("spending-submit").click()

    expect(page).to_have_url(re.compile(rf"/financement/2026/{CONSORTIUM}/depenses/$"))
    vintage = page.locator('[data-testid="vintage-row"]').filter(has_text="2026")
    expect(vintage.get_by_test_id("vintage-spent")).to_have_text(
        format_euros(spent_before + EXPENDITURE_CENTS))
    expect(vintage.get_by_test_id("vintage-remaining")).to_have_text(
        format_euros(grant.amount_cents - spent_before - EXPENDITURE_CENTS))
    expect(page.get_by_test_id("expenditures")).to_contain_text("Banc d'essai")
    expect(page.get_by_test_id("balance-check")).to_be_visible()
    shots.take(page, "expenditure-recorded")
