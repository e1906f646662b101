"""Expectations for five-year spending (``src/carnot/spending/views.py`` and
``src/carnot/spending/api.py``).

Reading a consortium's ledger: whoever may see the application (not the other coordinator: 404).
Recording an expenditure: its coordinator and the administrator; the unit's lead, programme
officers and association staff see the application but get 403. The world's target application
has a 2026 grant of 1 500 000,00 € (spendable until 31/12/2030): a small expenditure in 2026 is
recorded (page: 302 to the ledger, API: 201); one dated 2031 is refused (page: 200, the form
with the FAQ-4.1 reason; API: 422).
"""

from __future__ import annotations

from typing import Any

from tests.web.permissions.core import Expect, World, statuses

READS_PAGE = statuses(anonymous=302, other_coordinator=404, default=200)
READS_API = statuses(anonymous=401, other_coordinator=404, default=200)


def _records_page(success: int) -> dict[str, int]:
    return statuses(anonymous=302, other_coordinator=404, unit_lead=403, programme_officer=403,
                    association_staff=403, default=success)


def _records_api(success: int) -> dict[str, int]:
    return statuses(anonymous=401, other_coordinator=404, unit_lead=403, programme_officer=403,
                    association_staff=403, default=success)


def _other_application(w: World) -> dict[str, Any]:
    return {"year": w.call.year, "code": w.other_application.code}


def _expenditure_form(w: World) -> dict[str, Any]:
    return {"spent_on": "2026-03-16", "amount": "1 250,00 €", "category": "equipment",
            "description": "Banc optique"}


def _late_form(w: World) -> dict[str, Any]:
    return {**_expenditure_form(w), "spent_on": "2031-01-02"}


def _expenditure_json(w: World) -> dict[str, Any]:
    return {"spent_on": "2026-03-16", "amount": "1 250,00 €", "category": "equipment",
            "description": "Banc optique"}


def _late_json(w: World) -> dict[str, Any]:
    return {"spent_on": "2031-01-02", "amount_cents": 125_000, "category": "staff"}


EXPECTATIONS = [
    Expect("funding:spending-detail", READS_PAGE),
    Expect("funding:spending-detail", case="other application", kwargs=_other_application,
           expected=statuses(anonymous=302, coordinator=404, unit_lead=404, default=200)),
    Expect("funding:spending-detail", case="unknown application",
           kwargs=lambda w: {"year": w.call.year, "code": "inconnue"},
           expected=statuses(anonymous=302, default=404)),
    Expect("funding:spending-csv", READS_PAGE),
    Expect("funding:spending-create", _records_page(200)),
    Expect("funding:spending-create", method="POST", data=_expenditure_form,
           expected=_records_page(302)),
    Expect("funding:spending-create", method="POST", case="after the deadline",
           data=_late_form, expected=_records_page(200)),
    Expect("funding:spending-create", method="POST", case="other application",
           kwargs=_other_application, data=_expenditure_form,
           expected=statuses(anonymous=302, coordinator=404, unit_lead=404,
                             programme_officer=403, association_staff=403, default=302)),

    Expect("api:get_spending_vintages", READS_API),
    Expect("api:list_expenditures", READS_API),
    Expect("api:list_expenditures", case="other application", kwargs=_other_application,
           expected=statuses(anonymous=401, coordinator=404, unit_lead=404, default=200)),
    Expect("api:record_expenditure", method="POST", json=True, data=_expenditure_json,
           expected=_records_api(201)),
    Expect("api:record_expenditure", method="POST", json=True, case="after the deadline",
           data=_late_json, expected=_records_api(422)),
    Expect("api:get_spending_history", READS_API),
]
