"""Expectations for the pages of applications (``src/carnot/applications/urls.py``).

Who sees what: an application is visible to its coordinators, the leads of its units, programme
officers, association staff and administrators; anyone else gets 404 (its existence is not
revealed). Among those who see it, writes are for its coordinators and administrators (a unit's
lead: that unit's line only); the others get 403. The national view is for programme officers,
association staff and administrators.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from carnot.applications import spreadsheet_export
from carnot.applications.models import Application
from tests.web.permissions.core import Expect, World, statuses

VISIBLE = statuses(anonymous=302, other_coordinator=404, default=200)
"""Read pages of the target application."""


def _owners(success: int) -> dict[str, int]:
    """Writes on the target application: its coordinator and the administrator succeed."""
    return statuses(anonymous=302, other_coordinator=404, unit_lead=403, programme_officer=403,
                    association_staff=403, default=success)


def _unit_line(success: int) -> dict[str, int]:
    """The unit's line: also its lead."""
    return statuses(anonymous=302, other_coordinator=404, programme_officer=403,
                    association_staff=403, default=success)


NETWORK = statuses(anonymous=302, coordinator=403, other_coordinator=403, unit_lead=403,
                   default=200)
"""The national view and its exports."""

CREATORS = statuses(anonymous=302, unit_lead=403, programme_officer=403, association_staff=403,
                    default=200)


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _application_form(w: World) -> dict[str, Any]:
    return {"call": w.call.pk, "code": "terr-strasbourg-bis", "name": "Carnot Alsace Bis",
            "kind": "territorial", "coordinator": w.university.pk, "pui": w.pui.pk}


def _signature(w: World) -> dict[str, Any]:
    return {"structure": w.cnrs.pk, "signatory": "Antoine Petit",
            "empowerment": "Président-directeur général du CNRS", "empowered": "on",
            "signed_on": "2026-04-15",
            "document": SimpleUploadedFile("engagement.pdf", PDF, "application/pdf")}


def _with_document(w: World) -> dict[str, Any]:
    """The university's signature with its signed PDF (inside the role's savepoint)."""
    w.signature.document.save("unistra.pdf", SimpleUploadedFile("unistra.pdf", PDF))
    return {"year": w.call.year, "code": w.application.code,
            "structure_code": w.university.code}


def _submitted(w: World) -> dict[str, Any]:
    """The target application, submitted (inside the role's savepoint)."""
    Application.objects.filter(pk=w.application.pk).update(status="submitted")
    return {"year": w.call.year, "code": w.application.code}


def _exported(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("depot.xlsx",
                                       spreadsheet_export.export_application(w.application))}


EXPECTATIONS = [
    Expect("applications:list", statuses(anonymous=302, default=200)),
    Expect("applications:create", CREATORS),
    Expect("applications:create", statuses(anonymous=302, unit_lead=403, programme_officer=403,
                                            association_staff=403, default=302),
           method="POST", data=_application_form),
    Expect("applications:national", NETWORK),
    Expect("applications:national", NETWORK, data=lambda w: {
        "appel": w.call.year, "type": "thematic", "statut": "draft", "echecs": "on"},
        case="filtered"),
    Expect("applications:national-csv", NETWORK),
    Expect("applications:cross-checks-csv", NETWORK),
    Expect("applications:unit-lookup", statuses(anonymous=302, default=200),
           data=lambda w: {"rnsr": w.unit.rnsr}),
    Expect("applications:detail", VISIBLE),
    Expect("applications:detail", statuses(anonymous=302, default=404),
           kwargs=lambda w: {"year": w.call.year, "code": "inconnue"}, case="unknown"),
    Expect("applications:panel", VISIBLE),
    Expect("applications:edit", _owners(200)),
    Expect("applications:edit", _owners(302), method="POST", data=_application_form),
    Expect("applications:unit-add", _owners(200)),
    Expect("applications:unit-add", _owners(302), method="POST", data=lambda w: {
        "rnsr": w.other_unit.rnsr, "scientific_lead": "Jean Dupont",
        "permanent_researchers_fte": "10"}),
    Expect("applications:unit-edit", _unit_line(200)),
    Expect("applications:unit-edit", _unit_line(302), method="POST", data=lambda w: {
        "scientific_lead": "Claire Muller", "permanent_researchers_fte": "12.5"}),
    Expect("applications:unit-remove", _owners(302), method="POST"),
    Expect("applications:signature-record", _owners(200)),
    Expect("applications:signature-record", _owners(302), method="POST", data=_signature),
    Expect("applications:signature-document", statuses(anonymous=302, default=404),
           case="no document recorded"),
    Expect("applications:signature-document", VISIBLE, kwargs=_with_document,
           case="with its PDF"),
    Expect("applications:transition",
           statuses(anonymous=302, other_coordinator=404, unit_lead=403, programme_officer=403,
                    association_staff=403, default=302),
           method="POST", data=lambda w: {"target": "submitted"}),
    Expect("applications:transition",
           statuses(anonymous=302, other_coordinator=404, coordinator=403, unit_lead=403,
                    association_staff=403, default=302),
           method="POST", kwargs=_submitted, data=lambda w: {"target": "admissible"},
           case="decision"),
    Expect("applications:export", VISIBLE),
    Expect("applications:import", _owners(200)),
    Expect("applications:import", _owners(200), method="POST",
           data=lambda w: {"file": SimpleUploadedFile("depot.xlsx", b"pas un classeur")},
           case="not a spreadsheet"),
    Expect("applications:import", _owners(302), method="POST", data=_exported,
           case="round trip"),
]
