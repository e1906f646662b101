"""The page and the API declare a unit through one service (``services.unit_declare``): the same
input gives the same declaration, or the same refusal, on both."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from carnot.accounts.models import Role
from carnot.applications.models import Application
from tests.web.factories import (
    make_application,
    make_call,
    make_pui,
    make_structure,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db

RNSR = "201923456A"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _two_drafts() -> tuple[Client, Application, Application]:
    """One coordinator's two drafts (one declared through the page, one through the API) and the
    directory's unit ICube, tutelles Unistra (managing) and CNRS."""
    call = make_call(2026)
    unistra = make_structure("unistra", name="Université de Strasbourg")
    cnrs = make_structure("cnrs", "epst", name="CNRS")
    pui = make_pui("pui-strasbourg", [unistra, cnrs])
    make_unit(RNSR, [unistra, cnrs], name="ICube")
    coordinator = make_user(Role.COORDINATOR, "coord.strasbourg")
    client = Client()
    client.force_login(coordinator)
    return (client,
            make_application(call, coordinator, "terr-page", "territorial", unistra, [pui]),
            make_application(call, coordinator, "terr-api", "territorial", unistra, [pui]))


def _by_page(client: Client, application: Application, fields: dict[str, Any]) -> Any:
    return client.post(reverse("applications:unit-add", kwargs={
        "year": application.call.year, "code": application.code}), fields, **HTMX)


def _by_api(client: Client, application: Application, fields: dict[str, Any]) -> Any:
    return client.post(f"/api/candidatures/{application.call.year}/{application.code}/units",
                       data=fields, content_type="application/json")


def test_tutelles_left_out_are_the_directorys_on_the_page_and_in_the_api() -> None:
    client, page_draft, api_draft = _two_drafts()
    fields = {"rnsr": RNSR.lower(), "scientific_lead": "Claire Muller",
              "permanent_researchers_fte": "120"}

    assert _by_page(client, page_draft, fields).status_code == 200
    assert _by_api(client, api_draft, fields).status_code == 201

    declared = [(d.unit.rnsr, d.managing_tutelle.code, sorted(t.code for t in d.tutelles.all()),
                 d.scientific_lead.full_name if d.scientific_lead else "",
                 d.permanent_researchers_fte)
                for d in (page_draft.units.get(), api_draft.units.get())]
    assert declared[0] == declared[1] == (RNSR, "unistra", ["cnrs", "unistra"], "Claire Muller",
                                          120)


@pytest.mark.parametrize(("fields", "field"), [
    ({"rnsr": "202099999Z"}, "rnsr"),
    ({"rnsr": "12AB"}, "rnsr"),
    ({"rnsr": RNSR, "shared_with": "terr-inconnu"}, "shared_with"),
])
def test_the_page_and_the_api_refuse_the_same_input_with_the_same_message(
        fields: dict[str, str], field: str) -> None:
    client, page_draft, api_draft = _two_drafts()

    refused = _by_api(client, api_draft, fields)
    page = _by_page(client, page_draft, fields)

    assert refused.status_code == 422
    (message,) = refused.json()["errors"][field]
    assert escape(message) in page.content.decode()
    assert not page_draft.units.exists() and not api_draft.units.exists()
