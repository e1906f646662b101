"""A run's lines as files: CSV (UTF-8, « ; », amounts in euros with a decimal comma) and XLSX
(amounts as numbers in euros, a total row, the parameters on a second sheet)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from carnot.allocation.models import AllocationRun
from carnot.allocation.presenters import AMOUNT_COLUMNS, KIND_LABELS, parameters_shown
from carnot.allocation.selectors import RunLine, allocation_lines
from carnot.common.downloads import csv_text
from carnot.rules.money import Cents, format_euros_plain

EXPORT_HEADER = ["appel", "répartition", "statut", "identifiant", "consortium", "type",
                 "recevable", "règles en échec", "assiette du seuil (€)",
                 "assiette de l'abondement (€)", "abondement garanti", "plancher garanti (€)",
                 "part au prorata (€)", "bonus (€)", "abondement (€)"]


def _rows(run: AllocationRun) -> list[tuple[RunLine, list[Any]]]:
    rows = []
    for row in allocation_lines(run=run):
        line = row.line
        guarantee = ("oui" if line.guarantee_applies else "non") if row.guarantee else "—"
        rows.append((row, [run.call.year, run.number, run.get_status_display(),
                           line.application_code, line.name,
                           KIND_LABELS.get(line.kind, line.kind),
                           "oui" if line.admissible else "non", " ".join(row.failed_rules),
                           guarantee]))
    return rows


def export_name(run: AllocationRun, extension: str) -> str:
    return f"repartition-{run.call.year}-n{run.number}.{extension}"


EUROS_FORMAT = '#,##0.00 "€"'



def run_csv(run: AllocationRun) -> str:
    """The run's lines as CSV text."""
    rows: list[list[Any]] = [EXPORT_HEADER]
    for row, cells in _rows(run):
        line = row.line
        plain = [format_euros_plain(cents) for cents in (
            line.threshold_revenue_cents, line.abondement_revenue_cents, line.guarantee_cents,
            line.pro_rata_cents, line.bonus_cents, line.allocation_cents)]
        rows.append([*cells[:8], *plain[:2], cells[8], *plain[2:]])
    return csv_text(rows)


def run_xlsx(run: AllocationRun) -> bytes:
    """The run's lines as a workbook (amounts as numbers in euros, a total row), with its
    parameters on a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Répartition n° {run.number}"
    sheet.append(EXPORT_HEADER)
    totals: dict[str, Cents] = dict.fromkeys(AMOUNT_COLUMNS, 0)
    for row, cells in _rows(run):
        line = row.line
        amounts = [Decimal(getattr(line, name)) / 100 for name in AMOUNT_COLUMNS]
        for name in AMOUNT_COLUMNS:
            totals[name] += getattr(line, name)
        sheet.append([*cells[:8], amounts[0], amounts[1], cells[8], *amounts[2:]])
    sheet.append(["", "", "", "", "Total", "", "", "",
                  *[Decimal(totals[name]) / 100 for name in AMOUNT_COLUMNS[:2]], "",
                  *[Decimal(totals[name]) / 100 for name in AMOUNT_COLUMNS[2:]]])
    sheet.append(["", "", "", "", "Enveloppe", "", "", "", "", "", "", "", "", "",
                  Decimal(run.envelope_cents) / 100])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("I", "J", "L", "M", "N", "O"):
        for cell in sheet[column][1:]:
            cell.number_format = EUROS_FORMAT
    parameters = workbook.create_sheet("Paramètres")
    parameters.append(["paramètre", "valeur", "source", "valable du", "valable jusqu'au",
                       "surchargé (source remplacée)", "note"])
    for parameter in parameters_shown(run.parameters, run.call):
        value = parameter.value if not parameter.rows else " ; ".join(
            f"{key} : {row}" for key, row in parameter.rows)
        parameters.append([parameter.name, value, parameter.source, parameter.valid_from,
                           parameter.valid_until, parameter.overridden_from, parameter.note])
    parameters.append([])
    parameters.append(["empreinte des données (SHA-256)", run.inputs_fingerprint])
    for cell in parameters[1]:
        cell.font = Font(bold=True)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()
