"""Expectations for the yearly allocation (``src/carnot/allocation/views/allocation.py`` and
``src/carnot/allocation/api/allocation.py``).

The runs are national: programme officers and administrators read, run and publish them;
association staff read them (403 on every write); coordinators and unit leads get 403 on every
route of the area. Anonymous users: pages 302 to the login page, API 401. In the world, run
n° 1 (``published_run``, the default ``number``) is published and n° 2 (``draft_run``) is a
draft with a smaller envelope.
"""

from __future__ import annotations

from typing import Any

from tests.web.permissions.core import Expect, World, statuses

READERS = statuses(anonymous=302, coordinator=403, other_coordinator=403, unit_lead=403,
                   default=200)
"""Pages that read the runs."""


def _runners(success: int) -> dict[str, int]:
    """Pages that run or publish: officers and administrators."""
    return statuses(anonymous=302, coordinator=403, other_coordinator=403, unit_lead=403,
                    association_staff=403, default=success)


API_READERS = statuses(anonymous=401, coordinator=403, other_coordinator=403, unit_lead=403,
                       default=200)


def _api_runners(success: int) -> dict[str, int]:
    return statuses(anonymous=401, coordinator=403, other_coordinator=403, unit_lead=403,
                    association_staff=403, default=success)


def _draft(w: World) -> dict[str, Any]:
    return {"year": w.call.year, "number": w.draft_run.number}


def _line(w: World) -> dict[str, Any]:
    return {"year": w.call.year, "number": w.published_run.number, "code": w.application.code}


def _compare(w: World) -> dict[str, Any]:
    return {"avant": w.published_run.number, "apres": w.draft_run.number}


EXPECTATIONS = [
    # Pages
    Expect("funding:allocation-list", READERS),
    Expect("funding:allocation-create", _runners(200)),
    Expect("funding:allocation-create", _runners(302), method="POST",
           data=lambda w: {"envelope": "62 000 000,00", "guarantee_rate": "0,75"}),
    Expect("funding:allocation-create", _runners(200), method="POST",
           case="refused override", data=lambda w: {"envelope": "62 000 000,00",
                                                   "guarantee_rate": "1,5"}),
    Expect("funding:allocation-detail", READERS),
    Expect("funding:allocation-detail", READERS, case="draft", kwargs=_draft),
    Expect("funding:allocation-line", READERS, kwargs=_line),
    Expect("funding:allocation-line", statuses(anonymous=302, coordinator=403,
                                               other_coordinator=403, unit_lead=403,
                                               default=404),
           case="unknown consortium",
           kwargs=lambda w: {**_line(w), "code": "inconnu"}),
    Expect("funding:allocation-csv", READERS),
    Expect("funding:allocation-xlsx", READERS),
    Expect("funding:allocation-compare", READERS),
    Expect("funding:allocation-compare", READERS, case="two runs", data=_compare),
    Expect("funding:allocation-publish", _runners(302), method="POST", kwargs=_draft,
           data=lambda w: {"remplacer": "on"}),
    Expect("funding:allocation-publish", _runners(302), method="POST",
           case="already published"),
    # API
    Expect("api:list_allocation_runs", API_READERS),
    Expect("api:create_allocation_run", _api_runners(201), method="POST", json=True,
           data=lambda w: {"envelope_cents": 100_000_000, "overrides": {}}),
    Expect("api:create_allocation_run", _api_runners(422), method="POST", json=True,
           case="refused override",
           data=lambda w: {"overrides": {"guarantee_rate": "1.5"}}),
    Expect("api:get_allocation_run", API_READERS),
    Expect("api:get_allocation_line", API_READERS, kwargs=_line),
    Expect("api:compare_allocation_runs", API_READERS,
           data=lambda w: {"before": w.published_run.number, "after": w.draft_run.number}),
    Expect("api:publish_allocation_run", _api_runners(200), method="POST", json=True,
           kwargs=_draft, data=lambda w: {"supersede": True}),
    Expect("api:publish_allocation_run", _api_runners(422), method="POST", json=True,
           case="supersede not confirmed", kwargs=_draft, data=lambda w: {}),
]
