"""Ledger pages (issue 4, contract ledgers): a unit's ledger with each contract's verdict and the
rule that excludes it, a consortium's ledger grouped by unit, one contract with its partner's
category explained, and imports as jobs with a progress bar, a report or located errors.

The world, figures checked by hand (call 2026: PME threshold 15 000 €, others 30 000 €, strictly
above; revenue of 2025 for the abondement):

* unit A (200717524X), declared by « terr-alsace »:
  - A-PME — a PME (120 people, turnover 30 M€: a PME by its figures), 20 000,00 €: counts
    (FAQ-3.2); invoiced 12 000,50 € in 2025 and 7 999,50 € in 2026;
  - A-ETI — an ETI, 20 000,00 €: below 30 000 €, excluded (FAQ-3.2); 20 000,00 € in 2025;
  - A-CRT — a CRT member of the consortium, 100 000,00 €: not a socio-economic partner,
    excluded (FAQ-2.6); 50 000,00 € in 2025;
  - A-HORS — a large company, 45 000,00 €, out of the theme: counts (FAQ-2.28);
    30 000,25 € in 2025.
  What counts: 2025 = 12 000,50 + 30 000,25 = 42 000,75 €; 2026 = 7 999,50 €.
* unit B (201220367A), declared by « terr-alsace » and shared with « them-autre »:
  - B-1 — a local authority, 35 000,00 €: counts (FAQ-3.3); 10 000,10 € in 2025.
* unit C (201822222B), declared by « them-autre » only: C-1, a PME, 50 000,00 €.
* The consortium « terr-alsace »: 2025 = 42 000,75 + 10 000,10 = 52 000,85 €; 2026 = 7 999,50 €.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from stdnum import luhn

from carnot.accounts.models import Role
from carnot.applications.ledgers import forms, jobs, tasks
from carnot.applications.ledgers.selectors import consortium_ledger
from carnot.applications.models import (
    Application,
    ApplicationUnit,
    LedgerImportJob,
    LedgerImportStatus,
)
from carnot.ledgers.format import (
    ALIASES,
    CATEGORY,
    IDENTIFIER,
    PARTNER,
    REFERENCE,
    RNSR,
    SIGNED_ON,
    TOTAL,
)
from carnot.ledgers.models import InvoicedAmount, Partner, ResearchContract
from carnot.registry.models import Call, Unit
from carnot.rules.money import format_euros
from tests.web.factories import make_call, make_structure, make_unit, make_user

RNSR_A, RNSR_B, RNSR_C = "200717524X", "201220367A", "201822222B"


def siren(seed: int) -> str:
    """A valid SIREN (Luhn key computed) from a seed."""
    body = f"{seed:08d}"
    return body + luhn.calc_check_digit(body)


SIREN_PME, SIREN_ETI, SIREN_CRT, SIREN_LARGE, SIREN_REGION = (
    siren(1234567), siren(7654321), siren(1111111), siren(2222222), siren(3333333))


@dataclass
class LedgerWorld:
    call: Call
    coordinator: User
    other_coordinator: User
    lead: User
    officer: User
    association: User
    admin: User
    application: Application
    other_application: Application
    unit_a: Unit
    unit_b: Unit
    unit_c: Unit
    contracts: dict[str, ResearchContract]


def _partner(name: str, number: str, category: str, **figures: object) -> Partner:
    return Partner.objects.create(key=number, name=name, siren=number, category=category,
                                  category_year=2025, **figures)


def _contract(unit: Unit, reference: str, partner: Partner, total_cents: int,
              invoiced: dict[int, int], *, in_theme: bool = True,
              category: str = "") -> ResearchContract:
    contract = ResearchContract.objects.create(
        unit=unit, partner=partner, reference=reference, total_cents=total_cents,
        signed_on=date(2025, 2, 3), in_theme=in_theme,
        partner_category=category or partner.category, partner_category_year=2025)
    for year, cents in invoiced.items():
        InvoicedAmount.objects.create(contract=contract, year=year, amount_cents=cents)
    return contract


def build_ledger_world() -> LedgerWorld:
    call = make_call(2026)
    univ, cnrs = make_structure("unistra"), make_structure("cnrs", "epst")
    coordinator = make_user(Role.COORDINATOR, "coordinateur")
    other_coordinator = make_user(Role.COORDINATOR, "autre-coordinateur")
    lead = make_user(Role.UNIT_LEAD, "responsable")
    officer = make_user(Role.PROGRAMME_OFFICER, "ministere")
    association = make_user(Role.ASSOCIATION_STAFF, "aicarnot")
    admin = make_user(Role.ADMINISTRATOR, "admin")
    unit_a = make_unit(RNSR_A, [univ], name="ICube", leads=[lead])
    unit_b = make_unit(RNSR_B, [univ, cnrs], name="IPHC")
    unit_c = make_unit(RNSR_C, [cnrs], name="Institut Jean Lamour")
    application = Application.objects.create(call=call, code="terr-alsace",
                                             name="Carnot Alsace", kind="territorial",
                                             coordinator=univ)
    application.owners.add(coordinator)
    other = Application.objects.create(call=call, code="them-autre", name="Carnot Autre",
                                       kind="thematic", coordinator=cnrs)
    other.owners.add(other_coordinator)
    for app, unit, shared in ((application, unit_a, None), (application, unit_b, other),
                              (other, unit_b, application), (other, unit_c, None)):
        ApplicationUnit.objects.create(application=app, unit=unit, managing_tutelle=univ,
                                       permanent_researchers_fte=Decimal(10),
                                       shared_with=shared)
    pme = _partner("Mécanique SA", SIREN_PME, "sme", headcount=120,
                   turnover_cents=3_000_000_000, category_derived=True,
                   category_reason="PME en 2025 (FAQ-3.2, décret 2008-1354) : …")
    contracts = {
        "A-PME": _contract(unit_a, "A-PME", pme, 2_000_000, {2025: 1_200_050, 2026: 799_950}),
        "A-ETI": _contract(unit_a, "A-ETI", _partner("Grand Groupe", SIREN_ETI, "midcap"),
                           2_000_000, {2025: 2_000_000}),
        "A-CRT": _contract(unit_a, "A-CRT", _partner("CRT Alsace", SIREN_CRT, "crt_member"),
                           10_000_000, {2025: 5_000_000}),
        "A-HORS": _contract(unit_a, "A-HORS", _partner("Large Corp", SIREN_LARGE, "large"),
                            4_500_000, {2025: 3_000_025}, in_theme=False),
        "B-1": _contract(unit_b, "B-1", _partner("Région Grand Est", SIREN_REGION,
                                                 "local_authority"),
                         3_500_000, {2025: 1_000_010}),
        "C-1": _contract(unit_c, "C-1", pme, 5_000_000, {2025: 5_000_000}),
    }
    return LedgerWorld(call, coordinator, other_coordinator, lead, officer, association, admin,
                       application, other, unit_a, unit_b, unit_c, contracts)


@pytest.fixture
def lw(db: None) -> LedgerWorld:
    return build_ledger_world()


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page(user: User, name: str, query: str = "", **kwargs: object) -> str:
    response = client_for(user).get(reverse(name, kwargs=kwargs) + query)
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, reference: str) -> str:
    """The table row of one contract."""
    match = re.search(rf'<tr data-testid="contract-row" data-reference="{re.escape(reference)}"'
                      r".*?</tr>", html, re.S)
    assert match is not None, f"no row for {reference}"
    return match.group(0)


def counted_cell(html: str, year: int) -> str:
    match = re.search(rf'data-testid="counted-year" data-year="{year}">([^<]*)<', html)
    assert match is not None
    return match.group(1)


# --- A unit's ledger ---------------------------------------------------------------------------

def test_unit_ledger_shows_each_verdict_with_its_rule_and_reason(lw: LedgerWorld) -> None:
    html = page(lw.lead, "funding:ledger-unit", rnsr=RNSR_A)
    assert "Appel Carnot 2026" in html, "the latest call judges by default"
    eti = row_of(html, "A-ETI")
    assert 'data-counts="false" data-rule="FAQ-3.2"' in eti
    assert 'href="/faq/#FAQ-3.2"' in eti
    assert "ne dépasse pas le seuil de 30" in eti and "Exclu" in eti
    crt = row_of(html, "A-CRT")
    assert 'data-rule="FAQ-2.6"' in crt and 'href="/faq/#FAQ-2.6"' in crt
    assert "n&#x27;est pas un acteur socio-économique" in crt
    assert 'data-counts="true" data-rule="FAQ-2.28"' in row_of(html, "A-HORS")
    pme = row_of(html, "A-PME")
    assert 'data-counts="true" data-rule="FAQ-3.2"' in pme
    assert f"SIREN {SIREN_PME}" in pme and "Mécanique SA" in pme
    assert "PME <span class=\"fr-text--xs\">(2025)</span>" in pme
    assert format_euros(2_000_000) in pme and "03/02/2025" in pme
    assert "hors thématique" in row_of(html, "A-HORS")
    assert "B-1" not in html and "C-1" not in html, "only the unit's own contracts"


def test_unit_ledger_totals_what_counts_by_year_to_the_cent(lw: LedgerWorld) -> None:
    html = page(lw.officer, "funding:ledger-unit", rnsr=RNSR_A)
    assert counted_cell(html, 2025) == format_euros(4_200_075)  # 12 000,50 + 30 000,25
    assert counted_cell(html, 2026) == format_euros(799_950)
    assert f'data-testid="counted-total">{format_euros(5_000_025)}<' in html
    assert 'data-testid="figure-counted">2<' in html
    assert 'data-testid="figure-excluded">2<' in html


def test_unit_ledger_filters_rows_but_not_totals(lw: LedgerWorld) -> None:
    html = page(lw.coordinator, "funding:ledger-unit", "?contrats=exclus", rnsr=RNSR_A)
    assert re.findall(r'data-reference="([^"]+)"', html) == ["A-CRT", "A-ETI"]
    assert counted_cell(html, 2025) == format_euros(4_200_075)
    counted = page(lw.coordinator, "funding:ledger-unit", "?contrats=comptes", rnsr=RNSR_A)
    assert re.findall(r'data-reference="([^"]+)"', counted) == ["A-HORS", "A-PME"]


def test_unit_ledger_judges_by_the_chosen_call(lw: LedgerWorld) -> None:
    """A 2027 call whose general threshold is lowered to 15 000 €: the ETI contract of
    20 000 € counts under it, not under 2026's."""
    Call.objects.create(year=2027, deadline=lw.call.deadline,
                        parameter_overrides={"contract_threshold_general": "15000.00"})
    latest = page(lw.lead, "funding:ledger-unit", rnsr=RNSR_A)
    assert 'data-counts="true"' in row_of(latest, "A-ETI"), "2027 is now the latest call"
    chosen = page(lw.lead, "funding:ledger-unit", "?appel=2026", rnsr=RNSR_A)
    assert 'data-counts="false"' in row_of(chosen, "A-ETI")
    assert "Appel Carnot 2026" in chosen


def test_unit_ledger_ignores_an_unknown_call_and_says_so(lw: LedgerWorld) -> None:
    html = page(lw.lead, "funding:ledger-unit", "?appel=1999", rnsr=RNSR_A)
    assert 'data-testid="filter-errors"' in html
    assert 'data-counts="false" data-rule="FAQ-3.2"' in row_of(html, "A-ETI")


def test_unit_ledger_offers_import_only_to_writers(lw: LedgerWorld) -> None:
    assert 'data-testid="import-link"' in page(lw.lead, "funding:ledger-unit", rnsr=RNSR_A)
    assert 'data-testid="import-link"' in page(lw.coordinator, "funding:ledger-unit",
                                               rnsr=RNSR_B)
    assert 'data-testid="import-link"' not in page(lw.officer, "funding:ledger-unit",
                                                   rnsr=RNSR_A)


def test_unit_ledger_is_hidden_from_those_who_may_not_read_it(lw: LedgerWorld) -> None:
    assert client_for(lw.other_coordinator).get(
        reverse("funding:ledger-unit", kwargs={"rnsr": RNSR_A})).status_code == 404
    assert client_for(lw.lead).get(
        reverse("funding:ledger-unit", kwargs={"rnsr": RNSR_C})).status_code == 404
    assert client_for(lw.other_coordinator).get(
        reverse("funding:ledger-unit", kwargs={"rnsr": RNSR_B})).status_code == 200, (
        "a coordinator of any application declaring the unit reads its ledger")


def test_unit_ledger_pages_its_contracts_but_totals_all(lw: LedgerWorld) -> None:
    partner = lw.contracts["A-PME"].partner
    ResearchContract.objects.bulk_create([
        ResearchContract(unit=lw.unit_a, partner=partner, reference=f"Z-{n:03d}",
                         total_cents=2_000_000, signed_on=date(2025, 1, 6),
                         partner_category="sme", partner_category_year=2025)
        for n in range(150)])
    first = page(lw.lead, "funding:ledger-unit", rnsr=RNSR_A)
    assert len(re.findall(r'data-testid="contract-row"', first)) == 100
    assert 'data-testid="ledger-pagination"' in first
    assert 'data-testid="figure-contracts">154<' in first
    assert counted_cell(first, 2025) == format_euros(4_200_075)
    second = page(lw.lead, "funding:ledger-unit", "?contrats=comptes&page=2", rnsr=RNSR_A)
    assert len(re.findall(r'data-testid="contract-row"', second)) == 52  # 152 count
    assert "?contrats=comptes&amp;page=1" in second
    consortium = page(lw.coordinator, "funding:ledger-application", year=2026,
                      code="terr-alsace")
    section_a = consortium[consortium.index(f'data-rnsr="{RNSR_A}"'):
                           consortium.index(f'data-testid="unit-section" data-rnsr="{RNSR_B}"')]
    assert len(re.findall(r'data-testid="contract-row"', section_a)) == 50
    assert "50 premiers contrats sur 154" in section_a


# --- A consortium's ledger ---------------------------------------------------------------------

def test_consortium_ledger_groups_by_unit_with_totals(lw: LedgerWorld) -> None:
    html = page(lw.coordinator, "funding:ledger-application", year=2026, code="terr-alsace")
    assert re.findall(r'data-testid="unit-section" data-rnsr="([^"]+)"', html) == [
        RNSR_A, RNSR_B]
    section_b = html[html.index(f'data-testid="unit-section" data-rnsr="{RNSR_B}"'):]
    assert 'data-rule="FAQ-3.3"' in row_of(section_b, "B-1")
    assert 'data-testid="shared-note"' in section_b and "them-autre" in section_b
    assert f'href="/financement/unites/{RNSR_B}/contrats/?appel=2026"' in section_b
    assert "C-1" not in html
    unit_totals = re.findall(r'data-testid="unit-counted-total">([^<]*)<', html)
    assert unit_totals == [format_euros(5_000_025), format_euros(1_000_010)]
    overall = dict(re.findall(r'data-testid="overall-year" data-year="(\d+)">([^<]*)<', html))
    assert overall == {"2025": format_euros(5_200_085), "2026": format_euros(799_950)}
    assert (f'data-testid="overall-counted-total">{format_euros(6_000_035)}<' in html)
    assert 'data-testid="partial-notice"' not in html
    assert 'data-testid="import-link"' in html


def test_consortium_ledger_shows_a_unit_lead_only_its_units(lw: LedgerWorld) -> None:
    html = page(lw.lead, "funding:ledger-application", year=2026, code="terr-alsace")
    assert re.findall(r'data-testid="unit-section" data-rnsr="([^"]+)"', html) == [RNSR_A]
    assert 'data-testid="partial-notice"' in html and "B-1" not in html
    assert 'data-testid="import-link"' not in html


def test_consortium_ledger_reads_in_a_fixed_number_of_queries(
        lw: LedgerWorld, django_assert_num_queries: Any) -> None:
    units = [lw.unit_a, lw.unit_b]
    with django_assert_num_queries(3):
        ledger = consortium_ledger(application=lw.application, units=units)
    assert ledger.counted_by_year == {2025: 5_200_085, 2026: 799_950}
    assert ledger.invoiced_by_year[2025] == 1_200_050 + 2_000_000 + 5_000_000 + 3_000_025 + (
        1_000_010)


def test_application_detail_links_to_the_consortium_ledger(lw: LedgerWorld) -> None:
    html = page(lw.coordinator, "applications:detail", year=2026, code="terr-alsace")
    assert 'href="/financement/2026/terr-alsace/contrats/"' in html


# --- One contract ------------------------------------------------------------------------------

def test_contract_page_shows_every_field_and_the_verdict(lw: LedgerWorld) -> None:
    contract = lw.contracts["A-ETI"]
    html = page(lw.lead, "funding:ledger-contract", contract_id=contract.pk)
    verdict = html[html.index('data-testid="contract-verdict"'):]
    assert "Le contrat ne compte pas pour l'abondement" in verdict
    assert 'data-rule="FAQ-3.2"' in verdict and 'href="/faq/#FAQ-3.2"' in verdict
    assert f"seuil applicable : {format_euros(3_000_000)}" in verdict
    assert "Grand Groupe" in html and SIREN_ETI in html
    assert 'data-testid="contract-total">' + format_euros(2_000_000) in html
    assert "03/02/2025" in html and "ETI, établie pour 2025" in html
    assert 'data-year="2025"' in html


def test_contract_page_explains_a_category_derived_from_figures(lw: LedgerWorld) -> None:
    html = page(lw.lead, "funding:ledger-contract", contract_id=lw.contracts["A-PME"].pk)
    explanation = html[html.index('data-testid="category-explanation"'):]
    assert "Déduite de l'effectif" in explanation
    assert "PME en 2025 (FAQ-3.2" in explanation
    reasons = re.findall(r'data-testid="category-reason">([^<]*)<', explanation)
    assert reasons[0].startswith("pas TPE : 120 personnes, pas moins de 10")
    assert reasons[1].startswith("PME : 120 personnes (moins de 250)")
    assert 'data-testid="category-disagrees"' not in explanation


def test_contract_page_explains_a_declared_category_and_the_one_as_signed(
        lw: LedgerWorld) -> None:
    contract = lw.contracts["A-ETI"]
    Partner.objects.filter(pk=contract.partner_id).update(category="large", category_year=2026)
    html = page(lw.lead, "funding:ledger-contract", contract_id=contract.pk)
    assert "Catégorie déclarée : grande entreprise (2026)" in html
    assert "aucun chiffre du groupe" in html
    assert 'data-testid="category-as-signed"' in html and "ETI (2025)" in html


def test_contract_page_is_hidden_from_other_consortia(lw: LedgerWorld) -> None:
    url = reverse("funding:ledger-contract", kwargs={"contract_id": lw.contracts["C-1"].pk})
    assert client_for(lw.coordinator).get(url).status_code == 404
    assert client_for(lw.other_coordinator).get(url).status_code == 200


# --- Imports -----------------------------------------------------------------------------------

HEADER = ("RNSR;Référence contrat;Partenaire;SIREN/SIRET;Catégorie;Année de la catégorie;"
          "Montant total HT;Date de signature;CIFRE;Dans la thématique;Facturé 2025;Facturé 2026")


def csv_file(*lines: str, name: str = "registre.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\r\n".join((HEADER, *lines)).encode(), "text/csv")


NEW_ROWS = (
    f"{RNSR_A};A-NEW-1;Optique Rhénane;{siren(4444444)};PME;2025;16 000,00 €;01/03/2025;non;oui;"
    "16 000,00;",
    f"{RNSR_A};A-NEW-2;Optique Rhénane;{siren(4444444)};PME;2025;15 000,00 €;01/04/2025;non;oui;"
    "5 000,00;",
    f"{RNSR_A};A-ETI;Grand Groupe;{SIREN_ETI};ETI;2025;20 000,00 €;03/02/2025;non;oui;"
    "20 000,00;",
)


def snapshot() -> list[tuple[object, ...]]:
    """Everything a ledger import may change."""
    return [*ResearchContract.objects.order_by("pk").values_list(
                "unit_id", "reference", "partner_id", "total_cents", "signed_on", "cifre",
                "in_theme", "partner_category", "partner_category_year"),
            *InvoicedAmount.objects.order_by("pk").values_list("contract_id", "year",
                                                               "amount_cents"),
            *Partner.objects.order_by("pk").values_list("key", "name", "category",
                                                        "category_year")]


def upload(user: User, url_name: str, file: SimpleUploadedFile, **kwargs: object
           ) -> tuple[LedgerImportJob, str]:
    """Post the file; follow to the job page; return the job and its status partial."""
    client = client_for(user)
    response = client.post(reverse(url_name, kwargs=kwargs), {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = LedgerImportJob.objects.get(pk=uuid.UUID(response["Location"].rstrip("/")
                                                   .split("/")[-1]))
    assert job.by == user
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200
    status = client.get(reverse("funding:ledger-import-status", kwargs={"job": job.pk}))
    assert status.status_code == 200
    job.refresh_from_db()
    return job, status.content.decode()


def test_unit_import_reports_what_changed_and_reimport_changes_nothing(lw: LedgerWorld) -> None:
    job, html = upload(lw.lead, "funding:ledger-unit-import", csv_file(*NEW_ROWS), rnsr=RNSR_A)
    assert job.status == LedgerImportStatus.DONE
    assert (job.report["contracts_created"], job.report["contracts_updated"],
            job.report["contracts_unchanged"]) == (2, 0, 1)
    assert 'data-status="done"' in html and "hx-trigger" not in html, "polling stops"
    contracts = re.search(r'data-testid="report-contracts">(.*?)</tr>', html, re.S)
    assert contracts is not None
    assert re.findall(r"<td>([^<]*)</td>", contracts.group(1)) == ["2", "0", "1", "—"]
    assert "Import réussi : 3 lignes" in html
    new = ResearchContract.objects.get(unit=lw.unit_a, reference="A-NEW-1")
    assert new.total_cents == 1_600_000
    before = snapshot()

    again, html = upload(lw.lead, "funding:ledger-unit-import", csv_file(*NEW_ROWS),
                         rnsr=RNSR_A)
    assert again.status == LedgerImportStatus.DONE
    assert (again.report["contracts_created"], again.report["contracts_unchanged"],
            again.report["changed"]) == (0, 3, False)
    assert "rien n&#x27;a changé" in html
    assert snapshot() == before, "re-importing the same file duplicates nothing"


def test_a_file_with_one_bad_row_changes_nothing_and_lists_located_errors(
        lw: LedgerWorld) -> None:
    before = snapshot()
    bad = f"{RNSR_A};A-NEW-3;Optique Rhénane;{siren(4444444)};PMI;2025;abc;31/02/2025;non;oui;;"
    job, html = upload(lw.lead, "funding:ledger-unit-import", csv_file(*NEW_ROWS, bad),
                       rnsr=RNSR_A)
    assert job.status == LedgerImportStatus.REJECTED
    assert snapshot() == before, "atomic: the good rows are not written either"
    located = {(error["row"], error["column"]) for error in job.errors}
    assert {(5, "Catégorie"), (5, "Montant total HT"), (5, "Date de signature")} <= located
    assert 'data-testid="job-refused"' in html and "Rien n'a été enregistré" in html
    assert 'data-row="5" data-column="Catégorie"' in html
    category = re.search(r'data-row="5" data-column="Catégorie">(.*?)</tr>', html, re.S)
    assert category is not None and 'href="/faq/#FAQ-3.2"' in category.group(1)
    assert 'data-testid="job-again"' in html


def test_consortium_import_refuses_rows_of_undeclared_units(lw: LedgerWorld) -> None:
    before = snapshot()
    rows = (f"{RNSR_B};B-2;Optique Rhénane;{siren(4444444)};PME;2025;16 000,00;01/03/2025;non;"
            "oui;;",
            f"{RNSR_C};C-2;Optique Rhénane;{siren(4444444)};PME;2025;16 000,00;01/03/2025;non;"
            "oui;;")
    job, html = upload(lw.coordinator, "funding:ledger-application-import", csv_file(*rows),
                       year=2026, code="terr-alsace")
    assert job.status == LedgerImportStatus.REJECTED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "RNSR")]
    assert RNSR_C in job.errors[0]["message"] and "non déclarée" in job.errors[0]["message"]
    assert 'data-row="3" data-column="RNSR"' in html
    assert snapshot() == before

    job, _ = upload(lw.coordinator, "funding:ledger-application-import", csv_file(rows[0]),
                    year=2026, code="terr-alsace")
    assert job.status == LedgerImportStatus.DONE
    assert ResearchContract.objects.filter(unit=lw.unit_b, reference="B-2").exists()


def test_unit_import_reads_xlsx(lw: LedgerWorld) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Référence contrat", "Partenaire", "SIREN/SIRET", "Catégorie",
                  "Montant total HT", "Date de signature", "Facturé 2025"])
    sheet.append(["A-XL", "Optique Rhénane", siren(4444444), "PME", 17_000.5,
                  date(2025, 6, 1), 1_000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job, _ = upload(lw.lead, "funding:ledger-unit-import",
                    SimpleUploadedFile("registre.xlsx", buffer.getvalue()), rnsr=RNSR_A)
    assert job.status == LedgerImportStatus.DONE, job.errors
    contract = ResearchContract.objects.get(reference="A-XL")
    assert contract.total_cents == 1_700_050 and contract.unit == lw.unit_a


def test_import_form_refuses_other_files_and_files_over_the_service_limit(
        lw: LedgerWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    client = client_for(lw.lead)
    url = reverse("funding:ledger-unit-import", kwargs={"rnsr": RNSR_A})
    response = client.post(url, {"file": SimpleUploadedFile("registre.pdf", b"%PDF-1.7")})
    assert response.status_code == 200
    assert "Le fichier doit être un CSV (.csv) ou un classeur Excel (.xlsx)" in (
        response.content.decode())
    response = client.post(url, {"file": SimpleUploadedFile("registre.xlsx", b"not a zip")})
    assert "n&#x27;est pas celui d&#x27;un classeur .xlsx" in response.content.decode()
    monkeypatch.setattr(forms, "MAX_BYTES", 100)
    response = client.post(url, {"file": csv_file(*NEW_ROWS)})
    assert response.status_code == 200 and "Fichier trop gros" in (
        response.content.decode())
    assert not LedgerImportJob.objects.exists()


def test_import_records_progress_of_a_large_file(lw: LedgerWorld) -> None:
    rows = [f"{RNSR_A};BIG-{n:05d};Optique Rhénane;{siren(4444444)};PME;2025;16 000,00;"
            "01/03/2025;non;oui;1 000,00;" for n in range(2500)]
    job, html = upload(lw.lead, "funding:ledger-unit-import", csv_file(*rows), rnsr=RNSR_A)
    assert job.status == LedgerImportStatus.DONE
    assert (job.rows_done, job.rows_total) == (2500, 2500)
    assert job.report["contracts_created"] == 2500
    assert "Import réussi : 2500 lignes" in html
    assert "Ce que l'import a changé (2\u202f500 lignes)" in html


def test_status_partial_polls_with_a_progress_bar_while_running(lw: LedgerWorld) -> None:
    job = LedgerImportJob.objects.create(by=lw.lead, unit=lw.unit_a, filename="gros.csv",
                                         status=LedgerImportStatus.RUNNING, rows_done=500,
                                         rows_total=2000)
    client = client_for(lw.lead)
    status_url = reverse("funding:ledger-import-status", kwargs={"job": job.pk})
    html = client.get(status_url).content.decode()
    assert f'hx-get="{status_url}" hx-trigger="every 1s" hx-swap="outerHTML"' in html
    assert '<progress class="carnot-progress fr-mb-2w" max="2000" value="500"' in html
    assert "500 / 2\u202f000 (25 %)" in html
    full = client.get(reverse("funding:ledger-import-job", kwargs={"job": job.pk}))
    assert 'data-testid="job-region"' in full.content.decode()
    assert 'hx-trigger="every 1s"' in full.content.decode()


def test_an_import_job_is_seen_only_by_who_started_it(lw: LedgerWorld) -> None:
    job = LedgerImportJob.objects.create(by=lw.lead, unit=lw.unit_a, filename="r.csv")
    url = reverse("funding:ledger-import-status", kwargs={"job": job.pk})
    assert client_for(lw.coordinator).get(url).status_code == 404
    assert client_for(lw.admin).get(url).status_code == 200


def test_template_file_has_the_service_columns_and_imports(lw: LedgerWorld) -> None:
    response = client_for(lw.lead).get(reverse("funding:ledger-template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header == [*ALIASES, "Facturé 2022", "Facturé 2023", "Facturé 2024",
                      "Facturé 2025"], "2025: the revenue year of the 2026 call"
    values = {RNSR: RNSR_A, REFERENCE: "A-MODELE",
              PARTNER: "Optique Rhénane", IDENTIFIER: siren(4444444),
              CATEGORY: "PME", TOTAL: "16 000,00 €",
              SIGNED_ON: "01/03/2025", "Facturé 2025": "100,00"}
    line = ";".join(values.get(column, "") for column in header)
    job, _ = upload(lw.lead, "funding:ledger-unit-import",
                    SimpleUploadedFile("modele.csv", (text + line).encode()), rnsr=RNSR_A)
    assert job.status == LedgerImportStatus.DONE, job.errors
    assert InvoicedAmount.objects.get(contract__reference="A-MODELE").amount_cents == 10_000


# --- The task queue --------------------------------------------------------------------------

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_import_waits_in_the_queue_until_a_worker_runs_it(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    lw = build_ledger_world()
    client = client_for(lw.lead)
    response = client.post(reverse("funding:ledger-unit-import", kwargs={"rnsr": RNSR_A}),
                           {"file": csv_file(*NEW_ROWS)})
    assert response.status_code == 302
    job = LedgerImportJob.objects.get()
    assert job.status == LedgerImportStatus.PENDING and job.file, "stored for the worker"
    assert DBTaskResult.objects.get().id == uuid.UUID(job.task_id)
    status_url = reverse("funding:ledger-import-status", kwargs={"job": job.pk})
    assert "Import en attente" in client.get(status_url).content.decode()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == LedgerImportStatus.DONE, job.errors
    assert job.finished_at is not None and (job.rows_done, job.rows_total) == (3, 3)
    assert not job.file and not any(Path(settings.LEDGER_IMPORT_FILES_ROOT).iterdir()), (
        "the file is deleted once its task has ended")
    assert ResearchContract.objects.filter(unit=lw.unit_a, reference="A-NEW-2").exists()
    html = client.get(status_url).content.decode()
    assert 'data-status="done"' in html and "Import réussi" in html


def test_an_unexpected_failure_is_reported_and_writes_nothing(
        lw: LedgerWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("disque plein")

    monkeypatch.setattr(jobs, "ledger_import", broken)
    job = tasks.start_ledger_import(file=ContentFile(b"x"), filename="r.csv", by=lw.lead,
                                    unit=lw.unit_a)
    assert job.status == LedgerImportStatus.FAILED
    assert job.errors[0]["message"].startswith("Erreur inattendue")
