"""The pages of the yearly allocation (issue 4): a programme officer opens a run (envelope in
French, every parameter reviewed, some overridden), reads it (totals equal to the envelope to
the cent, bases, guarantee with its conditions, explanation), compares two runs, exports the
lines and publishes a run as the consortia's grants. Figures by hand: ``results_world``."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]

from carnot.accounts.models import Role
from carnot.allocation.models import AllocationRun, AllocationStatus, Grant
from carnot.allocation.services import allocation_run
from carnot.applications.models import Signature
from carnot.rules.money import format_euros
from carnot.spending.services import expenditure_record
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

NBSP = "\u202f"


@pytest.fixture
def world() -> ResultsWorld:
    return build_results_world()


@pytest.fixture
def officer(world: ResultsWorld) -> Client:
    return _client(world.officer)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Elements(HTMLParser):
    """Every element carrying a ``data-testid``: its attributes and its text (HTML stripped,
    whitespace collapsed), in document order."""

    VOID = {"br", "input", "img", "meta", "link", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str], list[str]]] = []
        self._open: list[tuple[str, int | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        index = None
        if "data-testid" in attributes:
            self.found.append((attributes, []))
            index = len(self.found) - 1
        if tag not in self.VOID:
            self._open.append((tag, index))

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self._open) - 1, -1, -1):
            if self._open[position][0] == tag:
                del self._open[position:]
                return

    def handle_data(self, data: str) -> None:
        for _, index in self._open:
            if index is not None:
                self.found[index][1].append(data)

    def all(self, testid: str, **attributes: str) -> list[tuple[dict[str, str], str]]:
        return [(attrs, re.sub(r"[ \t\r\n]+", " ", " ".join(text)).strip())
                for attrs, text in self.found
                if attrs.get("data-testid") == testid
                and all(attrs.get(f"data-{name}") == value for name, value in attributes.items())]

    def text(self, testid: str, **attributes: str) -> str:
        found = self.all(testid, **attributes)
        assert len(found) == 1, f"{testid} {attributes}: {len(found)} elements"
        return found[0][1]

    def attrs(self, testid: str, **attributes: str) -> dict[str, str]:
        found = self.all(testid, **attributes)
        assert len(found) == 1, f"{testid} {attributes}: {len(found)} elements"
        return found[0][0]


def _get(client: Client, name: str, **kwargs: Any) -> Elements:
    query = kwargs.pop("query", None)
    response = client.get(reverse(f"funding:{name}", kwargs={"year": 2026, **kwargs}), query)
    assert response.status_code == 200, response.content.decode()[:500]
    return Elements(response.content.decode())


def _run(world: ResultsWorld, **kwargs: Any) -> AllocationRun:
    return allocation_run(call=world.call, envelope_cents=kwargs.pop("envelope_cents", None),
                          overrides=kwargs.pop("overrides", None), by=world.officer)


# --- Runs of a call ----------------------------------------------------------------------------

def test_list_shows_every_run_with_status_envelope_fingerprint_and_who(
        world: ResultsWorld, officer: Client) -> None:
    first = world.run()
    second = _run(world, envelope_cents=700_000_001)

    page = _get(officer, "allocation-list")

    rows = page.all("run-row")
    assert [attrs["data-number"] for attrs, _ in rows] == ["1", "2"]
    assert page.attrs("run-status", status="published")
    assert page.attrs("run-status", status="draft")
    envelopes = [text for _, text in page.all("run-envelope")]
    assert envelopes == [format_euros(ENVELOPE), format_euros(700_000_001)]
    fingerprints = [text for _, text in page.all("run-fingerprint")]
    assert fingerprints == [first.inputs_fingerprint[:12], second.inputs_fingerprint[:12]]
    row = next(text for attrs, text in rows if attrs["data-number"] == "1")
    assert "par charge" in row and row.count("par charge") == 2, "ran and published by"
    assert page.all("allocation-new")


def test_association_staff_reads_the_runs_but_is_offered_no_write(world: ResultsWorld) -> None:
    run = _run(world)
    staff = _client(make_user(Role.ASSOCIATION_STAFF, "aic"))

    assert not _get(staff, "allocation-list").all("allocation-new")
    assert not _get(staff, "allocation-detail", number=run.number).all("publish")
    response = staff.post(reverse("funding:allocation-publish",
                                  kwargs={"year": 2026, "number": run.number}))
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == AllocationStatus.DRAFT


def test_coordinators_and_unit_leads_get_403_on_the_runs(world: ResultsWorld) -> None:
    _run(world)
    lead = make_user(Role.UNIT_LEAD, "lead")
    for user in (world.coordinator, lead):
        for name, kwargs in (("allocation-list", {}), ("allocation-detail", {"number": 1}),
                             ("allocation-line", {"number": 1, "code": "terr-alsace"})):
            response = _client(user).get(reverse(f"funding:{name}",
                                                 kwargs={"year": 2026, **kwargs}))
            assert response.status_code == 403, (user, name)


# --- Open a new run ----------------------------------------------------------------------------

def test_new_run_form_reviews_every_parameter_with_source_validity_and_call_override(
        world: ResultsWorld, officer: Client) -> None:
    world.call.parameter_overrides = {"guarantee_rate": "0.75"}
    world.call.save(update_fields=["parameter_overrides"])

    response = officer.get(reverse("funding:allocation-create", kwargs={"year": 2026}))

    html = response.content.decode()
    page = Elements(html)
    assert f'value="62{NBSP}000{NBSP}000,00"' in html, "the envelope, in French"
    names = [attrs["data-name"] for attrs, _ in page.all("parameter-row")]
    assert {"envelope", "contract_threshold_sme", "guarantee_rate", "partner_categories",
            "performance_bonus_share", "shared_unit_abondement_share"} <= set(names)
    threshold = page.text("parameter-row", name="contract_threshold_sme")
    assert f"15{NBSP}000,00" in threshold and "FAQ-3.2" in threshold
    assert "du 01/01/2026, sans terme" in threshold
    rate = page.attrs("parameter-row", name="guarantee_rate")
    assert rate["data-by-call"] == "true" and rate["data-overridden"] == "true"
    assert "0,75" in page.text("parameter-row", name="guarantee_rate")
    assert page.attrs("parameter-row", name="guarantee_test_year")["data-by-call"] == "false"
    assert "table (7 lignes)" in page.text("parameter-row", name="partner_categories")


def test_new_run_with_a_french_envelope_and_an_override_is_run_and_shown(
        world: ResultsWorld, officer: Client) -> None:
    response = officer.post(reverse("funding:allocation-create", kwargs={"year": 2026}),
                            {"envelope": "7 000 000,01 €", "guarantee_rate": "0,5"})

    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:allocation-detail",
                                           kwargs={"year": 2026, "number": run.number})
    assert run.envelope_cents == 700_000_001 == run.allocated_cents
    rate = next(p for p in run.parameters if p["name"] == "guarantee_rate")
    assert (rate["value"], rate["source"], rate["overridden_from"]) == ("0.5", "scenario",
                                                                         "FAQ-3.5")
    html = officer.get(response["Location"]).content.decode()
    assert "Répartition n° 1 calculée" in html and "paramètres surchargés : guarantee_rate" in html
    page = Elements(html)
    assert page.attrs("parameter-row", name="guarantee_rate")["data-overridden"] == "true"
    assert "surchargé" in page.text("parameter-row", name="guarantee_rate")
    assert page.attrs("parameter-row", name="guarantee_test_year")["data-overridden"] == "false"
    # 0.5 × 1 234 567,89 € = 617 283,945 → 617 283,95 €, and each share is its base.
    assert page.text("guarantee", code="carnot4-mica").startswith(
        f"garanti 617{NBSP}283,95 €")
    assert page.text("total-allocation") == format_euros(700_000_001)


def test_refused_values_are_shown_in_french_next_to_their_field(
        world: ResultsWorld, officer: Client) -> None:
    url = reverse("funding:allocation-create", kwargs={"year": 2026})

    page = Elements(officer.post(url, {"envelope": "62 000 000,00", "guarantee_rate": "1,5",
                                       "fte_reference_year": "deux mille"}).content.decode())

    assert not AllocationRun.objects.exists()
    assert "entier attendu" in page.text("override-error", name="fte_reference_year")
    page = Elements(officer.post(url, {"envelope": "62 000 000,00",
                                       "guarantee_rate": "1,5"}).content.decode())
    error = page.text("override-error", name="guarantee_rate")
    assert "proportion entre 0 et 1" in error and "FAQ-3.5" in error
    assert not AllocationRun.objects.exists()
    page = Elements(officer.post(url, {"envelope": "soixante millions"}).content.decode())
    assert "n'est pas un montant" in page.text("field-error", field="envelope")
    page = Elements(officer.post(url, {"envelope": "-1,00"}).content.decode())
    assert "ne peut pas être négative" in page.text("field-error", field="envelope")
    assert not AllocationRun.objects.exists()


def test_repeating_a_value_is_no_override_and_keeps_the_fingerprint(
        world: ResultsWorld, officer: Client) -> None:
    url = reverse("funding:allocation-create", kwargs={"year": 2026})
    officer.post(url, {"envelope": "62 000 000,00"})
    officer.post(url, {"envelope": "62000000", "guarantee_rate": "0,8",
                       "guarantee_reference_years": "2023, 2024, 2025"})

    first, second = AllocationRun.objects.order_by("number")
    assert second.inputs_fingerprint == first.inputs_fingerprint
    assert not any("overridden_from" in p for p in second.parameters
                   if p["name"] != "envelope")


# --- A run -------------------------------------------------------------------------------------

def test_run_page_totals_equal_the_envelope_to_the_cent_with_figures_by_hand(
        world: ResultsWorld, officer: Client) -> None:
    run = _run(world)

    page = _get(officer, "allocation-detail", number=run.number)

    assert page.text("total-allocation") == format_euros(ENVELOPE) == page.text("run-envelope")
    assert page.attrs("balance")["data-balanced"] == "true"
    assert (f"Total des abondements : {format_euros(ENVELOPE)} = enveloppe : "
            f"{format_euros(ENVELOPE)}") in page.text("balance")
    amounts = {code: page.text("line", code=code) for code in
               ("terr-alsace", "them-materiaux", "carnot4-mica")}
    assert format_euros(TERR_AMOUNT) in amounts["terr-alsace"]
    assert format_euros(THEM_AMOUNT) in amounts["them-materiaux"]
    assert format_euros(MICA_AMOUNT) in amounts["carnot4-mica"]
    # FAQ-2.22: the shared unit in full for the threshold, half for the abondement.
    thresholds = [text for _, text in page.all("threshold")]
    bases = [text for _, text in page.all("abondement-base")]
    assert thresholds == [format_euros(300_000_000), format_euros(400_000_001),
                          format_euros(300_000_001)]
    assert bases == [format_euros(300_000_000), format_euros(250_000_001),
                     format_euros(150_000_000)]
    assert page.text("total-abondement-base") == format_euros(700_000_001)
    assert page.attrs("run-fingerprint") and run.inputs_fingerprint in page.text(
        "run-fingerprint")


def test_guarantee_verdict_shows_each_condition_with_its_figures(
        world: ResultsWorld, officer: Client) -> None:
    run = _run(world)

    page = _get(officer, "allocation-detail", number=run.number)

    guarantee = page.text("guarantee", code="carnot4-mica")
    assert guarantee.startswith(f"garanti {format_euros(MICA_FLOOR)}")
    assert "86,00 % du périmètre initial maintenu" in guarantee
    assert "= 91,00 % de la moyenne 2023–2025" in guarantee
    assert page.text("guarantee", code="terr-alsace") == "—"


def test_inadmissible_consortium_shows_its_failed_rules(world: ResultsWorld,
                                                        officer: Client) -> None:
    Signature.objects.filter(application=world.them, structure__code="cnrs").delete()
    run = _run(world)

    page = _get(officer, "allocation-detail", number=run.number)

    assert page.attrs("line", code="them-materiaux")["data-admissible"] == "false"
    assert "FAQ-2.18" in page.text("failed-rules")
    assert page.text("total-allocation") == format_euros(ENVELOPE)


def test_explanation_of_a_line_in_french_as_fragment_and_page(world: ResultsWorld,
                                                              officer: Client) -> None:
    run = _run(world)
    url = reverse("funding:allocation-line",
                  kwargs={"year": 2026, "number": run.number, "code": "carnot4-mica"})

    fragment = officer.get(url, headers={"HX-Request": "true"}).content.decode()
    page = officer.get(url).content.decode()

    assert "<html" not in fragment and "<html" in page
    explanation = Elements(fragment)
    assert explanation.attrs("explanation-guarantee")["data-applies"] == "true"
    kept = explanation.text("guarantee-condition", rule="FAQ-3.6")
    assert "ETP du périmètre 2019 : 100" in kept
    summary = explanation.text("explanation-summary")
    assert f"Abondement garanti (Carnot 4) : {format_euros(MICA_FLOOR)}" in summary
    assert f"Abondement : {format_euros(MICA_AMOUNT)}" in summary
    assert "utilisable jusqu'au 31/12/2030 (FAQ-4.1)" in summary
    unknown = reverse("funding:allocation-line",
                      kwargs={"year": 2026, "number": run.number, "code": "inconnu"})
    assert officer.get(unknown).status_code == 404


# --- Exports -----------------------------------------------------------------------------------

def test_csv_export_lists_every_line_and_adds_up_to_the_envelope(world: ResultsWorld,
                                                                 officer: Client) -> None:
    run = _run(world)

    response = officer.get(reverse("funding:allocation-csv",
                                   kwargs={"year": 2026, "number": run.number}))

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, lines = rows[0], rows[1:]
    assert header[-1] == "abondement (€)" and len(lines) == 3
    by_code = {row[3]: row for row in lines}
    assert by_code["terr-alsace"][-1] == "22142857,20"
    assert by_code["carnot4-mica"][10] == "oui" and by_code["carnot4-mica"][11] == "987654,31"
    total = sum(int(row[-1].replace(",", "")) for row in lines)
    assert total == ENVELOPE


def test_xlsx_export_has_the_lines_a_total_equal_to_the_envelope_and_the_parameters(
        world: ResultsWorld, officer: Client) -> None:
    run = _run(world, overrides={"guarantee_rate": "0.5"})

    response = officer.get(reverse("funding:allocation-xlsx",
                                   kwargs={"year": 2026, "number": run.number}))

    workbook = load_workbook(io.BytesIO(response.content))
    lines = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert lines[0][-1] == "abondement (€)"
    total = next(row for row in lines if row[4] == "Total")
    envelope = next(row for row in lines if row[4] == "Enveloppe")
    assert total[-1] == envelope[-1] == ENVELOPE / 100
    assert sum(round(row[-1] * 100) for row in lines[1:4]) == ENVELOPE
    parameters = {row[0]: row for row in workbook["Paramètres"].iter_rows(values_only=True)}
    assert parameters["guarantee_rate"][1] == "0,5"
    assert parameters["guarantee_rate"][5] == "FAQ-3.5"


# --- Compare -----------------------------------------------------------------------------------

def test_compare_shows_the_changed_parameter_and_the_line_it_changes(
        world: ResultsWorld, officer: Client) -> None:
    before = _run(world)
    after = _run(world, overrides={"guarantee_rate": "0.5"})

    page = _get(officer, "allocation-compare",
                query={"avant": before.number, "apres": after.number})

    change = page.text("parameter-change", name="guarantee_rate")
    assert "0,80" in change and "0,5" in change
    assert page.attrs("inputs-changed")["data-changed"] == "true"
    mica = page.text("line-change", code="carnot4-mica")
    assert f"plancher garanti {format_euros(MICA_FLOOR)} {format_euros(61_728_395)}" in mica
    assert "guarantee_rate (0,80 → 0,5)" in mica
    assert page.attrs("line-change", code="carnot4-mica")["data-change"] == "changed"
    assert "terr-alsace" in page.text("unchanged") and not page.all("line-change",
                                                                     code="terr-alsace")


def test_compare_names_the_rule_whose_verdict_changed_in_french(world: ResultsWorld,
                                                                officer: Client) -> None:
    before = _run(world)
    after = _run(world, overrides={"perimeter_kept_minimum": "0.9"})

    page = _get(officer, "allocation-compare",
                query={"avant": before.number, "apres": after.number})

    why = page.text("why-rule", rule="FAQ-3.5")
    assert why == ("verdicts de FAQ-3.5 : carnot4-mica : respectée, carnot4-mica : respectée "
                   "→ carnot4-mica : échec")
    mica = page.text("line-change", code="carnot4-mica")
    assert "abondement garanti oui non" in mica
    assert "perimeter_kept_minimum (0,85 → 0,9)" in mica


def test_compare_of_a_new_envelope_changes_every_line(world: ResultsWorld,
                                                      officer: Client) -> None:
    before = _run(world)
    after = _run(world, envelope_cents=700_000_001)

    page = _get(officer, "allocation-compare",
                query={"avant": before.number, "apres": after.number})

    assert {attrs["data-code"] for attrs, _ in page.all("line-change")} == {
        "terr-alsace", "them-materiaux", "carnot4-mica"}
    terr = page.text("line-change", code="terr-alsace")
    assert (f"abondement attribué {format_euros(TERR_AMOUNT)} {format_euros(250_000_001)}"
            in terr)
    assert "envelope" in page.text("parameter-change", name="envelope")


def test_compare_of_the_same_inputs_says_nothing_changed(world: ResultsWorld,
                                                         officer: Client) -> None:
    before, after = _run(world), _run(world)

    page = _get(officer, "allocation-compare",
                query={"avant": before.number, "apres": after.number})

    assert page.attrs("inputs-changed")["data-changed"] == "false"
    assert page.all("no-line-change") and page.all("no-parameter-change")


def test_compare_with_an_unknown_run_says_so(world: ResultsWorld, officer: Client) -> None:
    _run(world)

    response = officer.get(reverse("funding:allocation-compare", kwargs={"year": 2026}),
                           {"avant": 1, "apres": 9})

    assert response.status_code == 200
    assert "Répartition n° 9 introuvable pour cet appel." in response.content.decode()


# --- Publish -----------------------------------------------------------------------------------

def _publish(client: Client, run: AllocationRun, **data: str) -> str:
    response = client.post(reverse("funding:allocation-publish",
                                   kwargs={"year": 2026, "number": run.number}), data,
                           follow=True)
    assert response.status_code == 200
    return str(response.content.decode())


def test_publishing_a_draft_makes_the_grants_of_the_year(world: ResultsWorld,
                                                         officer: Client) -> None:
    run = _run(world)

    page = _publish(officer, run)

    run.refresh_from_db()
    assert run.status == AllocationStatus.PUBLISHED and run.published_by == world.officer
    grants = {grant.application.code: grant.amount_cents
              for grant in Grant.objects.filter(year=2026)}
    assert grants == {"terr-alsace": TERR_AMOUNT, "them-materiaux": THEM_AMOUNT,
                      "carnot4-mica": MICA_AMOUNT}
    assert "Répartition n° 1 publiée : 3 abondements 2026 enregistrés" in page
    assert format_euros(ENVELOPE) in page


def test_superseding_a_published_run_needs_an_explicit_confirmation(
        world: ResultsWorld, officer: Client) -> None:
    first = _run(world)
    _publish(officer, first)
    second = _run(world, envelope_cents=700_000_001)

    page = Elements(officer.get(reverse("funding:allocation-detail",
                                        kwargs={"year": 2026,
                                                "number": second.number})).content.decode())
    assert "Publier et remplacer la n° 1" in page.text("publish-button")
    refused = _publish(officer, second)
    second.refresh_from_db()
    assert second.status == AllocationStatus.DRAFT
    assert "Publication refusée" in refused and "déjà publiée" in refused

    _publish(officer, second, remplacer="on")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (AllocationStatus.SUPERSEDED,
                                             AllocationStatus.PUBLISHED)
    assert Grant.objects.get(application=world.terr, year=2026).amount_cents == 250_000_001


def test_a_published_run_cannot_be_published_again(world: ResultsWorld,
                                                   officer: Client) -> None:
    run = world.run()
    published_at = run.published_at

    page = _publish(officer, run, remplacer="on")

    run.refresh_from_db()
    assert run.status == AllocationStatus.PUBLISHED and run.published_at == published_at
    assert "seul un brouillon se publie" in page
    assert not Elements(page).all("publish")


def test_superseding_is_refused_when_more_was_spent_than_the_new_amount(
        world: ResultsWorld, officer: Client) -> None:
    Grant.objects.filter(year=2025).delete()  # its call has no parameters file
    first = _run(world)
    _publish(officer, first)
    expenditure_record(application=world.terr, spent_on=date(2026, 3, 2),
                       amount_cents=100_000_000, category="equipment", description="Banc",
                       by=world.coordinator)
    smaller = _run(world, envelope_cents=100_000_000)

    page = _publish(officer, smaller, remplacer="on")

    smaller.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, smaller.status) == (AllocationStatus.PUBLISHED,
                                              AllocationStatus.DRAFT)
    assert "déjà dépensés" in page and "terr-alsace" in page
    assert Grant.objects.get(application=world.terr, year=2026).amount_cents == TERR_AMOUNT


def test_the_national_view_links_to_the_runs_of_its_call(world: ResultsWorld,
                                                         officer: Client) -> None:
    page = Elements(officer.get(reverse("applications:national")).content.decode())

    assert page.attrs("allocation-runs")["href"] == reverse("funding:allocation-list",
                                                            kwargs={"year": 2026})


def test_run_page_shows_the_national_distribution_chart_with_its_downloads(
        world: ResultsWorld, officer: Client) -> None:
    run = world.run()
    page = _get(officer, "allocation-detail", number=run.number)

    chart = reverse("funding:result-distribution-chart", kwargs={"year": 2026,
                                                                   "number": run.number})
    assert page.attrs("distribution-chart")["src"] == chart
    assert page.attrs("distribution-chart-download")["href"] == chart
    data = page.attrs("distribution-data")["href"]
    assert data == reverse("funding:result-distribution-data",
                           kwargs={"year": 2026, "number": run.number})
    image = officer.get(chart)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


def test_the_menu_links_officers_to_the_runs_and_the_simulation_of_the_latest_call(
        world: ResultsWorld, officer: Client) -> None:
    page = _get(officer, "allocation-list")

    assert page.attrs("menu-allocation")["href"] == reverse("funding:allocation-list",
                                                            kwargs={"year": 2026})
    assert page.attrs("menu-simulation")["href"] == reverse("funding:simulation",
                                                            kwargs={"year": 2026})
    coordinator_home = _client(world.coordinator).get(reverse("applications:list"))
    menu = Elements(coordinator_home.content.decode())
    assert not menu.all("menu-allocation")
    assert menu.attrs("menu-simulation")


def test_the_envelope_is_one_field_of_the_form_not_also_a_parameter_override(
        world: ResultsWorld, officer: Client) -> None:
    html = officer.get(reverse("funding:allocation-create", kwargs={"year": 2026})).content
    page = html.decode()
    assert len(re.findall(r'\sname="envelope"', page)) == 1
    assert 'data-name="envelope"' in page and "voir l'enveloppe ci-dessus" in page
