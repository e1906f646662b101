"""Expectations for a consortium's published result and the charts
(``src/carnot/allocation/views/results.py`` and ``src/carnot/allocation/api/results.py``).

A consortium's result (page, PDF letter, chart and its CSV, API): whoever may see the
application, since run n° 1 of the world's call is published (the other coordinator: 404;
the unit's lead sees the target application, not the other one). A run's national
distribution (chart and CSV): the published run n° 1, every signed-in user; the draft run n° 2,
programme officers, association staff and administrators only (others 404). Anonymous users:
302 to the login page, 401 on the API. Every route is read-only (GET; others 405).
"""

from __future__ import annotations

from typing import Any

from tests.web.permissions.core import Expect, World, statuses

RESULT_PAGE = statuses(anonymous=302, other_coordinator=404, default=200)
OTHER_RESULT_PAGE = statuses(anonymous=302, coordinator=404, unit_lead=404, default=200)
RESULT_API = statuses(anonymous=401, other_coordinator=404, default=200)
PUBLISHED_RUN = statuses(anonymous=302, default=200)
DRAFT_RUN = statuses(anonymous=302, coordinator=404, other_coordinator=404, unit_lead=404,
                     default=200)


def _other_application(w: World) -> dict[str, Any]:
    return {"year": w.call.year, "code": w.other_application.code}


def _draft_run(w: World) -> dict[str, Any]:
    return {"year": w.call.year, "number": w.draft_run.number}


RESULT_ROUTES = ("funding:result-detail", "funding:result-letter", "funding:result-chart",
                 "funding:result-chart-data")
DISTRIBUTION_ROUTES = ("funding:result-distribution-chart", "funding:result-distribution-data")

EXPECTATIONS = [
    *(Expect(route, RESULT_PAGE) for route in RESULT_ROUTES),
    Expect("funding:result-detail", OTHER_RESULT_PAGE, kwargs=_other_application,
           case="other application"),
    *(Expect(route, PUBLISHED_RUN) for route in DISTRIBUTION_ROUTES),
    *(Expect(route, DRAFT_RUN, kwargs=_draft_run, case="draft run")
      for route in DISTRIBUTION_ROUTES),
    Expect("api:get_published_result", RESULT_API),
    Expect("api:get_published_result",
           statuses(anonymous=401, coordinator=404, unit_lead=404, default=200),
           kwargs=_other_application, case="other application"),
]
