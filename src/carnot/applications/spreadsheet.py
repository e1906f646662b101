"""The « document de dépôt »: a whole application as a spreadsheet, exported and imported.

Three sheets:

- « Candidature »: one field a row (column A the field, column B its value): code, name, kind,
  coordinator structure, PUIs, theme, its justification, alignments, reference FTE;
- « Unités »: one row per declared unit (RNSR, scientific lead, tutelles, FTE, sharing…);
- « Signataires »: one row per tutelle that signed the commitment document (FAQ-2.18).

Import is atomic: every cell of the file is read and checked first, and the file is refused whole
(``SpreadsheetRejected``, with every error located by sheet, row, column and rule) when one cell is
wrong; otherwise the application's fields, units and signatures become the file's, through the
services of ``services.py`` (so each change is in the history), in one transaction.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment as CellAlignment  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]
from python_calamine import CalamineWorkbook

from carnot.applications.models import (
    KIND_CHOICES,
    Application,
    ApplicationUnit,
)
from carnot.applications.services import (
    application_update,
    signature_record,
    signature_remove,
    unit_declare,
    unit_remove,
    unit_update,
)
from carnot.applications.workflow import EDITABLE
from carnot.common.french import NO, YES, cell_text, folded_key, is_blank
from carnot.common.sheets import SheetError, SpreadsheetRejected
from carnot.registry.models import Pui, Structure, Unit
from carnot.rules.admissibility import rnsr_is_well_formed
from carnot.rules.domain import AlignmentKind, ApplicationKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

APPLICATION_SHEET = "Candidature"
UNITS_SHEET = "Unités"
SIGNATURES_SHEET = "Signataires"

MAX_BYTES = 10 * 1024 * 1024
"""Largest file accepted when ``settings.MAX_UPLOAD_BYTES`` is not set (an application of a
hundred units weighs a few dozen kilobytes)."""
MAX_ROWS = 5000
"""Most rows read in one sheet."""
MAX_TEXT = 255
MAX_FTE = Decimal("999999.99")
CENT = Decimal("0.01")


CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Errors and report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What an accepted import changed, for the page's message."""

    application_changed: bool
    units_added: int
    units_updated: int
    units_removed: int
    units_unchanged: int
    signatures: int
    """Signatures in the file."""
    signatures_recorded: int
    """New or changed signatures."""
    signatures_removed: int

    @property
    def changed(self) -> bool:
        return bool(self.application_changed or self.units_added or self.units_updated
                    or self.units_removed or self.signatures_recorded
                    or self.signatures_removed)

    def message(self) -> str:
        """« Import réussi : 3 unités ajoutées, 1 unité modifiée, … », in French."""
        if not self.changed:
            return "Import réussi : le fichier est identique à la candidature, rien n'a changé."
        parts = []
        if self.application_changed:
            parts.append("informations de la candidature mises à jour")
        parts += [_count(n, word) for n, word in (
            (self.units_added, "unité ajoutée"), (self.units_updated, "unité modifiée"),
            (self.units_removed, "unité retirée"),
            (self.signatures_recorded, "signature enregistrée"),
            (self.signatures_removed, "signature retirée")) if n]
        return f"Import réussi : {', '.join(parts)}."


def _count(n: int, words: str) -> str:
    return f"{n} {words}" if n == 1 else f"{n} " + " ".join(f"{w}s" for w in words.split())


# --- Columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    required: bool = True
    """Whether the column must be in the file (an informative column may be left out)."""

    @property
    def key(self) -> str:
        return folded_key(self.header)


RNSR = Column("RNSR", 14)
UNIT_NAME = Column("Nom de l'unité", 45, required=False)
SCIENTIFIC_LEAD = Column("Responsable scientifique", 28)
MANAGING_TUTELLE = Column("Tutelle gestionnaire (code)", 24)
TUTELLES = Column("Tutelles (codes séparés par « ; »)", 32)
ENGINEERS_FTE = Column("ETP ingénieurs de recherche", 16)
ENGINEERS_DO_RESEARCH = Column("Ingénieurs faisant de la recherche (oui/non)", 22)
SHARED_WITH = Column("Partagée avec (code de candidature)", 24)
PARTIAL = Column("Unité incomplète (oui/non)", 16)


def permanent_fte_column(application: Application) -> Column:
    """The FTE are those of the year before the call (2025 for the 2026 call)."""
    return Column(f"ETP recherche permanents {application.call.year - 1}", 18)


def unit_columns(application: Application) -> list[Column]:
    return [RNSR, UNIT_NAME, SCIENTIFIC_LEAD, MANAGING_TUTELLE, TUTELLES,
            permanent_fte_column(application), ENGINEERS_FTE, ENGINEERS_DO_RESEARCH,
            SHARED_WITH, PARTIAL]


SIGNATURE_TUTELLE = Column("Tutelle (code)", 20)
SIGNATORY = Column("Signataire", 30)
EMPOWERMENT = Column("Habilitation", 40)
EMPOWERED = Column("Habilité (oui/non)", 14)
SIGNED_ON = Column("Date de signature (JJ/MM/AAAA)", 18)
SIGNATURE_COLUMNS = [SIGNATURE_TUTELLE, SIGNATORY, EMPOWERMENT, EMPOWERED, SIGNED_ON]

# The « Candidature » sheet: one field per row.
FIELD_CODE = "Code"
FIELD_NAME = "Nom"
FIELD_KIND = "Type"
FIELD_COORDINATOR = "Coordinateur (code de la structure)"
FIELD_PUIS = "PUI (codes séparés par « ; »)"
FIELD_THEME = "Thématique"
FIELD_JUSTIFICATION = "Justification de la thématique"
FIELD_ALIGNMENTS = "Alignements (SNA: …; PEPR: …; CSF: …)"
FIELD_REFERENCE_FTE = "ETP de référence"
APPLICATION_FIELDS = [FIELD_CODE, FIELD_NAME, FIELD_KIND, FIELD_COORDINATOR, FIELD_PUIS,
                      FIELD_THEME, FIELD_JUSTIFICATION, FIELD_ALIGNMENTS, FIELD_REFERENCE_FTE]

KIND_LABELS = dict(KIND_CHOICES)
KINDS_BY_KEY = {
    **{folded_key(label): kind for kind, label in KIND_CHOICES},
    **{folded_key(kind): kind for kind, _ in KIND_CHOICES},
    folded_key("thématique"): ApplicationKind.THEMATIC.value,
    folded_key("ancien Carnot"): ApplicationKind.FORMER_CARNOT.value,
}


# --- Export ----------------------------------------------------------------------------------

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


# --- Reading cells ---------------------------------------------------------------------------

MAX_COLUMNS = 100
FRENCH_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
DATE_TEXT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

T = TypeVar("T")


class _Invalid(Exception):
    """A cell refused: the reason, in French, as one sentence."""


def _long_text(value: object) -> str:
    """A free text (several lines allowed), trimmed."""
    return str(value).strip() if isinstance(value, str) else cell_text(value)


def _bounded(typed: str) -> str:
    if len(typed) > MAX_TEXT:
        raise _Invalid(f"Texte trop long ({len(typed)} caractères ; au plus {MAX_TEXT}).")
    return typed


def _codes(value: object) -> list[str]:
    """Codes separated by « ; » (or « , » or line breaks), blanks dropped, each once."""
    found: list[str] = []
    for part in re.split(r"[;,\n]", _long_text(value)):
        code = part.strip()
        if code and code not in found:
            found.append(code)
    return found


def _number(value: object) -> Decimal:
    """A non-negative number with at most two decimals: « 12,5 », « 12,50 », « 1 234,5 »,
    « 12.5 » or a number cell."""
    if isinstance(value, bool):
        raise _Invalid("Nombre attendu, pas « oui/non ».")
    if isinstance(value, int | float):
        number = Decimal(repr(float(value)))
    else:
        typed = cell_text(value)
        compact = typed.replace(" ", "")
        if not FRENCH_NUMBER.match(compact):
            raise _Invalid(f"« {typed} » n'est pas un nombre (ex. 12,5).")
        try:
            number = Decimal(compact.replace(",", "."))
        except InvalidOperation as exc:
            raise _Invalid(f"« {typed} » n'est pas un nombre (ex. 12,5).") from exc
    if not number.is_finite():
        raise _Invalid("Nombre attendu.")
    rounded = number.quantize(CENT)
    if abs(number - rounded) > Decimal("1e-9"):
        raise _Invalid(f"« {cell_text(value)} » : au plus deux décimales.")
    if rounded < 0:
        raise _Invalid(f"« {cell_text(value)} » : un ETP est un nombre positif ou nul.")
    if rounded > MAX_FTE:
        raise _Invalid(f"« {cell_text(value)} » : nombre trop grand (au plus {MAX_FTE}).")
    return rounded


def _yes_no_cell(value: object) -> bool:
    if isinstance(value, bool):
        return value
    found = {YES: True, NO: False}.get(folded_key(value))
    if found is None:
        raise _Invalid(f"« {cell_text(value)} » : « oui » ou « non » attendu.")
    return found


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    typed = cell_text(value)
    match = DATE_TEXT.match(typed)
    if not match:
        raise _Invalid(f"« {typed} » n'est pas une date au format JJ/MM/AAAA.")
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _Invalid(f"« {typed} » : cette date n'existe pas (JJ/MM/AAAA).") from exc


class _Registry:
    """The reference data the file names, read in a fixed number of queries."""

    def __init__(self, application: Application, rnsrs: Iterable[str]) -> None:
        self.call = application.call
        self.structures = {s.code.casefold(): s for s in Structure.objects.all()}
        self.puis = {p.code.casefold(): p for p in Pui.objects.all()}
        self.applications = {a.code.casefold(): a
                             for a in Application.objects.filter(call=application.call)}
        self.units = {u.rnsr: u for u in Unit.objects.filter(rnsr__in=set(rnsrs))}

    def structure(self, value: object) -> Structure:
        code = cell_text(value)
        found = self.structures.get(code.casefold())
        if found is None:
            raise _Invalid(f"Structure inconnue du référentiel : « {code} » (code attendu).")
        return found

    def structure_list(self, value: object) -> list[Structure]:
        codes = _codes(value)
        if not codes:
            raise _Invalid("Au moins un code de structure attendu (codes séparés par « ; »).")
        unknown = [code for code in codes if code.casefold() not in self.structures]
        if unknown:
            listed = ", ".join(f"« {code} »" for code in unknown)
            raise _Invalid(f"Structure(s) inconnue(s) du référentiel : {listed} "
                           "(codes séparés par « ; »).")
        return [self.structures[code.casefold()] for code in codes]

    def pui_list(self, value: object) -> list[Pui]:
        codes = _codes(value)
        unknown = [code for code in codes if code.casefold() not in self.puis]
        if unknown:
            listed = ", ".join(f"« {code} »" for code in unknown)
            raise _Invalid(f"PUI inconnu(s) : {listed} (codes séparés par « ; »).")
        return [self.puis[code.casefold()] for code in codes]

    def application(self, value: object) -> Application:
        code = cell_text(value)
        found = self.applications.get(code.casefold())
        if found is None:
            raise _Invalid(f"Candidature « {code} » inconnue dans l'appel {self.call.year} : "
                           "une unité partagée nomme l'autre candidature par son code "
                           "(FAQ-2.17).")
        return found


def _rnsr(value: object) -> str:
    return cell_text(value).replace(" ", "").upper()


def _alignments(value: object) -> list[tuple[str, str]]:
    """« SNA: Santé numérique; PEPR: Batteries » → [(SNA, Santé numérique), (PEPR, Batteries)]."""
    found: list[tuple[str, str]] = []
    kinds = {kind.value.casefold(): kind.value for kind in AlignmentKind}
    for part in re.split(r"[;\n]", _long_text(value)):
        if not part.strip():
            continue
        kind, colon, name = part.partition(":")
        if not colon or kind.strip().casefold() not in kinds or not name.strip():
            raise _Invalid(f"« {part.strip()} » : « SNA: intitulé », « PEPR: intitulé » ou "
                           "« CSF: intitulé » attendu, séparés par « ; » (FAQ-2.27).")
        found.append((kinds[kind.strip().casefold()], _bounded(" ".join(name.split()))))
    return found


def _kind(value: object) -> str:
    found = KINDS_BY_KEY.get(folded_key(value))
    if found is None:
        labels = [f"« {label} »" for label in KIND_LABELS.values()]
        raise _Invalid(f"« {cell_text(value)} » : type inconnu (attendu : {', '.join(labels[:-1])} "
                       f"ou {labels[-1]} ; FAQ-2.19).")
    return found


class _Sheet:
    """A sheet as rows of cells (row 1 first), and where its errors go."""

    def __init__(self, name: str, rows: list[list[Any]], errors: list[SheetError]) -> None:
        self.name = name
        self.rows = rows
        self.errors = errors

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(SheetError(self.name, row, column, message))

    def read(self, row: int, column: str, raw: object, required: bool,
             read: Callable[[object], T], rule: str = "") -> T | None:
        """``read(raw)``, or None after recording why not (an empty cell is None, refused
        when ``required``)."""
        if is_blank(raw):
            if required:
                self.error(row, column, f"Cellule vide : « {column} » est obligatoire{rule}.")
            return None
        try:
            return read(raw)
        except _Invalid as refused:
            self.error(row, column, str(refused))
            return None


class _Table(_Sheet):
    """A sheet with its headers on row 1 and one record a row below."""

    def __init__(self, name: str, rows: list[list[Any]], errors: list[SheetError],
                 columns: list[Column]) -> None:
        super().__init__(name, rows, errors)
        self.positions: dict[str, int] = {}
        wanted = {column.key: column for column in columns}
        for index, header in enumerate(rows[0] if rows else []):
            column = wanted.get(folded_key(header))
            if column is None:
                continue
            if column.key in self.positions:
                self.error(1, column.header, f"Colonne « {column.header} » en double.")
            else:
                self.positions[column.key] = index
        for column in columns:
            if column.required and column.key not in self.positions:
                self.error(1, column.header,
                           f"Colonne manquante : « {column.header} » (en-têtes en ligne 1).")

    def records(self) -> list[_Row]:
        return [_Row(self, number, cells)
                for number, cells in enumerate(self.rows[1:], start=2)
                if not all(is_blank(cell) for cell in cells)]


class _Row:
    """A record of a table; each getter records the cell's error and returns None."""

    def __init__(self, table: _Table, number: int, cells: list[Any]) -> None:
        self.table = table
        self.number = number
        self.cells = cells
        self.errors_before = len(table.errors)

    @property
    def valid(self) -> bool:
        """No error recorded on this row since it was started."""
        return len(self.table.errors) == self.errors_before

    def raw(self, column: Column) -> object:
        index = self.table.positions.get(column.key)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def error(self, column: Column, message: str) -> None:
        self.table.error(self.number, column.header, message)

    def get(self, column: Column, read: Callable[[object], T], required: bool = False,
            rule: str = "") -> T | None:
        """The cell, read; a missing column was reported once, on the header row."""
        if column.key not in self.table.positions:
            return None
        return self.table.read(self.number, column.header, self.raw(column), required, read,
                               rule)

    def text(self, column: Column, required: bool = False, rule: str = "") -> str:
        return self.get(column, lambda raw: _bounded(cell_text(raw)), required, rule) or ""


# --- Reading the file ------------------------------------------------------------------------


@dataclass(frozen=True)
class _ApplicationValues:
    code: str
    name: str
    kind: str
    coordinator: Structure
    puis: list[Pui]
    theme: str
    theme_justification: str
    alignments: list[tuple[str, str]]
    reference_fte: Decimal | None


@dataclass(frozen=True)
class _UnitValues:
    row: int
    rnsr: str
    scientific_lead: str
    managing_tutelle: Structure
    tutelles: list[Structure]
    permanent_researchers_fte: Decimal | None
    research_engineers_fte: Decimal
    research_engineers_do_research: bool
    shared_with: Application | None
    partial: bool


@dataclass(frozen=True)
class _SignatureValues:
    row: int
    structure: Structure
    signatory: str
    empowerment: str
    empowered: bool
    signed_on: date | None


@dataclass(frozen=True)
class _Content:
    application: _ApplicationValues | None
    """None when the file has no « Candidature » sheet: the fields are left as they are."""
    units: list[_UnitValues]
    signatures: list[_SignatureValues]


def _refused(message: str) -> SpreadsheetRejected:
    return SpreadsheetRejected([SheetError(None, None, None, message)])


def _open(content: bytes) -> CalamineWorkbook:
    limit = int(getattr(settings, "MAX_UPLOAD_BYTES", MAX_BYTES))
    if len(content) > limit:
        raise _refused(f"Fichier trop volumineux ({len(content)} octets ; au plus {limit}).")
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises several kinds for a file it cannot read
        raise _refused("Le fichier n'est pas un classeur lisible : un fichier Excel (.xlsx) "
                       "exporté de la plateforme est attendu.") from exc


def _sheet_rows(workbook: CalamineWorkbook, name: str, errors: list[SheetError],
                required: bool) -> list[list[Any]] | None:
    """The rows of the sheet called ``name`` (case and accents aside), trailing blank rows
    dropped; None, with the error, when it is missing, unreadable or too big."""
    found = next((s for s in workbook.sheet_names if folded_key(s) == folded_key(name)), None)
    if found is None:
        if required:
            errors.append(SheetError(name, None, None, f"Feuille manquante : « {name} »."))
        return None
    try:
        sheet = workbook.get_sheet_by_name(found)
        end = sheet.end
        if end is not None and end[0] > MAX_ROWS:
            errors.append(SheetError(name, None, None,
                                     f"Trop de lignes (au plus {MAX_ROWS} sous les en-têtes)."))
            return None
        if end is not None and end[1] >= MAX_COLUMNS:
            errors.append(SheetError(name, None, None,
                                     f"Trop de colonnes (au plus {MAX_COLUMNS})."))
            return None
        rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    except Exception:  # a damaged sheet in a readable workbook
        errors.append(SheetError(name, None, None, "Feuille illisible."))
        return None
    while rows and all(is_blank(cell) for cell in rows[-1]):
        rows.pop()
    return rows


def _read_application(sheet: _Sheet, application: Application,
                      registry: _Registry) -> _ApplicationValues | None:
    """Column A names the field, column B holds its value; every field but the code is
    required (the code, when given, must be this application's)."""
    found: dict[str, tuple[int, object]] = {}
    wanted = {folded_key(label): label for label in APPLICATION_FIELDS}
    for number, cells in enumerate(sheet.rows, start=1):
        label = wanted.get(folded_key(cells[0])) if cells else None
        if label is None:
            continue
        if label in found:
            sheet.error(number, label, f"Champ « {label} » en double (déjà ligne "
                                       f"{found[label][0]}).")
            continue
        found[label] = (number, cells[1] if len(cells) > 1 else None)
    before = len(sheet.errors)
    for label in APPLICATION_FIELDS[1:]:
        if label not in found:
            sheet.error(None, label, f"Champ manquant : « {label} » (en colonne A).")
    if len(sheet.errors) > before:
        return None

    def get(label: str, read: Callable[[object], T], required: bool = False) -> T | None:
        number, raw = found[label]
        return sheet.read(number, label, raw, required, read)

    code = get(FIELD_CODE, cell_text) if FIELD_CODE in found else None
    if code and code != application.code:
        sheet.error(found[FIELD_CODE][0], FIELD_CODE,
                    f"Ce fichier est celui de la candidature « {code} », pas de « "
                    f"{application.code} » : importer le fichier de cette candidature.")
    name = get(FIELD_NAME, lambda raw: _bounded(cell_text(raw)), required=True)
    kind = get(FIELD_KIND, _kind, required=True)
    coordinator = get(FIELD_COORDINATOR, registry.structure, required=True)
    puis = get(FIELD_PUIS, registry.pui_list)
    theme = get(FIELD_THEME, lambda raw: _bounded(cell_text(raw)))
    justification = get(FIELD_JUSTIFICATION, _long_text)
    alignments = get(FIELD_ALIGNMENTS, _alignments)
    reference_fte = get(FIELD_REFERENCE_FTE, _number)
    if len(sheet.errors) > before or name is None or kind is None or coordinator is None:
        return None
    return _ApplicationValues(
        code=application.code, name=name, kind=kind, coordinator=coordinator, puis=puis or [],
        theme=theme or "", theme_justification=justification or "",
        alignments=alignments or [], reference_fte=reference_fte)


def _read_units(rows: list[_Row], registry: _Registry, permanent_fte: Column,
                tutelles_named: set[int]) -> list[_UnitValues]:
    """One declared unit a row (FAQ-2.17, 2.18); ``tutelles_named`` gathers every tutelle
    the sheet names, for the signatures."""
    found: list[_UnitValues] = []
    first_row: dict[str, int] = {}
    for row in rows:
        rnsr = row.get(RNSR, _rnsr, required=True, rule=" (FAQ-2.18)")
        if rnsr is not None:
            if not rnsr_is_well_formed(rnsr):
                row.error(RNSR, f"« {rnsr} » n'est pas un numéro RNSR : neuf chiffres dont "
                                "une année, puis une lettre majuscule (FAQ-2.18).")
            elif rnsr in first_row:
                row.error(RNSR, f"Unité {rnsr} déjà listée ligne {first_row[rnsr]} : chaque "
                                "unité est déclarée une seule fois (FAQ-2.18).")
            else:
                first_row[rnsr] = row.number
                if rnsr not in registry.units:
                    row.error(RNSR, f"Unité inconnue du répertoire : « {rnsr} » (FAQ-2.18).")
        lead = row.text(SCIENTIFIC_LEAD)
        managing = row.get(MANAGING_TUTELLE, registry.structure, required=True,
                           rule=" (FAQ-2.18)")
        tutelles = row.get(TUTELLES, registry.structure_list, required=True,
                           rule=" (FAQ-2.18)")
        tutelles_named.update(t.pk for t in tutelles or [])
        permanent = row.get(permanent_fte, _number)
        engineers = row.get(ENGINEERS_FTE, _number)
        engineers_research = row.get(ENGINEERS_DO_RESEARCH, _yes_no_cell)
        shared_with = row.get(SHARED_WITH, registry.application)
        partial = row.get(PARTIAL, _yes_no_cell)
        if row.valid and rnsr is not None and managing is not None and tutelles:
            found.append(_UnitValues(
                row=row.number, rnsr=rnsr, scientific_lead=lead, managing_tutelle=managing,
                tutelles=tutelles, permanent_researchers_fte=permanent,
                research_engineers_fte=engineers or Decimal(0),
                research_engineers_do_research=bool(engineers_research),
                shared_with=shared_with, partial=bool(partial)))
    return found


def _read_signatures(rows: list[_Row], registry: _Registry,
                     tutelles_named: set[int]) -> list[_SignatureValues]:
    """One signature of the commitment document a row: only tutelles of the declared units
    sign, each once, by a named person (FAQ-2.18)."""
    found: list[_SignatureValues] = []
    first_row: dict[int, int] = {}
    for row in rows:
        structure = row.get(SIGNATURE_TUTELLE, registry.structure, required=True,
                            rule=" (FAQ-2.18)")
        if structure is not None:
            if structure.pk in first_row:
                row.error(SIGNATURE_TUTELLE,
                          f"Tutelle « {structure.code} » déjà listée ligne "
                          f"{first_row[structure.pk]} : une signature par tutelle (FAQ-2.18).")
            else:
                first_row[structure.pk] = row.number
                if structure.pk not in tutelles_named:
                    row.error(SIGNATURE_TUTELLE,
                              f"{structure.name} (« {structure.code} ») n'est tutelle d'aucune "
                              f"unité de la feuille « {UNITS_SHEET} » : seules les tutelles des "
                              "unités signent le document d'engagement (FAQ-2.18).")
        signatory = row.text(SIGNATORY, required=True,
                             rule=" (nom de la personne habilitée à signer ; FAQ-2.18)")
        empowerment = row.text(EMPOWERMENT)
        empowered = row.get(EMPOWERED, _yes_no_cell, required=True, rule=" (FAQ-2.18)")
        signed_on = row.get(SIGNED_ON, _date)
        if row.valid and structure is not None and signatory and empowered is not None:
            found.append(_SignatureValues(
                row=row.number, structure=structure, signatory=signatory,
                empowerment=empowerment, empowered=empowered, signed_on=signed_on))
    return found


def _read(application: Application, content: bytes) -> _Content:
    """Every cell of the file, read and checked; ``SpreadsheetRejected`` with all the errors
    found when one is wrong, sheet by sheet and row by row."""
    workbook = _open(content)
    errors: list[SheetError] = []
    application_rows = _sheet_rows(workbook, APPLICATION_SHEET, errors, required=False)
    unit_rows = _sheet_rows(workbook, UNITS_SHEET, errors, required=True)
    signature_rows = _sheet_rows(workbook, SIGNATURES_SHEET, errors, required=True)
    permanent_fte = permanent_fte_column(application)
    units_table = (_Table(UNITS_SHEET, unit_rows, errors, unit_columns(application))
                   if unit_rows is not None else None)
    signatures_table = (_Table(SIGNATURES_SHEET, signature_rows, errors, SIGNATURE_COLUMNS)
                        if signature_rows is not None else None)
    unit_records = units_table.records() if units_table else []
    signature_records = signatures_table.records() if signatures_table else []
    registry = _Registry(application, (_rnsr(row.raw(RNSR)) for row in unit_records))
    values = (_read_application(_Sheet(APPLICATION_SHEET, application_rows, errors),
                                application, registry)
              if application_rows is not None else None)
    tutelles_named: set[int] = set()
    units = _read_units(unit_records, registry, permanent_fte, tutelles_named)
    signatures = _read_signatures(signature_records, registry, tutelles_named)
    if errors:
        order = {APPLICATION_SHEET: 1, UNITS_SHEET: 2, SIGNATURES_SHEET: 3}
        raise SpreadsheetRejected(sorted(errors, key=lambda e: (order.get(e.sheet or "", 0),
                                                                e.row or 0)))
    return _Content(application=values, units=units, signatures=signatures)


# --- Import ----------------------------------------------------------------------------------


def import_application(*, application: Application, content: bytes, by: User) -> ImportReport:
    """Replace the application's fields (sheet « Candidature », when there is one), units and
    signatures with the file's, or change nothing.

    Every cell is checked before anything is written; one wrong cell and the whole file is
    refused with ``SpreadsheetRejected``, whose ``errors`` list every problem by sheet, row,
    column and rule. The writes go through the services (so every change is in the history) in
    one transaction; a refusal of a service (the application is no longer a draft…) undoes them
    all. Who may import is the caller's business (``permissions.can_edit``).
    """
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        application.refresh_from_db()
        if application.status not in EDITABLE:
            raise _refused(f"La candidature est « {application.get_status_display()} » : elle "
                           "n'est plus modifiable ; rien n'a été importé.")
        content_read = _read(application, content)
        try:
            return _apply(application, content_read, by)
        except ValidationError as refused:
            raise _refused(" ; ".join(refused.messages)) from refused


def _apply(application: Application, content: _Content, by: User) -> ImportReport:
    application_changed = (content.application is not None
                           and _apply_application(application, content.application, by))
    added = updated = unchanged = removed = 0
    declarations = {d.unit.rnsr: d for d in application.units.select_related(
        "unit", "scientific_lead", "managing_tutelle", "shared_with").prefetch_related(
        "tutelles")}
    wanted = {unit.rnsr for unit in content.units}
    for rnsr, declaration in declarations.items():
        if rnsr not in wanted:
            unit_remove(declaration=declaration, by=by)
            removed += 1
    for unit in content.units:
        declared = declarations.get(unit.rnsr)
        if declared is None:
            unit_declare(application=application, by=by, rnsr=unit.rnsr,
                         scientific_lead=unit.scientific_lead,
                         managing_tutelle=unit.managing_tutelle, tutelles=unit.tutelles,
                         permanent_researchers_fte=unit.permanent_researchers_fte,
                         research_engineers_fte=unit.research_engineers_fte,
                         research_engineers_do_research=unit.research_engineers_do_research,
                         shared_with=unit.shared_with, partial=unit.partial)
            added += 1
        elif _apply_unit(declared, unit, by):
            updated += 1
        else:
            unchanged += 1
    recorded, signatures_removed = _apply_signatures(application, content.signatures, by)
    return ImportReport(
        application_changed=application_changed, units_added=added, units_updated=updated,
        units_removed=removed, units_unchanged=unchanged, signatures=len(content.signatures),
        signatures_recorded=recorded, signatures_removed=signatures_removed)


def _apply_application(application: Application, values: _ApplicationValues,
                       by: User) -> bool:
    fields: dict[str, Any] = {}
    for field, value in (("name", values.name), ("kind", values.kind),
                         ("theme", values.theme),
                         ("theme_justification", values.theme_justification),
                         ("reference_fte", values.reference_fte)):
        if getattr(application, field) != value:
            fields[field] = value
    if application.coordinator_id != values.coordinator.pk:
        fields["coordinator"] = values.coordinator
    puis: list[Pui] | None = values.puis
    if {p.pk for p in application.puis.all()} == {p.pk for p in values.puis}:
        puis = None
    alignments: list[tuple[str, str]] | None = values.alignments
    if sorted((a.kind, a.name) for a in application.alignments.all()) == sorted(
            values.alignments):
        alignments = None
    if not fields and puis is None and alignments is None:
        return False
    application_update(application=application, by=by, puis=puis, alignments=alignments,
                       **fields)
    return True


def _apply_unit(declaration: ApplicationUnit, unit: _UnitValues, by: User) -> bool:
    """Update what differs; True when something did."""
    fields: dict[str, Any] = {}
    current_lead = declaration.scientific_lead.full_name if declaration.scientific_lead else ""
    if current_lead != unit.scientific_lead:
        fields["scientific_lead"] = unit.scientific_lead
    if declaration.managing_tutelle_id != unit.managing_tutelle.pk:
        fields["managing_tutelle"] = unit.managing_tutelle
    for field, value in (("permanent_researchers_fte", unit.permanent_researchers_fte),
                         ("research_engineers_fte", unit.research_engineers_fte),
                         ("research_engineers_do_research", unit.research_engineers_do_research),
                         ("partial", unit.partial)):
        if getattr(declaration, field) != value:
            fields[field] = value
    if declaration.shared_with_id != (unit.shared_with.pk if unit.shared_with else None):
        fields["shared_with"] = unit.shared_with
    tutelles: list[Structure] | None = unit.tutelles
    if {t.pk for t in declaration.tutelles.all()} == {t.pk for t in unit.tutelles}:
        tutelles = None
    if not fields and tutelles is None:
        return False
    unit_update(declaration=declaration, by=by, tutelles=tutelles, **fields)
    return True


def _apply_signatures(application: Application, signatures: list[_SignatureValues],
                      by: User) -> tuple[int, int]:
    """Record new and changed signatures, remove those the file no longer lists; the signed
    PDF of a kept signature stays. Returns (recorded, removed)."""
    current = {s.structure_id: s for s in application.signatures.select_related(
        "structure", "signatory")}
    wanted = {signature.structure.pk for signature in signatures}
    removed = 0
    for structure_id, signature in current.items():
        if structure_id not in wanted:
            signature_remove(signature=signature, by=by)
            removed += 1
    recorded = 0
    for values in signatures:
        kept = current.get(values.structure.pk)
        if kept is not None and (
                kept.signatory.full_name, kept.empowerment, kept.empowered,
                kept.signed_on) == (values.signatory, values.empowerment,
                                         values.empowered, values.signed_on):
            continue
        signature_record(application=application, by=by, structure=values.structure,
                         signatory=values.signatory, empowerment=values.empowerment,
                         empowered=values.empowered, signed_on=values.signed_on)
        recorded += 1
    return recorded, removed


