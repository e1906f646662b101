"""The result page of a consortium (issue 4, publication): once a run of its call is published,
whoever may see the application reads its amount, its figures and the explanation rule by
rule; nobody reads it before (404, officers too). Figures by hand: ``results_world``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from carnot.accounts.models import Role
from carnot.allocation.models import AllocationStatus
from carnot.allocation.selectors import consortium_history, has_published_result, published_result
from carnot.allocation.services import allocation_publish, grants_from_published_run
from carnot.applications.models import Signature
from carnot.rules.money import format_euros
from tests.allocation.results_world import (
    EARLIER_GRANT,
    MICA_AMOUNT,
    MICA_FLOOR,
    TERR_AMOUNT,
    ResultsWorld,
    build_results_world,
)
from tests.web.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> ResultsWorld:
    return build_results_world()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(code: str, name: str = "funding:result-detail") -> str:
    return reverse(name, kwargs={"year": 2026, "code": code})


def _page(user: User, code: str) -> str:
    response = _client(user).get(_url(code))
    assert response.status_code == 200
    return response.content.decode()


def test_coordinator_sees_the_amount_and_the_figures_by_hand(world: ResultsWorld) -> None:
    run = world.run()

    page = _page(world.coordinator, "terr-alsace")

    assert f"Abondement attribué : {format_euros(TERR_AMOUNT)}" in page
    assert format_euros(400_000_001) in page, "threshold base: shared unit counted in full"
    assert format_euros(250_000_001) in page, "abondement base: shared unit split 50/50"
    assert format_euros(run.envelope_cents) in page
    assert "3 consortiums (dont 3 recevables)" in page
    assert f"Répartition n° {run.number}, publiée le" in page
    assert "Utilisable jusqu'au 31/12/2030" in page
    assert run.inputs_fingerprint in page


def test_explanation_shows_every_step_with_its_rule_linked_to_the_faq(
        world: ResultsWorld) -> None:
    world.run()

    page = _page(world.coordinator, "terr-alsace")

    for rule in ("FAQ-2.18", "FAQ-2.19", "FAQ-2.22", "ALLOC-1", "ALLOC-3"):
        assert f'data-rule="{rule}"' in page
        assert f'href="/faq/#{rule}"' in page
    assert "Assiette d&#x27;abondement 2025 : 2\u202f500\u202f000,01 €" in page
    assert "part de chaque unité" in page, "the inputs (figures) of each step"
    assert "shared_unit_abondement_share" in page, "the parameters read, with their source"
    assert "Recevable : oui" in page


def test_former_carnot_4_sees_each_condition_of_its_guarantee_with_its_figures(
        world: ResultsWorld) -> None:
    world.run()

    page = _page(world.officer, "carnot4-mica")

    assert f"Garantie acquise : plancher de {format_euros(MICA_FLOOR)}" in page
    assert f"Abondement attribué : {format_euros(MICA_AMOUNT)}" in page
    guarantee = page.split('data-testid="result-guarantee"')[1].split("<h2")[0]
    for rule in ("FAQ-3.4", "FAQ-3.5", "FAQ-3.6", "FAQ-3.7"):
        assert f'data-rule="{rule}"' in guarantee
    assert "86,00 % du périmètre initial maintenu" in guarantee
    assert "= 91,00 % de la moyenne 2023–2025" in guarantee
    assert "ETP actuels : 86" in guarantee


def test_a_consortium_that_is_not_admissible_sees_which_rules_failed(
        world: ResultsWorld) -> None:
    Signature.objects.filter(application=world.them, structure__code="cnrs").delete()
    world.run()

    page = _page(world.other_coordinator, "them-materiaux")

    assert f"Abondement attribué : {format_euros(0)}" in page
    violations = page.split('data-testid="result-violations"')[1].split("</div>")[0]
    assert "Candidature non recevable" in violations
    assert 'data-rule="FAQ-2.18"' in violations and 'href="/faq/#FAQ-2.18"' in violations
    assert "Utilisable jusqu'au" not in page


def test_nothing_is_shown_while_no_run_of_the_call_is_published(world: ResultsWorld) -> None:
    world.run(publish=False)

    for user in (world.coordinator, world.officer):
        for name in ("funding:result-detail", "funding:result-letter", "funding:result-chart",
                     "funding:result-chart-data"):
            assert _client(user).get(_url("terr-alsace", name)).status_code == 404
    assert published_result(application=world.terr) is None
    assert not has_published_result(application=world.terr)


def test_another_coordinator_does_not_see_the_result(world: ResultsWorld) -> None:
    world.run()

    assert _client(world.other_coordinator).get(_url("terr-alsace")).status_code == 404
    assert _client(world.coordinator).get(_url("them-materiaux")).status_code == 404
    assert _client(make_user(Role.ASSOCIATION_STAFF, "asso")).get(
        _url("them-materiaux")).status_code == 200


def test_a_superseding_publication_shows_the_new_run(world: ResultsWorld) -> None:
    first = world.run()
    second = world.run(publish=False)
    allocation_publish(run=second, by=world.officer, supersede=True)

    result = published_result(application=world.terr)

    assert result is not None and result.run.pk == second.pk
    first.refresh_from_db()
    assert first.status == AllocationStatus.SUPERSEDED
    assert f"Répartition n° {second.number}" in _page(world.coordinator, "terr-alsace")


def test_the_page_shows_the_chart_with_its_data_and_links(world: ResultsWorld) -> None:
    world.run()

    page = _page(world.coordinator, "terr-alsace")

    assert f'src="{_url("terr-alsace", "funding:result-chart")}"' in page
    assert f'href="{_url("terr-alsace", "funding:result-chart-data")}"' in page
    assert f'href="{_url("terr-alsace", "funding:result-letter")}"' in page
    assert format_euros(EARLIER_GRANT) in page, "the 2025 grant in the table of years"
    assert [entry.year for entry in consortium_history(application=world.terr)] == [
        2024, 2025, 2026]


def test_the_application_page_links_the_result_only_once_published(
        world: ResultsWorld) -> None:
    detail = reverse("applications:detail", kwargs={"year": 2026, "code": "terr-alsace"})
    link = f'href="{_url("terr-alsace")}"'
    world.run(publish=False)
    assert link not in _client(world.coordinator).get(detail).content.decode()

    allocation_publish(run=world.call.allocation_runs.get(), by=world.officer)

    assert link in _client(world.coordinator).get(detail).content.decode()


def test_writes_are_refused_with_405(world: ResultsWorld) -> None:
    world.run()
    client = _client(world.coordinator)

    for name in ("funding:result-detail", "funding:result-letter", "funding:result-chart",
                 "funding:result-chart-data"):
        assert client.post(_url("terr-alsace", name)).status_code == 405


def test_the_page_links_to_the_explanation_and_once_granted_to_the_spending(
        world: ResultsWorld) -> None:
    run = world.run()
    spending = _url("them-materiaux", "funding:spending-detail")
    page = _page(world.other_coordinator, "them-materiaux")
    assert 'href="#explication"' in page and 'id="explication"' in page
    assert f'href="{spending}"' not in page, "no grant yet: nothing to spend"

    grants_from_published_run(run=run, by=world.officer)

    assert f'href="{spending}"' in _page(world.other_coordinator, "them-materiaux")
