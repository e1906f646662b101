"""The notification letter (issue 4, publication): a French letter with the figures and the
rules applied, made into PDF by WeasyPrint; a French 503 page when the server cannot make PDF.
Figures by hand: ``results_world``."""

from __future__ import annotations

import importlib
import sys

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from carnot.allocation import letters
from carnot.allocation.selectors import PublishedResult, published_result
from carnot.applications.models import Signature
from carnot.rules.money import format_euros
from tests.allocation.results_world import (
    MICA_AMOUNT,
    MICA_FLOOR,
    TERR_AMOUNT,
    ResultsWorld,
    build_results_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> ResultsWorld:
    return build_results_world()


def _result(world: ResultsWorld, code: str) -> PublishedResult:
    application = {"terr-alsace": world.terr, "them-materiaux": world.them,
                   "carnot4-mica": world.mica}[code]
    result = published_result(application=application)
    assert result is not None
    return result


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _letter_url(code: str) -> str:
    return reverse("funding:result-letter", kwargs={"year": 2026, "code": code})


def test_letter_names_the_addressee_the_run_the_figures_and_the_rules(
        world: ResultsWorld) -> None:
    run = world.run()

    html = letters.letter_html(_result(world, "terr-alsace"))

    assert "Ministère chargé de l&#x27;enseignement supérieur et de la recherche" in html
    assert "<strong>Université de Strasbourg</strong>" in html, "the coordinating structure"
    assert f"répartition n° {run.number} publiée le" in html
    assert f"<strong data-amount>{format_euros(TERR_AMOUNT)}</strong>" in html
    assert format_euros(400_000_001) in html and format_euros(250_000_001) in html
    assert format_euros(run.envelope_cents) in html
    assert "jusqu'au <strong>31/12/2030</strong> inclus (FAQ-4.1)" in html
    assert f"<span class=\"fingerprint\" data-fingerprint>{run.inputs_fingerprint}</span>" \
        in html
    for rule in ("FAQ-2.22", "FAQ-3.2", "ALLOC-3", "FAQ-4.1"):
        assert f'<td class="rule">{rule}</td>' in html
    assert "Abondement garanti des anciens Carnot 4" not in html


def test_letter_of_a_former_carnot_4_states_its_guarantee_and_each_condition(
        world: ResultsWorld) -> None:
    world.run()

    html = letters.letter_html(_result(world, "carnot4-mica"))

    assert format_euros(MICA_AMOUNT) in html
    assert f"le plancher garanti est de <strong>{format_euros(MICA_FLOOR)}</strong>" in html
    for rule in ("FAQ-3.4", "FAQ-3.5", "FAQ-3.6", "FAQ-3.7"):
        assert f"✔ {rule}</td>" in html
    assert "91,00 % de la moyenne 2023–2025" in html


def test_letter_of_a_consortium_that_is_not_admissible_gives_the_failed_rules(
        world: ResultsWorld) -> None:
    Signature.objects.filter(application=world.them, structure__code="cnrs").delete()
    world.run()

    html = letters.letter_html(_result(world, "them-materiaux"))

    assert "n'attribue pas d'abondement" in html
    assert f"<strong data-amount>{format_euros(0)}</strong>" in html
    assert '<span class="rule">FAQ-2.18</span>' in html
    assert "utilisable sur cinq ans" not in html


def test_letter_downloads_as_pdf(world: ResultsWorld) -> None:
    world.run()

    response = _client(world.coordinator).get(_letter_url("terr-alsace"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="notification-abondement-2026-terr-alsace-repartition-1.pdf"')
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert len(response.content) > 5_000


def test_letter_answers_a_french_503_when_pango_cannot_be_loaded(
        world: ResultsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    world.run()

    def missing_pango() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': No such file")

    monkeypatch.setattr(letters, "_weasyprint", missing_pango)
    response = _client(world.coordinator).get(_letter_url("terr-alsace"))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "ne peut pas être produite en PDF sur ce serveur" in page
    assert reverse("funding:result-detail", kwargs={"year": 2026, "code": "terr-alsace"}) \
        in page


def test_letter_answers_503_when_weasyprint_is_not_installed(
        world: ResultsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    world.run()
    monkeypatch.setitem(sys.modules, "weasyprint", None)

    with pytest.raises(letters.LetterUnavailable, match="WeasyPrint ou Pango"):
        letters.letter_pdf(_result(world, "terr-alsace"))
    assert _client(world.coordinator).get(_letter_url("terr-alsace")).status_code == 503


def test_letter_fetches_nothing(world: ResultsWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """Markup in the data is escaped, and the PDF maker refuses every URL: the server never
    fetches anything while making a letter."""
    world.terr.name = 'Carnot <img src="http://example.invalid/x.png"> Alsace'
    world.terr.save(update_fields=["name"])
    world.run()
    result = _result(world, "terr-alsace")
    assert "<img" not in letters.letter_html(result)
    weasyprint = importlib.import_module("weasyprint")
    opened: list[object] = []
    monkeypatch.setattr(weasyprint.URLFetcher, "open",
                        lambda self, *args, **kwargs: opened.append(args))
    monkeypatch.setattr(letters, "letter_html", lambda result: (
        '<html><body><img src="http://example.invalid/x.png">'
        '<link rel="stylesheet" href="file:///etc/passwd"></body></html>'))

    assert letters.letter_pdf(result).startswith(b"%PDF-")
    assert opened == []
