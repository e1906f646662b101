"""Pages of a consortium's published allocation: its amount, the explanation, the PDF letter and
the charts; and the chart of a run's national distribution.

Access (``carnot.allocation.permissions``, "Results"):

* a consortium's result (page, letter, chart and its CSV): whoever may see the application
  (its coordinators, its units' leads, programme officers, association staff, administrators),
  once a run of its call is published; 404 for anyone else, and for everyone while no run of
  the call is published (officers have the run pages);
* a run's national distribution (chart and CSV): a published run, every signed-in user (results
  are public in the programme); a draft or superseded run, programme officers, association
  staff and administrators; 404 for the others.

Anonymous users are sent to the login page. Every page is read-only (GET).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET

from carnot.allocation import charts, letters
from carnot.allocation.models import AllocationRun
from carnot.allocation.permissions import distribution_run_or_404, published_result_or_404
from carnot.allocation.selectors import PublishedResult, consortium_history, run_distribution
from carnot.applications.links import application_links
from carnot.common.downloads import CSV, PDF, attachment
from carnot.rules.money import format_euros

PNG = "image/png"


def _kwargs(result: PublishedResult) -> dict[str, Any]:
    return {"year": result.application.call.year, "code": result.application.code}


def _run_title(run: AllocationRun) -> str:
    return f"Répartition de l'abondement {run.call.year} n° {run.number}"


# --- A consortium's result ---------------------------------------------------------------------

@require_GET
@login_required
def result_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application, once a run of its call is published: the amount, the
    figures (bases, guarantee, pro rata, bonus, envelope), the explanation rule by rule, the
    chart of its revenue and abondement over the years, the letter to download."""
    result = published_result_or_404(request.user, year, code)
    kwargs = _kwargs(result)
    history = consortium_history(application=result.application)
    return render(request, "allocation/results/detail.html", {
        **letters.result_context(result),
        "history": [(entry.year, format_euros(entry.eligible_revenue_cents),
                     format_euros(entry.abondement_cents)) for entry in history],
        "revenue_note": charts.SHARED_UNITS_NOTE,
        "letter_url": reverse("funding:result-letter", kwargs=kwargs),
        "chart_url": reverse("funding:result-chart", kwargs=kwargs),
        "chart_data_url": reverse("funding:result-chart-data", kwargs=kwargs),
        "spending_url": application_links(result.application).get("spending_url", ""),
        "title": f"Abondement {year} — {result.application.name}"})


@require_GET
@login_required
def result_letter(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application, once published: the notification letter (PDF); a French
    503 page when the server cannot make PDF (WeasyPrint or Pango missing)."""
    result = published_result_or_404(request.user, year, code)
    try:
        pdf = letters.letter_pdf(result)
    except letters.LetterUnavailable as unavailable:
        return render(request, "allocation/results/letter_unavailable.html", {
            "reason": str(unavailable), "application": result.application,
            "result_url": reverse("funding:result-detail", kwargs=_kwargs(result)),
            "title": "Lettre de notification indisponible"}, status=503)
    return attachment(pdf, PDF, letters.letter_filename(result))


@require_GET
@login_required
def result_chart(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application, once published: its eligible revenue and abondement
    per year (PNG)."""
    result = published_result_or_404(request.user, year, code)
    png = charts.consortium_chart_png(consortium_history(application=result.application),
                                      title=f"{result.application.name} ({code})")
    return HttpResponse(png, content_type=PNG)


@require_GET
@login_required
def result_chart_data(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application, once published: the chart's figures (CSV, « ; »,
    decimal comma)."""
    result = published_result_or_404(request.user, year, code)
    return attachment(
        charts.consortium_chart_csv(consortium_history(application=result.application)), CSV,
        f"abondement-{code}-par-annee.csv")


# --- A run's national distribution -------------------------------------------------------------

@require_GET
@login_required
def distribution_chart(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """Every signed-in user for a published run; officers, association staff and administrators
    for a draft or superseded one: each consortium's allocation, sorted, guaranteed ones marked
    (PNG)."""
    run = distribution_run_or_404(request.user, year, number)
    title = f"{_run_title(run)} ({run.get_status_display().lower()}) — enveloppe " \
            f"{format_euros(run.envelope_cents)}"
    return HttpResponse(charts.distribution_chart_png(run_distribution(run=run), title=title),
                        content_type=PNG)


@require_GET
@login_required
def distribution_data(request: HttpRequest, year: int, number: int) -> HttpResponse:
    """As the chart: its figures, one line per consortium, with the totals (CSV)."""
    run = distribution_run_or_404(request.user, year, number)
    return attachment(charts.distribution_chart_csv(run_distribution(run=run), run), CSV,
                      f"repartition-{year}-{number}.csv")


RESULT = "<int:year>/<slug:code>/abondement/"
RUN = "<int:year>/repartitions/<int:number>/"

urlpatterns: list[URLPattern] = [
    path(RESULT, result_detail, name="result-detail"),
    path(RESULT + "lettre.pdf", result_letter, name="result-letter"),
    path(RESULT + "graphique.png", result_chart, name="result-chart"),
    path(RESULT + "graphique.csv", result_chart_data, name="result-chart-data"),
    path(RUN + "graphique.png", distribution_chart, name="result-distribution-chart"),
    path(RUN + "graphique.csv", distribution_data, name="result-distribution-data"),
]
