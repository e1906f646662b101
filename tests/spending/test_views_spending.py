"""The spending pages (FAQ-4.1): a consortium's vintages, its warnings before money expires, its
balance, its expenditures and their history; recording an expenditure with and without htmx;
the CSV export.

The ledger, figures by hand: consortium « terr-alsace » has a 2026 grant of 1 000,00 € (from the
published 2026 run) and a 2027 grant of 500,00 € (from the published 2027 run, to the application
of the same code in the 2027 call): 1 500,00 € in all. The 2026 grant is spendable until
31/12/2030, the 2027 one until 31/12/2031. "Today" is fixed in each test by patching
``django.utils.timezone.localdate``.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carnot.accounts.models import Role
from carnot.allocation.models import AllocationLine, AllocationRun, AllocationStatus
from carnot.allocation.services import grants_from_published_run
from carnot.applications.models import Application
from carnot.audit.models import AuditEvent
from carnot.registry.models import Call
from carnot.spending.models import Expenditure, ExpenditureCategory
from carnot.spending.services import expenditure_record
from tests.web.factories import make_application, make_call, make_structure, make_user

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"
"""Thousands separator of amounts in euros (narrow no-break space)."""
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Ledger:
    call_2026: Call
    call_2027: Call
    officer: User
    staff: User
    coordinator: User
    admin: User
    terr: Application
    terr_2027: Application
    other: Application


def published_run(call: Call, officer: User, allocations: dict[str, int]) -> AllocationRun:
    """A published run of ``call`` with one line per consortium (only the amounts matter)."""
    total = sum(allocations.values())
    run = AllocationRun.objects.create(
        call=call, number=1, envelope_cents=total, parameters=[], inputs_fingerprint="0" * 64,
        results={}, allocated_cents=total, created_by=officer, status=AllocationStatus.PUBLISHED,
        published_at=timezone.now(), published_by=officer)
    for code, cents in allocations.items():
        AllocationLine.objects.create(
            run=run, application_code=code, name=code, kind="territorial", admissible=True,
            threshold_revenue_cents=0, abondement_revenue_cents=0, guarantee_applies=False,
            guarantee_cents=0, pro_rata_cents=cents, bonus_cents=0, allocation_cents=cents)
    return run


def build_ledger() -> Ledger:
    """terr-alsace: 1 000,00 € granted in 2026, 500,00 € in 2027; terr-auvergne (another
    coordinator's): 700,00 € in 2026."""
    call_2026, call_2027 = make_call(2026), make_call(2027)
    officer = make_user(Role.PROGRAMME_OFFICER, "charge")
    coordinator = make_user(Role.COORDINATOR, "coordo")
    someone_else = make_user(Role.COORDINATOR, "autre")
    unistra, uca = make_structure("unistra"), make_structure("uca")
    terr = make_application(call_2026, coordinator, "terr-alsace", "territorial", unistra)
    other = make_application(call_2026, someone_else, "terr-auvergne", "territorial", uca)
    terr_2027 = make_application(call_2027, coordinator, "terr-alsace", "territorial", unistra)
    grants_from_published_run(
        run=published_run(call_2026, officer, {"terr-alsace": 100_000, "terr-auvergne": 70_000}),
        by=officer)
    grants_from_published_run(run=published_run(call_2027, officer, {"terr-alsace": 50_000}),
                              by=officer)
    return Ledger(call_2026, call_2027, officer, make_user(Role.ASSOCIATION_STAFF, "asso"),
                  coordinator, make_user(Role.ADMINISTRATOR, "admin"), terr, terr_2027, other)


@pytest.fixture
def ledger() -> Ledger:
    return build_ledger()


@contextmanager
def today_is(day: date) -> Iterator[None]:
    """The pages' and the API's "today" (``timezone.localdate()``)."""
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        yield


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, application: Application) -> str:
    return reverse(name, kwargs={"year": application.call.year, "code": application.code})


def _page(user: User, application: Application, day: date) -> str:
    with today_is(day):
        response = _client(user).get(_url("funding:spending-detail", application))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _post(user: User, application: Application, day: date, data: dict[str, Any],
          **headers: str) -> Any:
    with today_is(day):
        return _client(user).post(_url("funding:spending-create", application), data,
                                  **headers)


def _form(spent_on: str, amount: str, *, vintage: str = "",
          category: str = ExpenditureCategory.EQUIPMENT.value) -> dict[str, str]:
    return {"spent_on": spent_on, "amount": amount, "category": category,
            "description": "Banc de mesure optique", "vintage": vintage}


def _spend(ledger: Ledger, spent_on: date, cents: int) -> None:
    expenditure_record(application=ledger.terr, spent_on=spent_on, amount_cents=cents,
                       category=ExpenditureCategory.STAFF.value, description="Post-doctorat",
                       by=ledger.coordinator)


def _vintage(page: str, year: int) -> dict[str, str]:
    row = re.search(rf'data-testid="vintage-row" data-year="{year}">(.*?)</tr>', page, re.S)
    assert row is not None, f"no row for the {year} vintage"
    cells = dict(re.findall(r'data-testid="vintage-(\w+)">([^<]*)<', row.group(1)))
    return {name: value.strip() for name, value in cells.items()}


def _squash(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped, ASCII blanks collapsed (a narrow no-break
    space in an amount is kept)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def _text(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(?:dd|p|td|div)>', page, re.S)
    assert found is not None, f"no {testid}"
    return _squash(found.group(1))


def _alerts(page: str) -> list[tuple[str, str]]:
    return [(level, _squash(body))
            for level, body in re.findall(
                r'data-testid="spending-alert" data-level="(\w+)">(.*?)</div>', page, re.S)]


def _cents(euros: str) -> int:
    whole, cents = euros.replace(NNBSP, "").replace("€", "").strip().split(",")
    return int(whole) * 100 + int(cents)


def _form_errors(page: str) -> str:
    return " ".join(re.findall(r'class="fr-(?:error-text|message fr-message--error)">([^<]*)<',
                               page) + re.findall(r'data-testid="form-errors">\s*<p>([^<]*)<',
                                                  page))


# --- The ledger page ------------------------------------------------------------------------

def test_each_vintage_shows_granted_spent_remaining_and_its_deadline(ledger: Ledger) -> None:
    _spend(ledger, date(2027, 2, 1), 30_000)

    page = _page(ledger.coordinator, ledger.terr, date(2027, 6, 1))

    assert _vintage(page, 2026) == {"granted": f"1{NNBSP}000,00 €", "spent": "300,00 €",
                                    "remaining": "700,00 €", "deadline": "31/12/2030",
                                    "state": "ouvert"}
    assert _vintage(page, 2027) == {"granted": "500,00 €", "spent": "0,00 €",
                                    "remaining": "500,00 €", "deadline": "31/12/2031",
                                    "state": "ouvert"}
    assert _text(page, "balance-granted") == f"1{NNBSP}500,00 €"
    assert _text(page, "balance-spent") == "300,00 €"
    assert _text(page, "balance-remaining") == f"1{NNBSP}200,00 €"
    assert "Attribué = dépensé + reste, au centime" in _text(page, "balance-check")
    assert _alerts(page) == []


def test_the_ledger_is_the_consortium_s_whatever_the_call_of_the_page(ledger: Ledger) -> None:
    _spend(ledger, date(2027, 2, 1), 30_000)

    page_2027 = _page(ledger.coordinator, ledger.terr_2027, date(2027, 6, 1))

    assert _vintage(page_2027, 2026)["remaining"] == "700,00 €"
    assert _vintage(page_2027, 2027)["granted"] == "500,00 €"
    assert "terr-auvergne" not in page_2027


def test_money_about_to_expire_is_announced_with_its_amount_and_date(ledger: Ledger) -> None:
    """On 01/09/2030, 121 days before the 2026 grant's deadline (within the 180-day warning),
    all of its 1 000,00 € are left."""
    _spend(ledger, date(2028, 5, 1), 25_000)

    page = _page(ledger.coordinator, ledger.terr, date(2030, 9, 1))

    assert _alerts(page) == [(
        "warning", "Abondement bientôt perdu Abondement 2026 : 750,00 € restent à dépenser au "
                   "plus tard le 31/12/2030 (dans 121 jours) ; au-delà, ils sont perdus "
                   "(FAQ-4.1).")]
    assert _vintage(page, 2026)["state"] == "expire bientôt"
    assert _vintage(page, 2027)["state"] == "ouvert"


def test_no_warning_six_months_and_a_day_before_the_deadline(ledger: Ledger) -> None:
    page = _page(ledger.coordinator, ledger.terr, date(2030, 7, 3))

    assert _alerts(page) == []


def test_money_left_after_the_deadline_is_shown_as_lost(ledger: Ledger) -> None:
    page = _page(ledger.coordinator, ledger.terr, date(2031, 3, 1))

    assert _alerts(page) == [(
        "error", f"Abondement perdu Abondement 2026 : 1{NNBSP}000,00 € non dépensés au "
                 "31/12/2030 sont perdus, le délai de cinq ans est passé (FAQ-4.1).")]
    assert _vintage(page, 2026)["state"] == "clos, reliquat perdu"
    assert _text(page, "balance-remaining") == f"1{NNBSP}500,00 €"


def test_a_consortium_without_grant_has_an_empty_ledger_and_no_form(ledger: Ledger) -> None:
    lonely = make_application(ledger.call_2026, ledger.coordinator, "terr-lorraine",
                              "territorial", make_structure("univ-lorraine"))

    page = _page(ledger.coordinator, lonely, date(2027, 6, 1))

    assert 'data-testid="no-grant"' in page and 'data-testid="spending-form"' not in page
    assert _text(page, "balance-granted") == "0,00 €"


def test_only_those_who_record_get_the_form(ledger: Ledger) -> None:
    day = date(2027, 6, 1)
    assert 'data-testid="spending-form"' in _page(ledger.coordinator, ledger.terr, day)
    assert 'data-testid="spending-form"' in _page(ledger.admin, ledger.terr, day)
    for reader in (ledger.officer, ledger.staff):
        page = _page(reader, ledger.terr, day)
        assert 'data-testid="spending-form"' not in page
        assert _vintage(page, 2026)["granted"] == f"1{NNBSP}000,00 €"


def test_the_application_page_links_to_the_ledger_when_the_consortium_has_grants(
        ledger: Ledger) -> None:
    client = _client(ledger.coordinator)
    lonely = make_application(ledger.call_2026, ledger.coordinator, "terr-lorraine",
                              "territorial", make_structure("univ-lorraine"))

    with_grants = client.get(_url("applications:detail", ledger.terr)).content.decode()
    without = client.get(_url("applications:detail", lonely)).content.decode()

    assert f'href="{_url("funding:spending-detail", ledger.terr)}"' in with_grants
    assert 'data-testid="spending-link"' not in without


# --- Recording an expenditure ---------------------------------------------------------------

def test_an_expenditure_is_recorded_and_the_page_shows_it_after_a_redirection(
        ledger: Ledger) -> None:
    response = _post(ledger.coordinator, ledger.terr, date(2027, 6, 1),
                     _form("15/03/2027", "250,50"))
    assert response.status_code == 302
    assert response["Location"] == _url("funding:spending-detail", ledger.terr)

    recorded = Expenditure.objects.get()
    assert (recorded.grant.year, recorded.amount_cents, recorded.spent_on,
            recorded.category, recorded.recorded_by) == (
        2026, 25_050, date(2027, 3, 15), "equipment", ledger.coordinator)
    page = _page(ledger.coordinator, ledger.terr, date(2027, 6, 1))
    row = re.search(r'data-testid="expenditure-row"[^>]*>(.*?)</tr>', page, re.S)
    assert row is not None
    text = _squash(row.group(1))
    assert text.startswith("15/03/2027 Équipement 250,50 € 2026 : 250,50 € "
                           "Banc de mesure optique coordo le ")
    assert _vintage(page, 2026)["remaining"] == "749,50 €"


def test_french_amounts_are_read_to_the_cent(ledger: Ledger) -> None:
    for typed, cents in (("1 000,00 €", 100_000), ("12,5", 1_250), ("300.25", 30_025)):
        Expenditure.objects.all().delete()
        response = _post(ledger.admin, ledger.terr, date(2027, 6, 1),
                         _form("2027-03-15", typed, vintage="2027" if cents > 50_000 else ""))
        if cents > 50_000:
            assert response.status_code == 200  # 1 000,00 € on the 2027 vintage: 500,00 € left
            assert "il ne reste que 500,00 €" in _form_errors(html.unescape(
                response.content.decode()))
            continue
        assert response.status_code == 302
        assert Expenditure.objects.get().amount_cents == cents


def test_an_amount_that_is_not_one_is_refused_on_its_field(ledger: Ledger) -> None:
    response = _post(ledger.coordinator, ledger.terr, date(2027, 6, 1),
                     _form("2027-03-15", "douze euros"))

    assert response.status_code == 200
    assert "« douze euros » n'est pas un montant (ex. 45 000,00 €)." in _form_errors(
        html.unescape(response.content.decode()))
    assert not Expenditure.objects.exists()


def test_an_expenditure_after_its_vintage_s_deadline_is_refused_and_nothing_is_stored(
        ledger: Ledger) -> None:
    """FAQ-4.1: the 2026 grant is spendable until 31/12/2030; on 02/01/2031 it is closed."""
    history = AuditEvent.objects.count()

    response = _post(ledger.coordinator, ledger.terr, date(2031, 1, 5),
                     _form("02/01/2031", "100,00", vintage="2026"))

    assert response.status_code == 200
    errors = _form_errors(html.unescape(response.content.decode()))
    assert ("Dépense du 02/01/2031 refusée : hors de la période d'utilisation de l'abondement "
            f"2026 (utilisable jusqu'au 31/12/2030, reste 1{NNBSP}000,00 €), du 01/01/2026 au "
            "31/12/2030 (FAQ-4.1).") in errors
    assert not Expenditure.objects.exists()
    assert AuditEvent.objects.count() == history


def test_after_every_deadline_an_expenditure_is_refused_naming_the_closed_vintages(
        ledger: Ledger) -> None:
    response = _post(ledger.coordinator, ledger.terr, date(2032, 1, 5),
                     _form("02/01/2032", "100,00"))

    errors = _form_errors(html.unescape(response.content.decode()))
    assert "aucun abondement n'est utilisable à cette date (FAQ-4.1)" in errors
    assert "abondement 2027 (utilisable jusqu'au 31/12/2031, reste 500,00 €)" in errors
    assert not Expenditure.objects.exists()


def test_beyond_what_is_left_is_refused_on_the_amount(ledger: Ledger) -> None:
    response = _post(ledger.coordinator, ledger.terr, date(2027, 6, 1),
                     _form("2027-03-15", "1 500,01 €"))

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    amount_field = re.search(r'id="expenditure_amount".*?</div>', page, re.S)
    assert amount_field is not None
    assert (f"Dépense de 1{NNBSP}500,01 € refusée : il ne reste que 1{NNBSP}500,00 € "
            "utilisables le 15/03/2027") in amount_field.group(0)
    assert not Expenditure.objects.exists()


def test_zero_and_negative_amounts_are_refused(ledger: Ledger) -> None:
    for typed in ("0", "-5,00"):
        response = _post(ledger.coordinator, ledger.terr, date(2027, 6, 1),
                         _form("2027-03-15", typed))
        assert "Le montant d'une dépense doit être positif." in _form_errors(
            html.unescape(response.content.decode()))
    assert not Expenditure.objects.exists()


def test_an_expenditure_split_across_two_vintages_is_one_entry_with_its_parts(
        ledger: Ledger) -> None:
    """800,00 € spent leaves 200,00 € on 2026: 450,00 € is charged 200,00 € on 2026 (oldest
    first) and 250,00 € on 2027."""
    _spend(ledger, date(2027, 3, 1), 80_000)

    client = _client(ledger.coordinator)

    with today_is(date(2027, 6, 1)):
        response = client.post(_url("funding:spending-create", ledger.terr),
                               _form("2027-04-01", "450,00"), follow=True)

    assert response.redirect_chain == [(_url("funding:spending-detail", ledger.terr), 302)]
    page = html.unescape(response.content.decode())
    assert ("Dépense de 450,00 € enregistrée, répartie : 200,00 € sur l'abondement 2026, "
            "250,00 € sur l'abondement 2027.") in page
    rows = re.findall(r'data-testid="expenditure-row" data-entry="[^"]+" data-parts="(\d)">'
                      r'(.*?)</tr>', page, re.S)
    assert [parts for parts, _ in rows] == ["2", "1"]
    newest = _squash(rows[0][1])
    assert "01/04/2027 Équipement 450,00 € 2026 : 200,00 € 2027 : 250,00 €" in newest
    assert (_vintage(page, 2026)["remaining"], _vintage(page, 2027)["remaining"]) == (
        "0,00 €", "250,00 €")
    assert _vintage(page, 2026)["state"] == "entièrement dépensé"


def test_a_chosen_vintage_is_charged_even_when_an_older_one_has_money_left(
        ledger: Ledger) -> None:
    _post(ledger.coordinator, ledger.terr, date(2027, 6, 1),
          _form("2027-04-01", "100,00", vintage="2027"))

    assert [(e.grant.year, e.amount_cents) for e in Expenditure.objects.all()] == [
        (2027, 10_000)]


def test_the_balance_holds_after_every_attempt_accepted_or_refused(ledger: Ledger) -> None:
    attempts = [("2027-01-10", "333,33", ""), ("2027-02-10", "999,99", ""),
                ("2031-02-10", "10,00", "2026"), ("2027-03-10", "166,67", "2027"),
                ("2027-04-10", "0,01", ""), ("2027-05-10", "0,01", "")]
    for spent_on, amount, vintage in attempts:
        _post(ledger.coordinator, ledger.terr, date(2027, 6, 1),
              _form(spent_on, amount, vintage=vintage))
        page = _page(ledger.coordinator, ledger.terr, date(2027, 6, 1))
        granted, spent, remaining = (_cents(_text(page, f"balance-{name}"))
                                     for name in ("granted", "spent", "remaining"))
        assert granted == 150_000 and granted == spent + remaining
        assert remaining == sum(_cents(_vintage(page, year)["remaining"])
                                for year in (2026, 2027))
        assert 'data-balanced="yes"' in page
    # 333,33 + 999,99 + 166,67 = 1 499,99 accepted; then 0,01 €; the last 0,01 € is refused.
    assert sum(e.amount_cents for e in Expenditure.objects.all()) == 150_000


def test_history_names_who_when_what_old_and_new(ledger: Ledger) -> None:
    _post(ledger.coordinator, ledger.terr, date(2027, 6, 1), _form("2027-04-01", "250,00"))

    page = _page(ledger.officer, ledger.terr, date(2027, 6, 1))

    rows = [_squash(row) for row in re.findall(
        r'data-testid="spending-history-row">(.*?)</tr>', page, re.S)]
    when = timezone.localtime(AuditEvent.objects.latest("at").at).strftime("%d/%m/%Y %H:%M")
    assert rows[0] == (f"{when} coordo Dépense du 01/04/2027 sur l'abondement 2026 "
                       f"1{NNBSP}000,00 € restants 250,00 € (équipement) ; 750,00 € restants")
    assert any(row.endswith("charge Abondement 2027 — 500,00 € (répartition n° 1)")
               for row in rows)
    assert any(row.endswith(f"charge Abondement 2026 — 1{NNBSP}000,00 € (répartition n° 1)")
               for row in rows)


# --- htmx ------------------------------------------------------------------------------------

def test_with_htmx_the_ledger_section_comes_back_with_the_notice(ledger: Ledger) -> None:
    response = _post(ledger.coordinator, ledger.terr, date(2027, 6, 1),
                     _form("2027-04-01", "250,00"), **HTMX)

    assert response.status_code == 200
    fragment = html.unescape(response.content.decode())
    assert '<div id="spending-ledger"' in fragment and "<html" not in fragment
    assert "Dépense de 250,00 € enregistrée sur l'abondement 2026." in _text(fragment, "notice")
    assert _vintage(fragment, 2026)["remaining"] == "750,00 €"
    assert 'id="messages" data-testid="messages" hx-swap-oob="true"' in fragment
    assert Expenditure.objects.count() == 1


def test_with_htmx_a_refusal_comes_back_in_the_form_and_nothing_is_stored(
        ledger: Ledger) -> None:
    response = _post(ledger.coordinator, ledger.terr, date(2031, 1, 5),
                     _form("2031-01-02", "100,00", vintage="2026"), **HTMX)

    fragment = html.unescape(response.content.decode())
    assert response.status_code == 200 and "<html" not in fragment
    assert "hors de la période d'utilisation de l'abondement 2026" in _form_errors(fragment)
    assert 'value="100,00"' in fragment
    assert not Expenditure.objects.exists()


def test_the_form_page_works_without_javascript(ledger: Ledger) -> None:
    with today_is(date(2027, 6, 1)):
        page = _client(ledger.coordinator).get(
            _url("funding:spending-create", ledger.terr)).content.decode()

    assert 'value="2027-06-01"' in page  # today, by default
    assert "Le plus ancien d&#x27;abord (par défaut)" in page
    assert "hx-post" not in page.split('data-testid="spending-form"')[1].split(">")[0]


# --- Permissions beyond the route matrix ----------------------------------------------------

def test_read_only_roles_may_not_record_and_another_coordinator_does_not_see(
        ledger: Ledger) -> None:
    data = _form("2027-04-01", "250,00")
    assert _post(ledger.officer, ledger.terr, date(2027, 6, 1), data).status_code == 403
    assert _post(ledger.staff, ledger.terr, date(2027, 6, 1), data).status_code == 403
    stranger = ledger.other.owners.get()
    assert _post(stranger, ledger.terr, date(2027, 6, 1), data).status_code == 404
    with today_is(date(2027, 6, 1)):
        assert _client(stranger).get(
            _url("funding:spending-detail", ledger.terr)).status_code == 404
    assert not Expenditure.objects.exists()


# --- CSV ---------------------------------------------------------------------------------------

def test_the_csv_lists_each_part_of_each_expenditure(ledger: Ledger) -> None:
    _spend(ledger, date(2027, 3, 1), 80_000)
    _post(ledger.coordinator, ledger.terr, date(2027, 6, 1), _form("2027-04-01", "450,00"))

    response = _client(ledger.officer).get(_url("funding:spending-csv", ledger.terr))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="depenses-terr-alsace.csv"' in response["Content-Disposition"]
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["consortium", "date", "catégorie", "montant (€)", "abondement",
                       "description", "saisie par", "saisie le", "saisie"]
    assert [row[:7] for row in rows[1:]] == [
        ["terr-alsace", "01/04/2027", "Équipement", "200,00", "2026",
         "Banc de mesure optique", "coordo"],
        ["terr-alsace", "01/04/2027", "Équipement", "250,00", "2027",
         "Banc de mesure optique", "coordo"],
        ["terr-alsace", "01/03/2027", "Personnel", "800,00", "2026", "Post-doctorat", "coordo"]]
    assert rows[1][8] == rows[2][8] != rows[3][8]
