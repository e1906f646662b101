"""The « document de dépôt » read: every cell of the file read and checked, with the columns
``spreadsheet_format`` names, before anything is written.

The file is refused whole (``SpreadsheetRejected``, with every error located by sheet, row,
column and rule) when one cell is wrong; otherwise ``read_file`` returns its content, which
``spreadsheet.import_application`` writes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from python_calamine import CalamineWorkbook

from carnot.applications.models import Application
from carnot.applications.spreadsheet_format import (
    APPLICATION_FIELDS,
    APPLICATION_SHEET,
    EMPOWERED,
    EMPOWERMENT,
    ENGINEERS_DO_RESEARCH,
    ENGINEERS_FTE,
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
    KINDS_BY_KEY,
    MANAGING_TUTELLE,
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    PARTIAL,
    RNSR,
    SCIENTIFIC_LEAD,
    SHARED_WITH,
    SIGNATORY,
    SIGNATURE_COLUMNS,
    SIGNATURE_TUTELLE,
    SIGNATURES_SHEET,
    SIGNED_ON,
    TUTELLES,
    UNITS_SHEET,
    Column,
    permanent_fte_column,
    unit_columns,
)
from carnot.common.french import (
    InvalidInput,
    bounded_text,
    cell_text,
    folded_key,
    is_blank,
    parse_date,
    parse_fte,
    parse_yes_no,
)
from carnot.common.sheets import SheetError, SpreadsheetRejected
from carnot.registry.models import Pui, Structure, Unit
from carnot.rules.admissibility import rnsr_is_well_formed
from carnot.rules.domain import AlignmentKind

# --- Reading cells ---------------------------------------------------------------------------

T = TypeVar("T")


def _long_text(value: object) -> str:
    """A free text (several lines allowed), trimmed."""
    return str(value).strip() if isinstance(value, str) else cell_text(value)


def _codes(value: object) -> list[str]:
    """Codes separated by « ; » (or « , » or line breaks), blanks dropped, each once."""
    found: list[str] = []
    for part in re.split(r"[;,\n]", _long_text(value)):
        code = part.strip()
        if code and code not in found:
            found.append(code)
    return found


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
            raise InvalidInput(f"Structure inconnue du référentiel : « {code} » (code attendu).")
        return found

    def structure_list(self, value: object) -> list[Structure]:
        codes = _codes(value)
        if not codes:
            raise InvalidInput("Au moins un code de structure attendu (codes séparés par « ; »).")
        unknown = [code for code in codes if code.casefold() not in self.structures]
        if unknown:
            listed = ", ".join(f"« {code} »" for code in unknown)
            raise InvalidInput(f"Structure(s) inconnue(s) du référentiel : {listed} "
                               "(codes séparés par « ; »).")
        return [self.structures[code.casefold()] for code in codes]

    def pui_list(self, value: object) -> list[Pui]:
        codes = _codes(value)
        unknown = [code for code in codes if code.casefold() not in self.puis]
        if unknown:
            listed = ", ".join(f"« {code} »" for code in unknown)
            raise InvalidInput(f"PUI inconnu(s) : {listed} (codes séparés par « ; »).")
        return [self.puis[code.casefold()] for code in codes]

    def application(self, value: object) -> Application:
        code = cell_text(value)
        found = self.applications.get(code.casefold())
        if found is None:
            raise InvalidInput(f"Candidature « {code} » inconnue dans l'appel {self.call.year} : "
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
            raise InvalidInput(f"« {part.strip()} » : « SNA: intitulé », « PEPR: intitulé » ou "
                               "« CSF: intitulé » attendu, séparés par « ; » (FAQ-2.27).")
        found.append((kinds[kind.strip().casefold()], bounded_text(name)))
    return found


def _kind(value: object) -> str:
    found = KINDS_BY_KEY.get(folded_key(value))
    if found is None:
        labels = [f"« {label} »" for label in KIND_LABELS.values()]
        raise InvalidInput(f"« {cell_text(value)} » : type inconnu (attendu : "
                           f"{', '.join(labels[:-1])} ou {labels[-1]} ; FAQ-2.19).")
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
        except InvalidInput as refused:
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
        return self.get(column, bounded_text, required, rule) or ""


# --- Reading the file ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationValues:
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
class UnitValues:
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
class SignatureValues:
    row: int
    structure: Structure
    signatory: str
    empowerment: str
    empowered: bool
    signed_on: date | None


@dataclass(frozen=True)
class FileContent:
    application: ApplicationValues | None
    """None when the file has no « Candidature » sheet: the fields are left as they are."""
    units: list[UnitValues]
    signatures: list[SignatureValues]


def refused(message: str) -> SpreadsheetRejected:
    return SpreadsheetRejected([SheetError(None, None, None, message)])


def _open(content: bytes) -> CalamineWorkbook:
    limit = int(getattr(settings, "MAX_UPLOAD_BYTES", MAX_BYTES))
    if len(content) > limit:
        raise refused(f"Fichier trop volumineux ({len(content)} octets ; au plus {limit}).")
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises several kinds for a file it cannot read
        raise refused("Le fichier n'est pas un classeur lisible : un fichier Excel (.xlsx) "
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
                      registry: _Registry) -> ApplicationValues | None:
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
    name = get(FIELD_NAME, bounded_text, required=True)
    kind = get(FIELD_KIND, _kind, required=True)
    coordinator = get(FIELD_COORDINATOR, registry.structure, required=True)
    puis = get(FIELD_PUIS, registry.pui_list)
    theme = get(FIELD_THEME, bounded_text)
    justification = get(FIELD_JUSTIFICATION, _long_text)
    alignments = get(FIELD_ALIGNMENTS, _alignments)
    reference_fte = get(FIELD_REFERENCE_FTE, parse_fte)
    if len(sheet.errors) > before or name is None or kind is None or coordinator is None:
        return None
    return ApplicationValues(
        code=application.code, name=name, kind=kind, coordinator=coordinator, puis=puis or [],
        theme=theme or "", theme_justification=justification or "",
        alignments=alignments or [], reference_fte=reference_fte)


def _read_units(rows: list[_Row], registry: _Registry, permanent_fte: Column,
                tutelles_named: set[int]) -> list[UnitValues]:
    """One declared unit a row (FAQ-2.17, 2.18); ``tutelles_named`` gathers every tutelle
    the sheet names, for the signatures."""
    found: list[UnitValues] = []
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
        permanent = row.get(permanent_fte, parse_fte)
        engineers = row.get(ENGINEERS_FTE, parse_fte)
        engineers_research = row.get(ENGINEERS_DO_RESEARCH, parse_yes_no)
        shared_with = row.get(SHARED_WITH, registry.application)
        partial = row.get(PARTIAL, parse_yes_no)
        if row.valid and rnsr is not None and managing is not None and tutelles:
            found.append(UnitValues(
                row=row.number, rnsr=rnsr, scientific_lead=lead, managing_tutelle=managing,
                tutelles=tutelles, permanent_researchers_fte=permanent,
                research_engineers_fte=engineers or Decimal(0),
                research_engineers_do_research=bool(engineers_research),
                shared_with=shared_with, partial=bool(partial)))
    return found


def _read_signatures(rows: list[_Row], registry: _Registry,
                     tutelles_named: set[int]) -> list[SignatureValues]:
    """One signature of the commitment document a row: only tutelles of the declared units
    sign, each once, by a named person (FAQ-2.18)."""
    found: list[SignatureValues] = []
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
        empowered = row.get(EMPOWERED, parse_yes_no, required=True, rule=" (FAQ-2.18)")
        signed_on = row.get(SIGNED_ON, parse_date)
        if row.valid and structure is not None and signatory and empowered is not None:
            found.append(SignatureValues(
                row=row.number, structure=structure, signatory=signatory,
                empowerment=empowerment, empowered=empowered, signed_on=signed_on))
    return found


def read_file(application: Application, content: bytes) -> FileContent:
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
    return FileContent(application=values, units=units, signatures=signatures)
