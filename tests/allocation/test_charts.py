"""Charts (issue 4): a consortium's eligible revenue and abondement per year, and a run's
national distribution, as PNG images and the same figures as CSV (« ; », decimal comma).

Figures by hand (``results_world``): terr-alsace's units invoiced, on contracts that count,
400 000,00 € in 2024 (C-PROPRE) and 2 000 000,00 + 1 000 000,01 + 1 000 000,00 =
4 000 000,01 € in 2025 (the shared unit in full; C-PETIT, 20 000 € with a large company, is
below the 30 k€ threshold of FAQ-3.2 and does not count). Its abondement: the 2025 grant of an
earlier call (1 000 000,00 €) and, for 2026, the published run's 22 142 857,20 € (no grant
written yet).
"""

from __future__ import annotations

import csv
import io

import matplotlib
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from PIL import Image

from carnot.allocation.charts import (
    axis_euros,
    consortium_chart_csv,
    consortium_chart_png,
    distribution_chart_png,
)
from carnot.allocation.models import Grant
from carnot.allocation.selectors import YearFigures, consortium_history, run_distribution
from carnot.rules.money import format_euros_plain
from tests.allocation.results_world import (
    EARLIER_GRANT,
    ENVELOPE,
    MICA_AMOUNT,
    TERR_AMOUNT,
    THEM_AMOUNT,
    ResultsWorld,
    build_results_world,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def world(db: None) -> ResultsWorld:
    return build_results_world()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "byte order mark, for spreadsheet programs"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _png(content: bytes) -> Image.Image:
    assert content.startswith(PNG_SIGNATURE)
    assert len(content) > 10_000, "a real chart, not an empty image"
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def test_axes_read_amounts_the_french_way() -> None:
    assert axis_euros(1_500_000) == "1,5 M€"
    assert axis_euros(22_000_000) == "22 M€"
    assert axis_euros(250_000) == "250 k€"
    assert axis_euros(0) == "0 €"


def test_consortium_history_counts_eligible_revenue_and_abondement_per_year(
        world: ResultsWorld) -> None:
    world.run()

    assert consortium_history(application=world.terr) == [
        YearFigures(2024, 40_000_000, 0),
        YearFigures(2025, 400_000_001, EARLIER_GRANT),
        YearFigures(2026, 0, TERR_AMOUNT),
    ]


def test_a_grant_of_the_year_replaces_the_published_line(world: ResultsWorld) -> None:
    world.run()
    Grant.objects.create(application=world.terr, year=2026, amount_cents=123_456)

    history = {entry.year: entry for entry in consortium_history(application=world.terr)}

    assert history[2026].abondement_cents == 123_456


def test_consortium_chart_is_a_png_and_its_csv_has_the_rows_and_totals(
        world: ResultsWorld) -> None:
    world.run()
    client = _client(world.coordinator)
    kwargs = {"year": 2026, "code": "terr-alsace"}

    image = client.get(reverse("funding:result-chart", kwargs=kwargs))
    data = client.get(reverse("funding:result-chart-data", kwargs=kwargs))

    assert image["Content-Type"] == "image/png"
    assert _png(image.content).size == (800, 560)
    assert data["Content-Type"] == "text/csv; charset=utf-8"
    assert data["Content-Disposition"] == \
        'attachment; filename="abondement-terr-alsace-par-annee.csv"'
    assert _rows(data.content) == [
        ["année", "recettes éligibles (€, unités partagées en entier)",
         "abondement attribué (€)"],
        ["2024", "400000,00", "0,00"],
        ["2025", "4000000,01", "1000000,00"],
        ["2026", "0,00", "22142857,20"],
        ["total", "4400000,01", "23142857,20"],
    ]


def test_distribution_lists_every_consortium_largest_first_with_the_guaranteed_marked(
        world: ResultsWorld) -> None:
    run = world.run()

    data = _client(world.coordinator).get(reverse(
        "funding:result-distribution-data", kwargs={"year": 2026, "number": run.number}))
    image = _client(world.coordinator).get(reverse(
        "funding:result-distribution-chart", kwargs={"year": 2026, "number": run.number}))

    rows = _rows(data.content)
    assert [row[:2] + row[4:6] + row[-1:] for row in rows[1:4]] == [
        ["1", "carnot4-mica", "oui", "oui", format_euros_plain(MICA_AMOUNT)],
        ["2", "terr-alsace", "oui", "non", format_euros_plain(TERR_AMOUNT)],
        ["3", "them-materiaux", "oui", "non", format_euros_plain(THEM_AMOUNT)],
    ]
    assert rows[1][3] == "Ancien Carnot (Carnot 4)" and rows[1][6] == "987654,31"
    assert rows[4][2] == "total réparti" and rows[4][-1] == "62000000,00"
    assert rows[5][2] == "enveloppe" and rows[5][-1] == format_euros_plain(ENVELOPE)
    assert image["Content-Type"] == "image/png"
    _png(image.content)


def test_a_draft_run_is_shown_to_network_readers_only(world: ResultsWorld) -> None:
    world.run()
    draft = world.run(publish=False)
    url = reverse("funding:result-distribution-chart",
                  kwargs={"year": 2026, "number": draft.number})

    assert _client(world.coordinator).get(url).status_code == 404
    assert _client(world.officer).get(url).status_code == 200
    missing = reverse("funding:result-distribution-data", kwargs={"year": 2026, "number": 99})
    assert _client(world.officer).get(missing).status_code == 404


def test_charts_leave_no_global_state(world: ResultsWorld) -> None:
    run = world.run()
    before = dict(matplotlib.rcParams)

    first = distribution_chart_png(run_distribution(run=run), title="Répartition")
    second = distribution_chart_png(run_distribution(run=run), title="Répartition")
    empty = consortium_chart_png([], title="Aucun")

    import matplotlib.pyplot as plt  # noqa: PLC0415 - only to check its list of figures

    assert plt.get_fignums() == [], "no figure registered in pyplot"
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.get_backend().lower() == "agg"
    assert first == second, "the same figures give the same bytes"
    assert empty.startswith(PNG_SIGNATURE)


def test_empty_history_has_only_the_totals_row() -> None:
    assert consortium_chart_csv([]).splitlines()[1:] == ["total;0,00;0,00"]
