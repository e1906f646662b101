"""The « document de dépôt » written: an application's fields, units and signatures as an
XLSX workbook, with the columns ``spreadsheet_format`` names (the file a coordinator fills in and
imports back)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment as CellAlignment  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

from carnot.applications.models import Application
from carnot.applications.spreadsheet_format import (
    APPLICATION_SHEET,
    EMPOWERED,
    ENGINEERS_DO_RESEARCH,
    FIELD_ALIGNMENTS,
    FIELD_CODE,
    FIELD_COORDINATOR,
    FIELD_JUSTIFICATION,
    FIELD_KIND,
    FIELD_NAME,
    FIELD_PUIS,
    FIELD_REFERENCE_FTE,
    FIELD_THEME,
    KIND_LABELS,
    PARTIAL,
    SIGNATURE_COLUMNS,
    SIGNATURES_SHEET,
    UNITS_SHEET,
    unit_columns,
)
from carnot.common.french import NO, YES

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E3E3FD")
WRAP = CellAlignment(wrap_text=True, vertical="top")


def export_application(application: Application) -> bytes:
    """The application as an .xlsx « document de dépôt » (sheets « Candidature », « Unités »,
    « Signataires »), which ``import_application`` reads back unchanged."""
    workbook = Workbook()
    workbook.properties.creator = "Carnot"
    workbook.properties.title = f"Document de dépôt — {application.name}"
    _write_application(workbook.active, application)
    _write_units(workbook.create_sheet(UNITS_SHEET), application)
    _write_signatures(workbook.create_sheet(SIGNATURES_SHEET), application)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(application: Application) -> str:
    return f"carnot-{application.call.year}-{application.code}.xlsx"


def _set(cell: Any, value: object, number_format: str | None = None) -> None:
    """Write a value; text stays text even when it starts with « = » (no formula injection)."""
    if isinstance(value, Decimal):
        value = float(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format


def _write_header(sheet: Any, headers: list[tuple[str, int]]) -> None:
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        _set(cell, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _yes_no_validation(sheet: Any, column: int, rows: int) -> None:
    """A drop-down « oui / non » in the spreadsheet program (not trusted on import)."""
    letter = get_column_letter(column)
    validation = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    validation.add(f"{letter}2:{letter}{max(rows, 2) + 200}")
    sheet.add_data_validation(validation)


def _write_application(sheet: Any, application: Application) -> None:
    sheet.title = APPLICATION_SHEET
    _write_header(sheet, [("Champ", 38), ("Valeur", 80)])
    alignments = "; ".join(f"{a.kind}: {a.name}" for a in application.alignments.all())
    values: list[tuple[str, object, str | None]] = [
        (FIELD_CODE, application.code, None),
        (FIELD_NAME, application.name, None),
        (FIELD_KIND, KIND_LABELS.get(application.kind, application.kind), None),
        (FIELD_COORDINATOR, application.coordinator.code, None),
        (FIELD_PUIS, "; ".join(p.code for p in application.puis.order_by("code")), None),
        (FIELD_THEME, application.theme, None),
        (FIELD_JUSTIFICATION, application.theme_justification, None),
        (FIELD_ALIGNMENTS, alignments, None),
        (FIELD_REFERENCE_FTE, application.reference_fte, "0.00"),
    ]
    for row, (label, value, number_format) in enumerate(values, start=2):
        _set(sheet.cell(row=row, column=1), label)
        sheet.cell(row=row, column=1).font = HEADER_FONT
        _set(sheet.cell(row=row, column=2), value, number_format)
        sheet.cell(row=row, column=2).alignment = WRAP


def _write_units(sheet: Any, application: Application) -> None:
    columns = unit_columns(application)
    _write_header(sheet, [(c.header, c.width) for c in columns])
    declarations = (application.units
                    .select_related("unit", "scientific_lead", "managing_tutelle", "shared_with")
                    .prefetch_related("tutelles").order_by("unit__rnsr"))
    count = 0
    for row, declaration in enumerate(declarations, start=2):
        count += 1
        values: list[tuple[object, str | None]] = [
            (declaration.unit.rnsr, None),
            (declaration.unit.name, None),
            (declaration.scientific_lead.full_name if declaration.scientific_lead else "", None),
            (declaration.managing_tutelle.code, None),
            ("; ".join(sorted(t.code for t in declaration.tutelles.all())), None),
            (declaration.permanent_researchers_fte, "0.00"),
            (declaration.research_engineers_fte, "0.00"),
            (_yes_no(declaration.research_engineers_do_research), None),
            (declaration.shared_with.code if declaration.shared_with else "", None),
            (_yes_no(declaration.partial), None),
        ]
        for column, (value, number_format) in enumerate(values, start=1):
            _set(sheet.cell(row=row, column=column), value, number_format)
    for yes_no in (ENGINEERS_DO_RESEARCH, PARTIAL):
        _yes_no_validation(sheet, columns.index(yes_no) + 1, count + 1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _write_signatures(sheet: Any, application: Application) -> None:
    _write_header(sheet, [(c.header, c.width) for c in SIGNATURE_COLUMNS])
    signatures = application.signatures.select_related("structure", "signatory").order_by(
        "structure__code")
    count = 0
    for row, signature in enumerate(signatures, start=2):
        count += 1
        values: list[tuple[object, str | None]] = [
            (signature.structure.code, None),
            (signature.signatory.full_name, None),
            (signature.empowerment, None),
            (_yes_no(signature.empowered), None),
            (signature.signed_on, "DD/MM/YYYY"),
        ]
        for column, (value, number_format) in enumerate(values, start=1):
            _set(sheet.cell(row=row, column=column), value, number_format)
    _yes_no_validation(sheet, SIGNATURE_COLUMNS.index(EMPOWERED) + 1, count + 1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(SIGNATURE_COLUMNS))}{count + 1}"
