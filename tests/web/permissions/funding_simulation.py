"""Expectations for the what-if simulation (``src/carnot/allocation/views/simulation.py`` and
``src/carnot/allocation/api/simulation.py``).

Programme officers, association staff, administrators and coordinators simulate (nothing is
stored); unit leads get 403. A coordinator changes only the units and contracts of their own
consortia: on the world's target contract (``w.contract``, unit of terr-strasbourg) the other
coordinator's change is refused — on the page as an error on the form (200, so that htmx swaps
it in), in the API as a 403. The envelope and the parameters are free to every allowed role.
Input the simulation cannot use answers 422 in the API (the page shows it on the form).
"""

from __future__ import annotations

from typing import Any

from tests.web.permissions.core import Expect, World, statuses

PAGE = statuses(anonymous=302, unit_lead=403, default=200)
API = statuses(anonymous=401, unit_lead=403, default=200)


def _contract_id(w: World) -> str:
    return f"{w.unit.rnsr}/{w.contract.reference}"


def _page_change(w: World) -> dict[str, Any]:
    return {"enveloppe": "1 000 000,00", "changements": f"contrat {_contract_id(w)} cifre=oui"}


def _api_change(w: World) -> dict[str, Any]:
    return {"changes": [{"kind": "change_contract", "contract": _contract_id(w),
                         "cifre": True}]}


def _api_envelope(w: World) -> dict[str, Any]:
    return {"envelope_cents": 100_000_000, "parameters": {"guarantee_rate": "0.5"}}


def _api_invalid(w: World) -> dict[str, Any]:
    return {"envelope_cents": -1, "parameters": {"inconnu": 1}}


EXPECTATIONS = [
    Expect("funding:simulation", PAGE),
    Expect("funding:simulation", method="POST", data=_page_change, expected=PAGE),
    Expect("api:run_simulation", method="POST", json=True, data=_api_change,
           expected=statuses(anonymous=401, unit_lead=403, other_coordinator=403,
                             default=200)),
    Expect("api:run_simulation", method="POST", json=True, data=_api_envelope,
           expected=API, case="envelope and parameters"),
    Expect("api:run_simulation", method="POST", json=True, data=_api_invalid,
           expected=statuses(anonymous=401, unit_lead=403, default=422), case="invalid"),
    Expect("api:run_simulation", method="POST", json=True, data=_api_envelope,
           kwargs=lambda w: {"year": 2031},
           expected=statuses(anonymous=401, unit_lead=403, default=404), case="no call"),
]
