"""The spending API (FAQ-4.1): vintages with the balance, expenditures with their parts,
recording one (201 with its parts, 422 with the French reason, nothing stored), the history.

The ledger is the one of ``test_views_spending``: terr-alsace has 1 000,00 € granted in 2026
(spendable until 31/12/2030) and 500,00 € in 2027 (until 31/12/2031). "Today" is fixed by
patching ``django.utils.timezone.localdate``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from carnot.applications.models import Application
from carnot.audit.models import AuditEvent
from carnot.spending.models import Expenditure
from tests.spending.test_views_spending import NNBSP, Ledger, build_ledger, today_is

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger() -> Ledger:
    return build_ledger()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _base(application: Application) -> str:
    return f"/api/financement/{application.call.year}/{application.code}/depenses"


def _get(user: User, url: str, day: date = date(2027, 6, 1)) -> Any:
    with today_is(day):
        return _client(user).get(url)


def _record(user: User, application: Application, payload: dict[str, Any]) -> Any:
    with today_is(date(2027, 6, 1)):
        return _client(user).post(_base(application), payload, content_type="application/json")


def _expenditure(spent_on: str, **amount: Any) -> dict[str, Any]:
    return {"spent_on": spent_on, "category": "staff", "description": "Post-doctorat",
            **amount}


# --- Vintages and balance -------------------------------------------------------------------

def test_vintages_give_each_year_s_figures_deadline_and_the_balance(ledger: Ledger) -> None:
    _record(ledger.coordinator, ledger.terr, _expenditure("2028-05-01", amount_cents=25_000))

    response = _get(ledger.officer, _base(ledger.terr) + "/millesimes", date(2030, 9, 1))

    assert response.status_code == 200
    body = response.json()
    assert body["today"] == "2030-09-01" and body["code"] == "terr-alsace"
    assert body["vintages"] == [
        {"year": 2026, "granted_cents": 100_000, "spent_cents": 25_000,
         "remaining_cents": 75_000, "deadline": "2030-12-31", "days_left": 121,
         "expired": False, "expiring": True,
         "alert": "Abondement 2026 : 750,00 € restent à dépenser au plus tard le 31/12/2030 "
                  "(dans 121 jours) ; au-delà, ils sont perdus (FAQ-4.1)."},
        {"year": 2027, "granted_cents": 50_000, "spent_cents": 0, "remaining_cents": 50_000,
         "deadline": "2031-12-31", "days_left": 486, "expired": False, "expiring": False,
         "alert": None}]
    assert body["balance"] == {"granted_cents": 150_000, "spent_cents": 25_000,
                               "remaining_cents": 125_000, "balanced": True,
                               "overspent_years": []}


def test_a_lost_remainder_is_announced_after_the_deadline(ledger: Ledger) -> None:
    body = _get(ledger.coordinator, _base(ledger.terr) + "/millesimes",
                date(2031, 1, 1)).json()

    first = body["vintages"][0]
    assert (first["expired"], first["days_left"]) == (True, -1)
    assert first["alert"] == (f"Abondement 2026 : 1{NNBSP}000,00 € non dépensés au 31/12/2030 "
                              "sont perdus, le délai de cinq ans est passé (FAQ-4.1).")


# --- Recording ----------------------------------------------------------------------------------

def test_an_amount_in_french_is_recorded_and_answered_with_its_part(ledger: Ledger) -> None:
    response = _record(ledger.coordinator, ledger.terr,
                       _expenditure("2027-03-15", amount="12,50 €"))

    assert response.status_code == 201
    body = response.json()
    assert (body["spent_on"], body["amount_cents"], body["category"], body["category_label"],
            body["recorded_by"], body["parts"]) == (
        "2027-03-15", 1_250, "staff", "Personnel", "coordo",
        [{"vintage": 2026, "amount_cents": 1_250}])
    assert Expenditure.objects.get().amount_cents == 1_250


def test_an_expenditure_split_across_two_vintages_comes_back_with_both_parts(
        ledger: Ledger) -> None:
    _record(ledger.coordinator, ledger.terr, _expenditure("2027-03-01", amount_cents=80_000))

    response = _record(ledger.admin, ledger.terr, _expenditure("2027-04-01", amount_cents=45_000))

    assert response.status_code == 201
    assert response.json()["parts"] == [{"vintage": 2026, "amount_cents": 20_000},
                                        {"vintage": 2027, "amount_cents": 25_000}]
    listed = _get(ledger.officer, _base(ledger.terr)).json()
    assert [(e["spent_on"], e["amount_cents"], e["recorded_by"], e["parts"])
            for e in listed] == [
        ("2027-04-01", 45_000, "admin", [{"vintage": 2026, "amount_cents": 20_000},
                                         {"vintage": 2027, "amount_cents": 25_000}]),
        ("2027-03-01", 80_000, "coordo", [{"vintage": 2026, "amount_cents": 80_000}])]
    assert listed[0]["entry"] == response.json()["entry"]


def test_a_chosen_vintage_is_charged(ledger: Ledger) -> None:
    response = _record(ledger.coordinator, ledger.terr,
                       _expenditure("2027-04-01", amount_cents=10_000, vintage=2027))

    assert response.json()["parts"] == [{"vintage": 2027, "amount_cents": 10_000}]


def test_after_its_vintage_s_deadline_an_expenditure_is_refused_and_nothing_is_stored(
        ledger: Ledger) -> None:
    history = AuditEvent.objects.count()

    response = _record(ledger.coordinator, ledger.terr,
                       _expenditure("2031-01-02", amount_cents=10_000, vintage=2026))

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Dépense du 02/01/2031 refusée : hors de la période d'utilisation de l'abondement 2026 "
        f"(utilisable jusqu'au 31/12/2030, reste 1{NNBSP}000,00 €), du 01/01/2026 au "
        "31/12/2030 (FAQ-4.1).")
    assert not Expenditure.objects.exists() and AuditEvent.objects.count() == history


def test_beyond_what_is_left_the_refusal_names_the_amount(ledger: Ledger) -> None:
    response = _record(ledger.coordinator, ledger.terr,
                       _expenditure("2027-04-01", amount_cents=150_001))

    assert response.status_code == 422
    message = response.json()["errors"]["amount_cents"][0]
    assert message.startswith(f"Dépense de 1{NNBSP}500,01 € refusée : il ne reste que "
                              f"1{NNBSP}500,00 € utilisables le 01/04/2027")
    assert not Expenditure.objects.exists()


@pytest.mark.parametrize(("amount", "field", "message"), [
    ({"amount_cents": 0}, "amount_cents", "Le montant d'une dépense doit être positif."),
    ({"amount": "-3,00"}, "amount_cents", "Le montant d'une dépense doit être positif."),
    ({"amount": "trois euros"}, "amount", "« trois euros » n'est pas un montant"),
    ({"amount": "3,001"}, "amount", "a plus de deux décimales"),
    ({}, "amount_cents", "Montant requis"),
    ({"amount": "3,00", "amount_cents": 300}, "amount", "pas les deux"),
])
def test_amounts_are_refused_with_their_field(ledger: Ledger, amount: dict[str, Any],
                                              field: str, message: str) -> None:
    response = _record(ledger.coordinator, ledger.terr, _expenditure("2027-04-01", **amount))

    assert response.status_code == 422
    assert message in response.json()["errors"][field][0]
    assert not Expenditure.objects.exists()


def test_a_vintage_the_consortium_does_not_have_is_refused(ledger: Ledger) -> None:
    response = _record(ledger.coordinator, ledger.terr,
                       _expenditure("2027-04-01", amount_cents=100, vintage=2029))

    assert response.status_code == 422
    assert response.json()["errors"]["vintage"] == [
        "Le consortium terr-alsace n'a pas d'abondement 2029."]


def test_an_unknown_category_is_refused_by_the_schema(ledger: Ledger) -> None:
    response = _record(ledger.coordinator, ledger.terr,
                       {**_expenditure("2027-04-01", amount_cents=100), "category": "voyage"})

    assert response.status_code == 422
    assert "valeur non autorisée" in response.json()["detail"]


def test_who_may_record(ledger: Ledger) -> None:
    payload = _expenditure("2027-04-01", amount_cents=100)
    assert _record(ledger.officer, ledger.terr, payload).status_code == 403
    assert _record(ledger.staff, ledger.terr, payload).status_code == 403
    assert _record(ledger.other.owners.get(), ledger.terr, payload).status_code == 404
    assert _get(ledger.other.owners.get(), _base(ledger.terr)).status_code == 404
    assert Client().get(_base(ledger.terr)).status_code == 401
    assert not Expenditure.objects.exists()


# --- History and OpenAPI ------------------------------------------------------------------------

def test_the_history_names_who_what_old_and_new(ledger: Ledger) -> None:
    _record(ledger.coordinator, ledger.terr, _expenditure("2027-04-01", amount_cents=25_000))

    history = _get(ledger.staff, _base(ledger.terr) + "/historique").json()

    assert {key: history[0][key] for key in ("by", "what", "old", "new")} == {
        "by": "coordo", "what": "Dépense du 01/04/2027 sur l'abondement 2026",
        "old": f"1{NNBSP}000,00 € restants", "new": "250,00 € (personnel) ; 750,00 € restants"}
    assert {(h["by"], h["what"], h["new"]) for h in history[1:]} == {
        ("charge", "Abondement 2026", f"1{NNBSP}000,00 € (répartition n° 1)"),
        ("charge", "Abondement 2027", "500,00 € (répartition n° 1)")}


def test_the_operations_are_published_in_the_openapi_schema(ledger: Ledger) -> None:
    paths = _client(ledger.coordinator).get("/api/openapi.json").json()["paths"]

    base = "/api/financement/{year}/{code}/depenses"
    assert {"get", "post"} <= set(paths[base])
    assert paths[base]["post"]["operationId"] == "record_expenditure"
    assert "get" in paths[base + "/millesimes"] and "get" in paths[base + "/historique"]
