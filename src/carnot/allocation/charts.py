"""Charts of the abondement (PNG, matplotlib) and the same figures as CSV.

Two charts: a consortium's eligible revenue and abondement per year (``consortium_chart_png``,
from ``selectors.consortium_history``), and the national distribution of a run
(``distribution_chart_png``, from ``selectors.run_distribution``), each with its CSV
(``consortium_chart_csv``, ``distribution_chart_csv``): « ; » separated, amounts in euros with a
decimal comma and no thousands separator (what a French spreadsheet reads as a number), as the
platform's other CSV exports.

Matplotlib runs with the Agg backend (set here, before anything could import pyplot), and the
charts are drawn on ``matplotlib.figure.Figure`` objects of their own, never through pyplot:
no figure is registered in pyplot's global list (so none is left open between requests), and
the style is set for each drawing with ``rc_context`` (the process's ``rcParams`` are left
alone). Each PNG is deterministic for the same figures (no software or date metadata).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import RcKeyType

from carnot.allocation.models import AllocationLine, AllocationRun
from carnot.allocation.selectors import YearFigures
from carnot.applications.models import KIND_CHOICES
from carnot.common.downloads import csv_text
from carnot.rules.money import format_euros_plain

matplotlib.use("Agg")  # before anything imports pyplot (these modules do not)

STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
}
"""Matplotlib settings of every chart (applied with ``rc_context``, never globally)."""

BLUE = "#000091"
"""The DSFR's « bleu France »."""
RED = "#c9191e"
GREY = "#929292"
DPI = 100
PNG_METADATA = {"Software": None}
"""No matplotlib version in the file: the same figures give the same bytes."""

REVENUE_LABEL = "Recettes éligibles (unités partagées en entier, FAQ-2.22)"
ABONDEMENT_LABEL = "Abondement attribué"
KIND_LABELS = dict(KIND_CHOICES)
SHARED_UNITS_NOTE = ("Recettes facturées des contrats qui comptent selon les critères de l'appel "
                     "(FAQ-2.6, 3.1–3.3), unités partagées comptées en entier (base du seuil, "
                     "FAQ-2.22 ; l'assiette de l'abondement n'en retient que la moitié).")


# --- Amounts as people read them ------------------------------------------------------------

def axis_euros(value: float, _position: object = None) -> str:
    """An axis tick in euros, shortened: ``1,5 M€``, ``250 k€``, ``0 €``."""
    for size, unit in ((1_000_000, "M€"), (1_000, "k€")):
        if abs(value) >= size:
            shown = f"{value / size:.1f}".replace(".", ",").removesuffix(",0")
            return f"{shown} {unit}"
    return f"{value:.0f} €"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buffer.getvalue()


def _empty(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, color=GREY)
    axes.set_axis_off()


# --- A consortium over the years -----------------------------------------------------------

def consortium_chart_png(history: Sequence[YearFigures], *, title: str) -> bytes:
    """Two bar charts sharing the years: the consortium's eligible revenue (above) and its
    abondement (below)."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 5.6), layout="constrained")
        revenue_axes, abondement_axes = figure.subplots(2, 1, sharex=True)
        figure.suptitle(title, fontweight="bold")
        if not history:
            _empty(revenue_axes, "Aucune recette ni aucun abondement enregistré.")
            abondement_axes.set_axis_off()
            return _png(figure)
        years = [entry.year for entry in history]
        for axes, values, color, label in (
                (revenue_axes, [entry.eligible_revenue_cents for entry in history], BLUE,
                 REVENUE_LABEL),
                (abondement_axes, [entry.abondement_cents for entry in history], RED,
                 ABONDEMENT_LABEL)):
            euros = [cents / 100 for cents in values]
            bars = axes.bar(years, euros, color=color, width=0.6)
            axes.bar_label(bars, labels=[axis_euros(value) for value in euros], padding=2,
                           fontsize=8)
            axes.set_title(label, loc="left")
            axes.yaxis.set_major_formatter(FuncFormatter(axis_euros))
            axes.set_ylim(0, max(*euros, 1) * 1.18)
            axes.grid(axis="y", color="#dddddd", linewidth=0.6)
            axes.set_axisbelow(True)
        abondement_axes.set_xticks(years, [str(year) for year in years])
        return _png(figure)


def consortium_chart_csv(history: Sequence[YearFigures]) -> str:
    """Per year: eligible revenue and abondement in euros, then their totals."""
    rows: list[list[object]] = [["année", "recettes éligibles (€, unités partagées en entier)",
                                 "abondement attribué (€)"]]
    rows += [[entry.year, format_euros_plain(entry.eligible_revenue_cents),
              format_euros_plain(entry.abondement_cents)] for entry in history]
    rows.append(["total",
                 format_euros_plain(sum(entry.eligible_revenue_cents for entry in history)),
                 format_euros_plain(sum(entry.abondement_cents for entry in history))])
    return csv_text(rows)


# --- A run's national distribution -----------------------------------------------------------

def distribution_chart_png(lines: Sequence[AllocationLine], *, title: str) -> bytes:
    """Each consortium's allocation, largest at the top; a former Carnot 4 whose floor is
    guaranteed (FAQ-3.5) in red and hatched, and « garanti » after its code."""
    with matplotlib.rc_context(STYLE):
        height = max(3.0, 1.6 + 0.28 * len(lines))
        figure = Figure(figsize=(8, height), layout="constrained")
        axes = figure.subplots()
        axes.set_title(title, loc="left")
        if not lines:
            _empty(axes, "Aucun consortium dans cette répartition.")
            return _png(figure)
        ordered = list(reversed(lines))
        labels = [f"{line.application_code} (garanti)" if line.guarantee_applies
                  else line.application_code for line in ordered]
        euros = [line.allocation_cents / 100 for line in ordered]
        bars = axes.barh(range(len(ordered)), euros, height=0.7,
                         color=[RED if line.guarantee_applies else BLUE for line in ordered],
                         hatch=["//" if line.guarantee_applies else "" for line in ordered],
                         edgecolor="white")
        axes.bar_label(bars, labels=[axis_euros(value) for value in euros], padding=3,
                       fontsize=7)
        axes.set_yticks(range(len(ordered)), labels)
        axes.xaxis.set_major_formatter(FuncFormatter(axis_euros))
        axes.set_xlim(0, max(*euros, 1) * 1.15)
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.legend(handles=[Patch(color=BLUE, label="au prorata de l'assiette"),
                             Patch(facecolor=RED, hatch="//", edgecolor="white",
                                   label="ancien Carnot 4 garanti (FAQ-3.5)")],
                    loc="lower right", frameon=False)
        return _png(figure)


def distribution_chart_csv(lines: Sequence[AllocationLine], run: AllocationRun) -> str:
    """Each consortium's line, largest allocation first, then the total allocated and the
    envelope."""
    rows: list[list[object]] = [["rang", "candidature", "consortium", "type", "recevable",
                                 "garanti (Carnot 4)", "plancher garanti (€)",
                                 "part au prorata (€)", "bonus (€)", "abondement (€)"]]
    rows += [[rank, line.application_code, line.name, KIND_LABELS.get(line.kind, line.kind),
              "oui" if line.admissible else "non", "oui" if line.guarantee_applies else "non",
              format_euros_plain(line.guarantee_cents), format_euros_plain(line.pro_rata_cents),
              format_euros_plain(line.bonus_cents), format_euros_plain(line.allocation_cents)]
             for rank, line in enumerate(lines, start=1)]
    rows.append(["", "", "total réparti", "", "", "", "",
                 format_euros_plain(sum(line.pro_rata_cents for line in lines)),
                 format_euros_plain(sum(line.bonus_cents for line in lines)),
                 format_euros_plain(sum(line.allocation_cents for line in lines))])
    rows.append(["", "", "enveloppe", "", "", "", "", "", "",
                 format_euros_plain(run.envelope_cents)])
    return csv_text(rows)
