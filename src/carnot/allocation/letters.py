"""The notification letter of a consortium's published abondement, as PDF (WeasyPrint).

The letter is an HTML template (``allocation/results/letter.html``) rendered with the figures of
the published run, then turned into PDF with its print style (the static file
``allocation/letter.css``, read from the package: the letter fetches nothing). It gives the
ministry's header, the addressee (the consortium's coordinating structure), the call, the run
and its publication date, the figures, the guarantee of a former Carnot 4, the rules applied
with their ids and FAQ text, the spending deadline of the vintage (FAQ-4.1) and the fingerprint
of the run's inputs, for the audit. ``letter_html`` is the HTML before conversion (what the
tests read); ``letter_pdf`` the PDF bytes, or ``LetterUnavailable`` when WeasyPrint or its
native libraries (Pango) cannot be loaded on this server.

The figures of a result as a person reads them (``result_figures``) serve the letter and the
result page alike.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from django.template.loader import render_to_string

from carnot.allocation.selectors import PublishedResult
from carnot.common.faq import faq_entries
from carnot.rules.explanation import stored_consortium
from carnot.rules.money import format_euros
from carnot.rules.spending import spend_by
from carnot.rules.verdicts import count

TEMPLATE = "allocation/results/letter.html"
STYLESHEET = ("static", "allocation", "letter.css")
MINISTRY = "Ministère chargé de l'enseignement supérieur et de la recherche"
DIRECTORATE = "Direction générale de la recherche et de l'innovation"
PROGRAMME = "Programme Carnot"


class LetterUnavailable(Exception):
    """The PDF cannot be made on this server: WeasyPrint or its native libraries are missing."""


@dataclass(frozen=True)
class FigureRow:
    """One figure of a result: its French label, its value, the rule behind it and a note."""

    label: str
    value: str
    rule: str = ""
    note: str = ""
    total: bool = False
    """The figure the others add up to (the amount granted), set apart in the letter."""


def result_figures(result: PublishedResult) -> list[FigureRow]:
    """The figures of a published result in the order of the calculation, each with its rule:
    the threshold base (shared units in full), the abondement base (shared units split 50/50),
    the guarantee of a former Carnot 4, the pro-rata share, the bonus, the amount, and the
    run's envelope and number of consortia."""
    line, explanation = result.line, result.explanation
    at_floor = bool(dict(explanation.raw_figures).get("at_floor"))
    rows = [
        FigureRow("Recettes abondables (base du seuil)",
                  format_euros(line.threshold_revenue_cents), "FAQ-2.22",
                  "Unités partagées comptées en entier ; seuil d'éligibilité de 2,5 M€ "
                  "(FAQ-2.19)."),
        FigureRow("Assiette de l'abondement", format_euros(line.abondement_revenue_cents),
                  "FAQ-2.22", "Contrats des unités partagées répartis pour moitié (50/50) entre "
                              "les consortiums éligibles."),
    ]
    if explanation.guarantee is not None:
        guarantee = explanation.guarantee
        rows.append(FigureRow(
            "Abondement garanti (ancien Carnot 4)",
            format_euros(guarantee.amount_cents) if guarantee.applies else "non garanti",
            "FAQ-3.5",
            "Plancher : servi au plancher garanti." if at_floor else
            ("Plancher garanti respecté." if guarantee.applies else
             f"Condition(s) non remplie(s) : {', '.join(guarantee.failed_rules)}.")))
    rows += [
        FigureRow("Part au prorata de l'assiette", format_euros(line.pro_rata_cents), "ALLOC-1"),
        FigureRow("Bonus de performance", format_euros(line.bonus_cents), "ALLOC-1",
                  "À partir de 2027 (FAQ-2.14)."),
        FigureRow("Abondement attribué", format_euros(line.allocation_cents), "ALLOC-3",
                  "Arrondi au centime, le total réparti égale l'enveloppe.", total=True),
        FigureRow("Enveloppe nationale", format_euros(result.run.envelope_cents), "ALLOC-1"),
        FigureRow("Consortiums de la répartition",
                  f"{result.consortia} (dont {count(result.admissible_consortia, 'recevable')})"),
    ]
    return rows


def spending_deadline(result: PublishedResult) -> date:
    """The last day on which this year's abondement may be spent (FAQ-4.1), with the call's
    parameters, as the spending ledger computes it."""
    call = result.application.call
    return spend_by(call.year, call.parameters())


def rules_applied(result: PublishedResult) -> list[tuple[str, str]]:
    """The rules the run applied to this consortium (its stored trace), each with its text in
    the FAQ of the call."""
    texts = {entry.rule: entry.text for _, entries in faq_entries() for entry in entries}
    stored = stored_consortium(result.run.results, result.application.code)
    return [(rule, texts.get(rule, "")) for rule in stored.get("trace", {}).get("rules", ())]


def result_context(result: PublishedResult) -> dict[str, Any]:
    """What the result page and the letter both show: the application, the run and the line,
    the explanation, the figures, the amount, the guarantee, the spending deadline (when money
    was granted) and the run's envelope and consortia."""
    application, line = result.application, result.line
    guarantee = result.explanation.guarantee
    return {
        "application": application, "call_year": application.call.year, "run": result.run,
        "line": line, "explanation": result.explanation, "figures": result_figures(result),
        "amount": format_euros(line.allocation_cents),
        "guarantee_amount": format_euros(guarantee.amount_cents) if guarantee else "",
        "deadline": spending_deadline(result) if line.allocation_cents else None,
        "envelope": format_euros(result.run.envelope_cents),
        "consortia": result.consortia, "admissible_consortia": result.admissible_consortia,
    }


def letter_context(result: PublishedResult) -> dict[str, Any]:
    """``result_context`` with the letter's header, the rules applied and who published."""
    published_by = result.run.published_by
    return {
        **result_context(result),
        "ministry": MINISTRY, "directorate": DIRECTORATE, "programme": PROGRAMME,
        "rules": rules_applied(result),
        "published_by": (published_by.get_full_name() or published_by.username)
        if published_by else "",
    }


def letter_html(result: PublishedResult) -> str:
    """The letter as HTML, before its conversion to PDF."""
    return render_to_string(TEMPLATE, letter_context(result))


def letter_filename(result: PublishedResult) -> str:
    return (f"notification-abondement-{result.application.call.year}-{result.application.code}"
            f"-repartition-{result.run.number}.pdf")


def _weasyprint() -> Any:
    """WeasyPrint, imported on first use: loading it loads Pango (an ``OSError`` when the
    native library is missing), which pages other than the letter do not need."""
    return importlib.import_module("weasyprint")


@cache
def letter_css() -> str:
    """The letter's print style (A4, header, tables, running footer)."""
    return resources.files("carnot.allocation").joinpath(*STYLESHEET).read_text(encoding="utf-8")


def letter_pdf(result: PublishedResult) -> bytes:
    """The letter as PDF bytes. Its style is given with it and every URL is refused, so that
    nothing in the data can ever make the server fetch anything."""
    html = letter_html(result)
    try:
        weasyprint = _weasyprint()
    except (ImportError, OSError) as exc:
        raise LetterUnavailable(
            "La lettre de notification ne peut pas être produite en PDF sur ce serveur "
            "(bibliothèque WeasyPrint ou Pango absente).") from exc
    fetcher = weasyprint.URLFetcher(allowed_protocols=())
    style = weasyprint.CSS(string=letter_css(), url_fetcher=fetcher)
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[style])
    return pdf
