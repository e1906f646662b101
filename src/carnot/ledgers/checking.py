"""A ledger file read as rows and checked, every error located by row and column."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from python_calamine import CalamineWorkbook

from carnot.common.french import (
    InvalidInput,
    bounded_text,
    cell_text,
    folded_key,
    is_blank,
    parse_date,
    parse_non_negative_money,
    parse_year,
    parse_yes_no,
)
from carnot.common.sheets import SheetError
from carnot.common.sql import chunks
from carnot.ledgers.cells import _Identifier, _identifier, parse_category, parse_headcount
from carnot.ledgers.format import (
    ALIASES,
    BALANCE_SHEET,
    CATEGORY,
    CATEGORY_YEAR,
    CIFRE,
    COLUMN_BY_KEY,
    COMPANY_SIZES,
    FOREIGN,
    HEADCOUNT,
    IDENTIFIER,
    IN_THEME,
    INVOICED_HEADER,
    MAX_BYTES,
    MAX_REFERENCE,
    MAX_ROWS,
    PARTNER,
    PROGRESS_EVERY,
    REFERENCE,
    RNSR,
    SIGNED_ON,
    TOTAL,
    TURNOVER,
    LedgerRejected,
    Progress,
)
from carnot.registry.models import Unit
from carnot.rules.admissibility import rnsr_is_well_formed
from carnot.rules.contracts import CATEGORY_LABELS
from carnot.rules.domain import PartnerCategory
from carnot.rules.money import Cents, format_euros
from carnot.rules.parameters import ParameterError
from carnot.rules.partners import CategoryVerdict, partner_category_from_figures

if TYPE_CHECKING:
    pass


# --- The file as rows ------------------------------------------------------------------------


def _rows(content: bytes, filename: str) -> tuple[str | None, list[list[Any]]]:
    """The sheet's name (None for CSV) and its rows, header first."""
    if filename.casefold().endswith((".xlsx", ".xlsm", ".xls", ".ods")) or content[:2] == b"PK":
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            name = workbook.sheet_names[0]
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises its own errors for any unreadable file
            raise LedgerRejected([SheetError(None, None, None, "Fichier illisible : ni un "
                                             "classeur XLSX ni un CSV valide.")]) from exc
        return name, [list(row) for row in rows]
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise LedgerRejected([SheetError(None, None, None, "Encodage inconnu (UTF-8 ou "
                                         "Windows-1252 attendu).")])
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    return None, [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


# --- Checking every row ----------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    unit: Unit
    reference: str
    partner_name: str
    partner_key: str
    siren: str
    siret: str
    foreign: str
    category: PartnerCategory
    category_year: int
    derived: CategoryVerdict | None
    headcount: int | None
    turnover_cents: Cents | None
    balance_sheet_cents: Cents | None
    total_cents: Cents
    signed_on: date
    cifre: bool
    in_theme: bool
    invoiced: dict[int, Cents] = field(default_factory=dict)


MEMO_COLUMNS = (PARTNER, IDENTIFIER, FOREIGN, CATEGORY, CATEGORY_YEAR, HEADCOUNT, TURNOVER,
                BALANCE_SHEET, SIGNED_ON, CIFRE, IN_THEME)
"""Columns whose values repeat along a ledger (not the references, nor most amounts)."""
_UNREAD = object()


class _Checker:
    """Reads the rows and collects every error, located as the user sees it."""

    def __init__(self, sheet: str | None, header: list[Any], fixed_unit: Unit | None) -> None:
        self.sheet = sheet
        self.errors: list[SheetError] = []
        self.fixed_unit = fixed_unit
        self.allowed: frozenset[str] | None = None
        """The RNSRs a consortium's ledger may list (None: any unit of the directory)."""
        self.columns: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        self.invoiced_columns: dict[int, tuple[int, str]] = {}
        self._read_header(header)
        self.units: dict[str, Unit] = {}
        self.memos: dict[str, dict[object, Any]] = {column: {} for column in MEMO_COLUMNS}
        """Per column, each raw value already read and what it gave (a value or its refusal):
        partners, dates, categories and yes/no repeat along a ledger."""

    def error(self, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(SheetError(self.sheet, line, column, message))

    def _read_header(self, header: list[Any]) -> None:
        for index, raw in enumerate(header):
            if is_blank(raw):
                continue
            typed = cell_text(raw)
            year_match = INVOICED_HEADER.match(folded_key(raw, keep_years=True))
            if year_match:
                year = int(year_match.group(1))
                if year in self.invoiced_columns:
                    self.error(1, typed, f"Colonne en double : facturé {year}.")
                self.invoiced_columns[year] = (index, typed)
                continue
            column = COLUMN_BY_KEY.get(folded_key(raw))
            if column is None:
                self.error(1, typed, "Colonne inconnue (attendu : "
                           f"{', '.join(ALIASES)}, et « Facturé AAAA » par année).")
            elif column in self.columns:
                self.error(1, typed, f"Colonne en double : « {column} ».")
            else:
                self.columns[column] = index
                self.headers[column] = typed
        required = [REFERENCE, PARTNER, TOTAL, SIGNED_ON]
        if self.fixed_unit is None:
            required.insert(0, RNSR)
        for column in required:
            if column not in self.columns:
                self.error(1, None, f"Colonne « {column} » absente.")
        if IDENTIFIER not in self.columns and FOREIGN not in self.columns:
            self.error(1, None, f"Colonne « {IDENTIFIER} » (ou « {FOREIGN} ») absente.")
        if CATEGORY not in self.columns and HEADCOUNT not in self.columns:
            self.error(1, None, f"Colonne « {CATEGORY} » absente (ou colonnes « {HEADCOUNT} », "
                       f"« {TURNOVER} », « {BALANCE_SHEET} » pour la déduire ; FAQ-3.2).")

    def cell(self, row: list[Any], column: str) -> Any:
        index = self.columns.get(column)
        if index is None or index >= len(row):
            return None
        return row[index]

    def read(self, line: int, row: list[Any], column: str, read: Callable[[Any], Any],
             required: bool = False) -> Any:
        """The cell of ``column`` read by ``read`` (a pure function of the cell), or None with
        its error recorded."""
        index = self.columns.get(column)
        raw = row[index] if index is not None and index < len(row) else None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.error(line, self.headers.get(column, column),
                           f"Cellule vide : « {column} » est obligatoire.")
            return None
        memo = self.memos.get(column)
        if memo is None:
            try:
                return read(raw)
            except InvalidInput as refused:
                self.error(line, self.headers.get(column, column), str(refused))
                return None
        key = raw if type(raw) is str else (type(raw), raw)  # 1, 1.0 and True read apart
        found = memo.get(key, _UNREAD)
        if found is _UNREAD:
            try:
                found = read(raw)
            except InvalidInput as refused:
                found = refused
            memo[key] = found
        if isinstance(found, InvalidInput):
            self.error(line, self.headers.get(column, column), str(found))
            return None
        return found

    def load_units(self, rows: Iterable[list[Any]]) -> None:
        if self.fixed_unit is not None:
            self.units = {self.fixed_unit.rnsr: self.fixed_unit}
            return
        rnsrs = {cell_text(self.cell(row, RNSR)).replace(" ", "").upper() for row in rows}
        rnsrs.discard("")
        found: dict[str, Unit] = {}
        chosen = sorted(rnsrs)
        for batch in chunks(chosen):
            found.update({unit.rnsr: unit for unit in Unit.objects.filter(rnsr__in=batch)})
        self.units = found

    def unit(self, line: int, row: list[Any]) -> Unit | None:
        raw = self.cell(row, RNSR)
        header = self.headers.get(RNSR, RNSR)
        if self.fixed_unit is not None and is_blank(raw):
            return self.fixed_unit
        if is_blank(raw):
            self.error(line, header, "Cellule vide : « RNSR » est obligatoire.")
            return None
        rnsr = cell_text(raw).replace(" ", "").upper()
        if not rnsr_is_well_formed(rnsr):
            self.error(line, header, f"« {cell_text(raw)} » n'est pas un numéro RNSR (neuf "
                       "chiffres dont une année, puis une lettre majuscule ; FAQ-2.18).")
            return None
        if self.fixed_unit is not None and rnsr != self.fixed_unit.rnsr:
            self.error(line, header, f"RNSR « {rnsr} » : ce fichier est le registre de l'unité "
                       f"{self.fixed_unit.rnsr}.")
            return None
        if self.allowed is not None and rnsr not in self.allowed:
            self.error(line, header, f"RNSR « {rnsr} » : unité non déclarée par la candidature ; "
                       "le registre d'un consortium ne porte que sur ses unités.")
            return None
        unit = self.units.get(rnsr)
        if unit is None:
            self.error(line, header, f"RNSR « {rnsr} » inconnu du référentiel des unités.")
        return unit

    def check(self, line: int, row: list[Any]) -> _Row | None:
        errors_before = len(self.errors)
        unit = self.unit(line, row)
        reference = self.read(line, row, REFERENCE, lambda v: bounded_text(v, MAX_REFERENCE), True)
        name = self.read(line, row, PARTNER, bounded_text, True)
        identifier: _Identifier | None = self.read(line, row, IDENTIFIER, _identifier)
        foreign = self.read(line, row, FOREIGN, lambda v: bounded_text(v, 100)) or ""
        if identifier is None and not foreign and is_blank(self.cell(row, IDENTIFIER)):
            self.error(line, self.headers.get(IDENTIFIER, IDENTIFIER),
                       f"Cellule vide : un SIREN/SIRET (ou, pour un partenaire étranger, « "
                       f"{FOREIGN} ») est obligatoire.")
        total = self.read(line, row, TOTAL, parse_non_negative_money, True)
        signed_on: date | None = self.read(line, row, SIGNED_ON, parse_date, True)
        cifre = self.read(line, row, CIFRE, parse_yes_no)
        in_theme = self.read(line, row, IN_THEME, parse_yes_no)
        category_year = self.read(line, row, CATEGORY_YEAR, parse_year)
        if category_year is None and signed_on is not None:
            category_year = signed_on.year  # open question 8: as established for the signature
        declared = self.read(line, row, CATEGORY, parse_category)
        headcount = self.read(line, row, HEADCOUNT, parse_headcount)
        turnover = self.read(line, row, TURNOVER, parse_non_negative_money)
        balance = self.read(line, row, BALANCE_SHEET, parse_non_negative_money)
        invoiced: dict[int, Cents] = {}
        for year, (index, header) in sorted(self.invoiced_columns.items()):
            raw = row[index] if index < len(row) else None
            if is_blank(raw):
                continue
            try:
                invoiced[year] = parse_non_negative_money(raw)
            except InvalidInput as refused:
                self.error(line, header, str(refused))
                continue
            if signed_on is not None and year < signed_on.year:
                self.error(line, header, f"Facturé en {year}, avant l'année de signature "
                           f"({signed_on:%d/%m/%Y}) : un contrat ne facture qu'une fois signé.")
        if total is not None and sum(invoiced.values()) > total:
            self.error(line, self.headers[TOTAL], f"Le total facturé "
                       f"({format_euros(sum(invoiced.values()))}) dépasse le montant total du "
                       f"contrat ({format_euros(total)}).")
        category, derived = self._category(line, declared, headcount, turnover, balance,
                                           category_year)
        if len(self.errors) > errors_before:
            return None
        assert unit is not None and reference and name and total is not None
        assert signed_on is not None and category is not None and category_year is not None
        siren = identifier.siren if identifier else ""
        return _Row(
            line=line, unit=unit, reference=reference, partner_name=name,
            partner_key=siren or f"ext:{foreign.casefold()}", siren=siren,
            siret=identifier.siret if identifier else "", foreign=foreign, category=category,
            category_year=category_year, derived=derived, headcount=headcount,
            turnover_cents=turnover, balance_sheet_cents=balance, total_cents=total,
            signed_on=signed_on, cifre=bool(cifre), in_theme=True if in_theme is None
            else in_theme, invoiced=invoiced)

    def _category(self, line: int, declared: PartnerCategory | None, headcount: int | None,
                  turnover: Cents | None, balance: Cents | None, year: int | None,
                  ) -> tuple[PartnerCategory | None, CategoryVerdict | None]:
        """The declared category, or the one derived from the figures (FAQ-3.2, décret
        2008-1354); a declared company size that the figures contradict is refused."""
        header = self.headers.get(CATEGORY, CATEGORY)
        has_figures = not (headcount is None and turnover is None and balance is None)
        if year is None or not has_figures:
            if declared is None and _is_blank_category(self, line):
                self.error(line, header, "Cellule vide : la catégorie est obligatoire, ou "
                           f"les colonnes « {HEADCOUNT} » et « {TURNOVER} » ou « "
                           f"{BALANCE_SHEET} » pour la déduire (FAQ-3.2).")
            return declared, None
        try:
            verdict = partner_category_from_figures(headcount=headcount, turnover_cents=turnover,
                                                    balance_sheet_cents=balance, year=year)
        except ParameterError as exc:
            self.error(line, self.headers.get(CATEGORY_YEAR, CATEGORY_YEAR), str(exc))
            return declared, None
        if declared is None:
            if verdict.category is None:
                self.error(line, header, f"Catégorie vide et non déductible des chiffres : "
                           f"{verdict.message}")
            return verdict.category, verdict
        if declared in COMPANY_SIZES and verdict.category not in (None, declared):
            self.error(line, header, f"Catégorie « {CATEGORY_LABELS[declared]} » contredite "
                       f"par les chiffres : {verdict.message}")
        return declared, verdict if declared in COMPANY_SIZES else None


def _is_blank_category(checker: _Checker, line: int) -> bool:
    """True when the category cell was empty (an unknown one already has its error)."""
    return not any(error.row == line and error.column == checker.headers.get(CATEGORY)
                   for error in checker.errors)


def megabytes(size: int) -> str:
    """A file size as French users read it: ``64 Mo`` (mebibytes, as their system shows)."""
    return f"{size / (1024 * 1024):.3g} Mo".replace(".", ",")


def too_big(size: int) -> str:
    """The refusal of a ledger file over ``MAX_BYTES``, in French."""
    return f"Fichier trop gros ({megabytes(size)} ; au plus {megabytes(MAX_BYTES)})."


def _check_file(content: bytes, filename: str, unit: Unit | None,
                progress: Progress | None, units: Iterable[Unit] | None = None) -> list[_Row]:
    if len(content) > MAX_BYTES:
        raise LedgerRejected([SheetError(None, None, None, too_big(len(content)))])
    sheet, rows = _rows(content, filename)
    while rows and all(is_blank(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise LedgerRejected([SheetError(sheet, None, None, "Fichier vide : aucune ligne "
                                         "d'en-tête.")])
    if len(rows) - 1 > MAX_ROWS:
        raise LedgerRejected([SheetError(sheet, None, None, f"Trop de lignes ({len(rows) - 1} "
                                         f"; au plus {MAX_ROWS}).")])
    checker = _Checker(sheet, rows[0], unit)
    if units is not None:
        checker.allowed = frozenset(allowed.rnsr for allowed in units)
    if checker.errors:
        raise LedgerRejected(checker.errors)
    body = rows[1:]
    checker.load_units(body)
    checked: list[_Row] = []
    seen: dict[tuple[int, str], int] = {}
    partners: dict[tuple[str, int], tuple[int, PartnerCategory]] = {}
    total = len(body)
    for line, row in enumerate(body, start=2):
        if progress is not None and (line - 2) % PROGRESS_EVERY == 0:
            progress(line - 2, total)
        if (not row or is_blank(row[0])) and all(is_blank(cell) for cell in row):
            continue
        found = checker.check(line, row)
        if found is None:
            continue
        key = (found.unit.pk, found.reference)
        if key in seen:
            checker.error(line, checker.headers[REFERENCE], f"Contrat « {found.reference} » "
                          f"de l'unité {found.unit.rnsr} déjà listé ligne {seen[key]}.")
            continue
        seen[key] = line
        same_year = partners.setdefault((found.partner_key, found.category_year),
                                        (line, found.category))
        if same_year[1] is not found.category:
            checker.error(line, checker.headers.get(CATEGORY, CATEGORY),
                          f"Le partenaire « {found.partner_name} » est « "
                          f"{CATEGORY_LABELS[same_year[1]]} » ligne {same_year[0]} pour la "
                          f"même année {found.category_year} (question ouverte 8).")
            continue
        checked.append(found)
    if checker.errors:
        raise LedgerRejected(checker.errors)
    if progress is not None:
        progress(total, total)
    return checked


