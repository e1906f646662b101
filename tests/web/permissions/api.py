"""Expectations for every operation of the JSON API (``src/carnot/applications/api.py``).

Format and world: ``tests/web/permissions/core.py``. The API answers 401 to anonymous requests
(session authentication), 404 when the user may not see the application (whether it exists or
not), 403 when the user sees it but may not do that, 422 when a service refuses the request.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.web.permissions.core import Expect, World, statuses

SEES = statuses(anonymous=401, other_coordinator=404, default=200)
"""Reading the target application: whoever may see it (not the other coordinator)."""


def edits(status: int) -> dict[str, int]:
    """Changing the target application (a draft): its coordinator and the administrator."""
    return statuses(anonymous=401, other_coordinator=404, unit_lead=403, programme_officer=403,
                    association_staff=403, coordinator=status, administrator=status)


def edits_unit(status: int) -> dict[str, int]:
    """Changing its declared unit: the coordinator, the unit's lead, the administrator."""
    return statuses(anonymous=401, other_coordinator=404, programme_officer=403,
                    association_staff=403, coordinator=status, unit_lead=status,
                    administrator=status)


def _other_application(world: World) -> dict[str, Any]:
    return {"year": world.call.year, "code": world.other_application.code}


def _signed_pdf(world: World) -> dict[str, Any]:
    return {"document": SimpleUploadedFile("engagement-unistra.pdf",
                                           b"%PDF-1.4\n% document d'engagement\n%%EOF\n",
                                           content_type="application/pdf")}


EXPECTATIONS = [
    Expect("api:list_applications", statuses(anonymous=401, default=200)),
    Expect("api:create_application", method="POST", json=True,
           data=lambda w: {"year": w.call.year, "code": "them-sante", "kind": "thematic",
                           "name": "Carnot Santé Innovation", "coordinator": w.cnrs.code},
           expected=statuses(anonymous=401, unit_lead=403, programme_officer=403,
                             association_staff=403, default=201)),

    Expect("api:get_application", SEES),
    Expect("api:get_application", case="other application", kwargs=_other_application,
           expected=statuses(anonymous=401, coordinator=404, unit_lead=404, default=200)),
    Expect("api:get_application", case="unknown application",
           kwargs=lambda w: {"year": w.call.year, "code": "inconnue"},
           expected=statuses(anonymous=401, default=404)),
    Expect("api:update_application", method="PATCH", json=True,
           data=lambda w: {"name": "Carnot Alsace Innovation et Santé"}, expected=edits(200)),
    Expect("api:update_application", method="PATCH", json=True, case="other application",
           kwargs=_other_application, data=lambda w: {"theme": "Matériaux et énergie"},
           expected=statuses(anonymous=401, coordinator=404, unit_lead=404,
                             programme_officer=403, association_staff=403,
                             other_coordinator=200, administrator=200)),

    Expect("api:list_units", SEES),
    Expect("api:declare_unit", method="POST", json=True,
           data=lambda w: {"rnsr": w.other_unit.rnsr, "managing_tutelle": w.cnrs.code,
                           "tutelles": [w.cnrs.code], "scientific_lead": "Sophie Lambert",
                           "permanent_researchers_fte": "80",
                           "shared_with": w.other_application.code},
           expected=edits(201)),
    Expect("api:get_unit", SEES),
    Expect("api:update_unit", method="PATCH", json=True,
           data=lambda w: {"permanent_researchers_fte": "118.5"}, expected=edits_unit(200)),
    Expect("api:remove_unit", method="DELETE", expected=edits(204)),  # as the page

    Expect("api:list_signatures", SEES),
    Expect("api:record_signature", method="POST", json=True,
           data=lambda w: {"structure": w.cnrs.code, "signatory": "Antoine Petit",
                           "empowerment": "Président-directeur général",
                           "signed_on": "2026-03-02"},
           expected=edits(200)),
    Expect("api:upload_signed_document", method="POST", data=_signed_pdf, expected=edits(200)),

    Expect("api:get_panel", SEES),
    Expect("api:list_transitions", SEES),
    # The target application misses the CNRS's signature (FAQ-2.18): the coordinator and the
    # administrator may submit, but the guard refuses (422).
    Expect("api:take_transition", method="POST", json=True,
           data=lambda w: {"target": "submitted"}, expected=edits(422)),
    Expect("api:get_history", SEES),

    Expect("api:national_view", statuses(anonymous=401, coordinator=403, other_coordinator=403,
                                         unit_lead=403, default=200)),
    Expect("api:national_view", case="unknown call", kwargs=lambda w: {"year": 2031},
           expected=statuses(anonymous=401, coordinator=403, other_coordinator=403,
                             unit_lead=403, default=404)),
]
