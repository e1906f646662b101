"""Writes on contract ledgers: the import of a unit's or a consortium's ledger (CSV or XLSX).

Import is atomic: every row is read and checked first, and the file is refused whole
(``LedgerRejected``, every error located by row and column as the user sees them, naming the rule
where one applies) when one cell is wrong; otherwise, in one transaction, partners, contracts and
invoiced amounts become the file's. The file is the ledger of the contracts it lists: their
invoiced years become exactly the file's; contracts it does not list are left alone. Contracts
are identified by (unit, reference): re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import orjson
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from python_calamine import CalamineWorkbook
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from carnot.accounts.permissions import is_officer
from carnot.applications.models import Application
from carnot.applications.services import ServiceError
from carnot.applications.spreadsheet import (
    SheetError,
    SpreadsheetRejected,
    _is_blank,
    _key,
    _text,
)
from carnot.funding.inputs import allocation_inputs
from carnot.funding.models import (
    AllocationLine,
    AllocationRun,
    AllocationStatus,
    Expenditure,
    ExpenditureCategory,
    Grant,
    InvoicedAmount,
    LedgerImport,
    Partner,
    ResearchContract,
    SpendingChange,
)
from carnot.funding.permissions import coordinates_or_administers
from carnot.funding.selectors import (
    consortium_grants,
    grant_deadline,
    line_figures,
    spent_by_grant,
)
from carnot.registry.models import Call, Unit
from carnot.rules import domain
from carnot.rules.admissibility import rnsr_is_well_formed
from carnot.rules.contracts import CATEGORY_LABELS
from carnot.rules.domain import PartnerCategory
from carnot.rules.evaluation import evaluate_call, evaluation_as_dict
from carnot.rules.money import Cents, format_euros
from carnot.rules.parameters import CallParameters, ParameterError, load_call_parameters
from carnot.rules.partners import CategoryVerdict, partner_category_from_figures
from carnot.rules.verdicts import count
from carnot.scenario.loader import paused_gc

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Progress = Callable[[int, int], None]

MAX_BYTES = 64 * 1024 * 1024
"""Largest ledger accepted (a national ledger of 100,000 contracts weighs about 15 MB)."""
MAX_ROWS = 250_000
MAX_TEXT = 255
MAX_REFERENCE = 100
MAX_CENTS = 10**17
"""Beyond this an amount is a typing error (and would not fit a 64-bit column)."""
PROGRESS_EVERY = 1000
BATCH = 500
"""Rows per query when reading or writing in bulk (SQLite's limit on query parameters)."""

CENT = Decimal("0.01")
MISSING_ROW = 0


class LedgerRejected(SpreadsheetRejected):
    """The ledger is refused whole; ``errors`` lists every problem, row by row."""


@dataclass(frozen=True)
class LedgerImportReport:
    """What an accepted import changed."""

    rows: int
    contracts_created: int
    contracts_updated: int
    contracts_unchanged: int
    partners_created: int
    partners_updated: int
    invoiced_written: int
    """Invoiced amounts created or changed."""
    invoiced_deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.contracts_created or self.contracts_updated or self.partners_created
                    or self.partners_updated or self.invoiced_written
                    or self.invoiced_deleted)

    def message(self) -> str:
        rows = count(self.rows, "ligne")
        if not self.changed:
            return f"Import réussi : {rows}, identiques au registre ; rien n'a changé."
        return (f"Import réussi : {rows} ; contrats : {count(self.contracts_created, 'créé')}, "
                f"{count(self.contracts_updated, 'modifié')}, "
                f"{count(self.contracts_unchanged, 'inchangé')} ; partenaires : "
                f"{count(self.partners_created, 'créé')}, {count(self.partners_updated, 'modifié')}"
                f" ; montants facturés : {count(self.invoiced_written, 'écrit')}, "
                f"{count(self.invoiced_deleted, 'retiré')}.")



# --- Columns ---------------------------------------------------------------------------------

RNSR = "RNSR"
REFERENCE = "Référence contrat"
PARTNER = "Partenaire"
IDENTIFIER = "SIREN/SIRET"
FOREIGN = "Identifiant étranger"
CATEGORY = "Catégorie"
CATEGORY_YEAR = "Année de la catégorie"
HEADCOUNT = "Effectif"
TURNOVER = "Chiffre d'affaires"
BALANCE_SHEET = "Total de bilan"
TOTAL = "Montant total HT"
SIGNED_ON = "Date de signature"
CIFRE = "CIFRE"
IN_THEME = "Dans la thématique"

ALIASES: dict[str, tuple[str, ...]] = {
    RNSR: ("rnsr", "code rnsr", "unite", "rnsr de l unite"),
    REFERENCE: ("reference contrat", "reference", "reference du contrat", "ref contrat",
                "numero de contrat", "numero contrat", "contrat"),
    PARTNER: ("partenaire", "nom du partenaire", "raison sociale", "entreprise"),
    IDENTIFIER: ("siren siret", "siren ou siret", "siren", "siret"),
    FOREIGN: ("identifiant etranger", "identifiant", "id etranger"),
    CATEGORY: ("categorie", "categorie du partenaire", "categorie partenaire"),
    CATEGORY_YEAR: ("annee de la categorie", "annee categorie", "annee de categorie"),
    HEADCOUNT: ("effectif", "effectif du groupe", "effectif groupe"),
    TURNOVER: ("chiffre d affaires", "chiffre d affaires du groupe", "ca", "ca groupe"),
    BALANCE_SHEET: ("total de bilan", "total du bilan", "bilan", "total de bilan du groupe"),
    TOTAL: ("montant total ht", "montant total", "montant ht", "montant", "montant du contrat"),
    SIGNED_ON: ("date de signature", "date signature", "signature", "signe le"),
    CIFRE: ("cifre", "these cifre"),
    IN_THEME: ("dans la thematique", "thematique", "dans la thematique oui non"),
}
COLUMN_BY_KEY = {alias: column for column, aliases in ALIASES.items() for alias in aliases}
INVOICED_HEADER = re.compile(r"^(?:montant )?factur\w*(?: ht)?(?: en)? ((?:19|20)\d\d)(?: ht)?$")

CATEGORY_BY_KEY: dict[str, PartnerCategory] = {
    **{_key(category.value): category for category in PartnerCategory},
    **{_key(label): category for category, label in CATEGORY_LABELS.items()},
    "tpe": PartnerCategory.MICRO, "micro entreprise": PartnerCategory.MICRO,
    "pme": PartnerCategory.SME, "eti": PartnerCategory.MIDCAP,
    "ge": PartnerCategory.LARGE, "grand groupe": PartnerCategory.LARGE,
    "grande entreprise": PartnerCategory.LARGE,
    "collectivite": PartnerCategory.LOCAL_AUTHORITY,
    "collectivite territoriale": PartnerCategory.LOCAL_AUTHORITY,
    "crt": PartnerCategory.CRT_MEMBER, "crt membre": PartnerCategory.CRT_MEMBER,
    "autre": PartnerCategory.OTHER,
}
COMPANY_SIZES = (PartnerCategory.MICRO, PartnerCategory.SME, PartnerCategory.MIDCAP,
                 PartnerCategory.LARGE)
YES_NO = {"oui": True, "o": True, "yes": True, "vrai": True, "true": True, "1": True, "x": True,
          "false": False,
          "non": False, "n": False, "no": False, "faux": False, "0": False}


def _fold_with_years(text: object) -> str:
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    folded = re.sub(r"\([^)]*\)", " ", folded.casefold())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


# --- Reading cells ---------------------------------------------------------------------------


class _Invalid(Exception):
    """A cell refused: the reason, in French."""


InvalidValue = _Invalid
"""What ``parse_money`` and ``parse_date`` raise, for the forms and the API that reuse them."""


AMOUNT_NOISE = str.maketrans("", "", " \u00a0\u202f€")
PLAIN_AMOUNT = re.compile(r"(\d{1,15})(?:[.,](\d{1,2}))?")
"""Digits, then at most one separator and cents: what most amount cells are once spaces and « € »
are removed (read as the general case reads them, without its cost)."""


def parse_money(value: object) -> Cents:
    """An amount in euros as cents: « 45 000,00 € », « 45000.5 », « 45.000,00 », a number cell;
    refused with more decimals than cents. The sign is kept (the caller refuses negatives)."""
    if type(value) is str:  # the usual cell, read without Decimal: « 45 000,00 € », « 45000.5 »
        plain = PLAIN_AMOUNT.fullmatch(value.translate(AMOUNT_NOISE))
        if plain is not None:
            euros, fraction = plain.groups()
            return int(euros) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)
    if isinstance(value, bool):
        raise _Invalid("Montant attendu, pas « oui/non ».")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        typed = _text(value)
        compact = re.sub(r"\s|€|(?i:eur(?:os?)?)|'", "", typed)
        if "," in compact and "." in compact:
            thousands = "." if compact.rfind(",") > compact.rfind(".") else ","
            compact = compact.replace(thousands, "")
        elif compact.count(".") > 1:
            compact = compact.replace(".", "")
        compact = compact.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", compact):
            raise _Invalid(f"« {typed} » n'est pas un montant (ex. 45 000,00 €).")
        try:
            amount = Decimal(compact)
        except InvalidOperation as exc:
            raise _Invalid(f"« {typed} » n'est pas un montant (ex. 45 000,00 €).") from exc
    if not amount.is_finite():
        raise _Invalid("Montant attendu.")
    rounded = amount.quantize(CENT)
    if rounded != amount:
        raise _Invalid(f"« {_text(value)} » a plus de deux décimales : un montant se donne au "
                       "centime près.")
    cents = int(rounded * 100)
    if abs(cents) >= MAX_CENTS:
        raise _Invalid(f"« {_text(value)} » : montant trop grand.")
    return cents


def _non_negative_money(value: object) -> Cents:
    cents = parse_money(value)
    if cents < 0:
        raise _Invalid(f"« {_text(value)} » : montant négatif ; un montant est positif ou nul.")
    return cents


EXCEL_EPOCH = date(1899, 12, 30)
DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
DATE_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_date(value: object) -> date:
    """JJ/MM/AAAA (or with « - » or « . »), AAAA-MM-JJ, a date cell or an Excel date number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer():
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise _Invalid(f"« {_text(value)} » n'est pas une date (JJ/MM/AAAA).")
    typed = _text(value)
    parts: tuple[int, int, int] | None = None
    if match := DATE_DMY.match(typed):
        day, month, year = (int(part) for part in match.groups())
        parts = (year, month, day)
    elif match := DATE_YMD.match(typed):
        year, month, day = (int(part) for part in match.groups())
        parts = (year, month, day)
    elif typed.isdigit() and 1 <= int(typed) < 2958466:
        return EXCEL_EPOCH + timedelta(days=int(typed))
    if parts is None:
        raise _Invalid(f"« {typed} » n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ).")
    try:
        return date(*parts)
    except ValueError as exc:
        raise _Invalid(f"« {typed} » : cette date n'existe pas.") from exc


def parse_yes_no(value: object) -> bool:
    """« oui »/« non » (and their usual spellings) as a boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        value = _text(value)
    found = YES_NO.get(_key(value))
    if found is None:
        raise _Invalid(f"« {_text(value)} » : « oui » ou « non » attendu.")
    return found


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise _Invalid(f"{what} : nombre entier attendu.")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    typed = _text(value)
    compact = re.sub(r"\s", "", typed)
    if not re.fullmatch(r"[+-]?\d+", compact):
        raise _Invalid(f"« {typed} » : {what} : nombre entier attendu.")
    return int(compact)


def _year(value: object) -> int:
    year = _whole(value, "année")
    if not 1900 <= year <= 2100:
        raise _Invalid(f"« {_text(value)} » n'est pas une année (AAAA).")
    return year


def _headcount(value: object) -> int:
    headcount = _whole(value, "effectif")
    if headcount < 0:
        raise _Invalid(f"« {_text(value)} » : un effectif est positif ou nul.")
    return headcount


def parse_category(value: object) -> PartnerCategory:
    """A partner category as a person writes it (« PME », « ETI », « collectivité »…)."""
    found = CATEGORY_BY_KEY.get(_key(value))
    if found is None:
        raise _Invalid(f"« {_text(value)} » : catégorie inconnue (attendu : TPE, PME, ETI, GE, "
                       "collectivité, CRT ou autre ; FAQ-3.2).")
    return found


def _bounded(value: object, limit: int = MAX_TEXT) -> str:
    typed = _text(value)
    if len(typed) > limit:
        raise _Invalid(f"Texte trop long ({len(typed)} caractères ; au plus {limit}).")
    return typed


@dataclass(frozen=True)
class _Identifier:
    siren: str
    siret: str


def _identifier(value: object) -> _Identifier:
    """A SIREN (9 digits) or SIRET (14 digits), both with their Luhn key (python-stdnum)."""
    typed = _text(value)
    digits = re.sub(r"[\s.-]", "", typed)
    if isinstance(value, int | float) and not isinstance(value, bool) and digits.isdigit():
        # A number cell lost its leading zeros: give them back.
        digits = digits.zfill(9) if len(digits) <= 9 else digits.zfill(14)
    if len(digits) == 9:
        try:
            return _Identifier(stdnum_siren.validate(digits), "")
        except StdnumError as exc:
            raise _Invalid(f"« {typed} » n'est pas un SIREN valide (9 chiffres, clé de Luhn)."
                           ) from exc
    if len(digits) == 14:
        try:
            number = stdnum_siret.validate(digits)
        except StdnumError as exc:
            raise _Invalid(f"« {typed} » n'est pas un SIRET valide (14 chiffres, clé de Luhn)."
                           ) from exc
        return _Identifier(number[:9], number)
    raise _Invalid(f"« {typed} » n'est ni un SIREN (9 chiffres) ni un SIRET (14 chiffres).")


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
            if _is_blank(raw):
                continue
            typed = _text(raw)
            year_match = INVOICED_HEADER.match(_fold_with_years(raw))
            if year_match:
                year = int(year_match.group(1))
                if year in self.invoiced_columns:
                    self.error(1, typed, f"Colonne en double : facturé {year}.")
                self.invoiced_columns[year] = (index, typed)
                continue
            column = COLUMN_BY_KEY.get(_key(raw))
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
            except _Invalid as refused:
                self.error(line, self.headers.get(column, column), str(refused))
                return None
        key = raw if type(raw) is str else (type(raw), raw)  # 1, 1.0 and True read apart
        found = memo.get(key, _UNREAD)
        if found is _UNREAD:
            try:
                found = read(raw)
            except _Invalid as refused:
                found = refused
            memo[key] = found
        if isinstance(found, _Invalid):
            self.error(line, self.headers.get(column, column), str(found))
            return None
        return found

    def load_units(self, rows: Iterable[list[Any]]) -> None:
        if self.fixed_unit is not None:
            self.units = {self.fixed_unit.rnsr: self.fixed_unit}
            return
        rnsrs = {_text(self.cell(row, RNSR)).replace(" ", "").upper() for row in rows}
        rnsrs.discard("")
        found: dict[str, Unit] = {}
        chosen = sorted(rnsrs)
        for start in range(0, len(chosen), BATCH):
            found.update({unit.rnsr: unit for unit in
                          Unit.objects.filter(rnsr__in=chosen[start:start + BATCH])})
        self.units = found

    def unit(self, line: int, row: list[Any]) -> Unit | None:
        raw = self.cell(row, RNSR)
        header = self.headers.get(RNSR, RNSR)
        if self.fixed_unit is not None and _is_blank(raw):
            return self.fixed_unit
        if _is_blank(raw):
            self.error(line, header, "Cellule vide : « RNSR » est obligatoire.")
            return None
        rnsr = _text(raw).replace(" ", "").upper()
        if not rnsr_is_well_formed(rnsr):
            self.error(line, header, f"« {_text(raw)} » n'est pas un numéro RNSR (neuf chiffres "
                       "dont une année, puis une lettre majuscule ; FAQ-2.18).")
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
        reference = self.read(line, row, REFERENCE, lambda v: _bounded(v, MAX_REFERENCE), True)
        name = self.read(line, row, PARTNER, _bounded, True)
        identifier: _Identifier | None = self.read(line, row, IDENTIFIER, _identifier)
        foreign = self.read(line, row, FOREIGN, lambda v: _bounded(v, 100)) or ""
        if identifier is None and not foreign and _is_blank(self.cell(row, IDENTIFIER)):
            self.error(line, self.headers.get(IDENTIFIER, IDENTIFIER),
                       f"Cellule vide : un SIREN/SIRET (ou, pour un partenaire étranger, « "
                       f"{FOREIGN} ») est obligatoire.")
        total = self.read(line, row, TOTAL, _non_negative_money, True)
        signed_on: date | None = self.read(line, row, SIGNED_ON, parse_date, True)
        cifre = self.read(line, row, CIFRE, parse_yes_no)
        in_theme = self.read(line, row, IN_THEME, parse_yes_no)
        category_year = self.read(line, row, CATEGORY_YEAR, _year)
        if category_year is None and signed_on is not None:
            category_year = signed_on.year  # open question 8: as established for the signature
        declared = self.read(line, row, CATEGORY, parse_category)
        headcount = self.read(line, row, HEADCOUNT, _headcount)
        turnover = self.read(line, row, TURNOVER, _non_negative_money)
        balance = self.read(line, row, BALANCE_SHEET, _non_negative_money)
        invoiced: dict[int, Cents] = {}
        for year, (index, header) in sorted(self.invoiced_columns.items()):
            raw = row[index] if index < len(row) else None
            if _is_blank(raw):
                continue
            try:
                invoiced[year] = _non_negative_money(raw)
            except _Invalid as refused:
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
    while rows and all(_is_blank(cell) for cell in rows[-1]):
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
        if (not row or _is_blank(row[0])) and all(_is_blank(cell) for cell in row):
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


# --- Writing ---------------------------------------------------------------------------------


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


PARTNER_FIELDS = ("name", "siren", "siret", "foreign_identifier", "category", "category_year",
                  "headcount", "turnover_cents", "balance_sheet_cents", "category_derived",
                  "category_reason")
CONTRACT_FIELDS = ("partner_id", "total_cents", "signed_on", "cifre", "in_theme",
                   "partner_category", "partner_category_year")
INVOICED_FIELDS = ("contract_id", "year", "amount_cents")

# Rows are written by plain SQL — multi-row INSERTs, UPDATEs by ``executemany`` — rather than
# the ORM's ``bulk_create``/``bulk_update``, which build the SQL of every value of every object
# in Python and cost several times the writes themselves on a large ledger (benchmark:
# bench/bench_ledger_import.py). Values are plain Python values already checked; dates go
# through the backend's adapter; tables and columns come from the models, and the database's
# constraints still apply.


def _quoted_columns(model: type[Model], names: Iterable[str]) -> list[str]:
    """The columns of ``model``'s fields (by attribute name: ``partner_id``), quoted."""
    columns = {field.attname: field.column for field in model._meta.concrete_fields}
    return [connection.ops.quote_name(str(columns[name])) for name in names]


def _insert(model: type[Model], names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """INSERT ``rows`` (values in the order of ``names``) into ``model``'s table, many rows a
    statement (as many as the backend takes parameters: 999 on SQLite)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_quoted_columns(model, names))
    one = f"({', '.join(['%s'] * len(names))})"
    limit = connection.features.max_query_params
    size = max(1, min(BATCH, limit // len(names))) if limit else BATCH
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            values = ", ".join([one] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}",
                           [value for row in chunk for value in row])


def _update(model: type[Model], names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE by primary key: each row is the values of ``names``, then the key."""
    if not rows:
        return
    assignments = ", ".join(f"{column} = %s" for column in _quoted_columns(model, names))
    (key,) = _quoted_columns(model, [model._meta.pk.attname])
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET "
                           f"{assignments} WHERE {key} = %s", rows)


def _partner_values(row: _Row) -> tuple[Any, ...]:
    """The values of ``PARTNER_FIELDS`` that a row gives its partner."""
    return (row.partner_name, row.siren, row.siret, row.foreign, row.category.value,
            row.category_year, row.headcount, row.turnover_cents, row.balance_sheet_cents,
            row.derived is not None and row.derived.category is not None,
            row.derived.message if row.derived is not None else "")


def _write_partners(rows: list[_Row]) -> tuple[dict[str, int], int, int]:
    """Each partner takes the values of its row with the latest category year (the first such
    row); returns the partners' ids by key, and how many were created and updated."""
    latest: dict[str, _Row] = {}
    for row in rows:
        kept = latest.get(row.partner_key)
        if kept is None or row.category_year > kept.category_year:
            latest[row.partner_key] = row
    stored: dict[str, tuple[Any, ...]] = {}
    for keys in _chunks(sorted(latest)):
        stored.update((found[0], found[1:]) for found in Partner.objects.filter(
            key__in=keys).values_list("key", "pk", *PARTNER_FIELDS))
    created, changed = [], []
    for key, row in latest.items():
        values = _partner_values(row)
        before = stored.get(key)
        if before is None:
            created.append((key, *values))
        elif before[1:] != values:
            changed.append((*values, before[0]))
    _insert(Partner, ("key", *PARTNER_FIELDS), created)
    _update(Partner, PARTNER_FIELDS, changed)
    ids = {key: before[0] for key, before in stored.items()}
    for keys in _chunks([new[0] for new in created]):
        ids.update(Partner.objects.filter(key__in=keys).values_list("key", "pk"))
    return ids, len(created), len(changed)


def _contract_ids(references: dict[int, list[str]], *fields: str,
                  ) -> dict[tuple[int, str], tuple[Any, ...]]:
    """Stored contracts among ``references`` (by unit id): (unit id, reference) → (id, fields).
    Read unit by unit (a few queries, without a reference list each)."""
    wanted = {(unit_id, reference) for unit_id, listed in references.items()
              for reference in listed}
    found: dict[tuple[int, str], tuple[Any, ...]] = {}
    for units in _chunks(sorted(references)):
        for stored in ResearchContract.objects.filter(unit_id__in=units).values_list(
                "unit_id", "reference", "pk", *fields):
            if (key := (stored[0], stored[1])) in wanted:
                found[key] = stored[2:]
    return found


def _write(rows: list[_Row]) -> tuple[int, int, int, int, int, int, int]:
    partner_ids, partners_created, partners_updated = _write_partners(rows)
    by_unit: dict[int, list[str]] = {}
    for row in rows:
        by_unit.setdefault(row.unit.pk, []).append(row.reference)
    stored = _contract_ids(by_unit, *CONTRACT_FIELDS)
    adapt_date = connection.ops.adapt_datefield_value
    created, changed, unchanged = [], [], 0
    new_by_unit: dict[int, list[str]] = {}
    for row in rows:
        values = (partner_ids[row.partner_key], row.total_cents, row.signed_on, row.cifre,
                  row.in_theme, row.category.value, row.category_year)
        before = stored.get((row.unit.pk, row.reference))
        if before is None:
            created.append((row.unit.pk, row.reference, values[0], values[1],
                            adapt_date(row.signed_on), *values[3:]))
            new_by_unit.setdefault(row.unit.pk, []).append(row.reference)
        elif before[1:] != values:
            changed.append((*values[:2], adapt_date(row.signed_on), *values[3:], before[0]))
        else:
            unchanged += 1
    _insert(ResearchContract, ("unit_id", "reference", *CONTRACT_FIELDS), created)
    _update(ResearchContract, CONTRACT_FIELDS, changed)
    ids = {key: before[0] for key, before in stored.items()}
    ids.update((key, found[0]) for key, found in _contract_ids(new_by_unit).items())
    written, deleted = _write_invoiced(rows, ids, {before[0] for before in stored.values()})
    return (len(created), len(changed), unchanged, partners_created, partners_updated, written,
            deleted)


def _write_invoiced(rows: list[_Row], contract_ids: dict[tuple[int, str], int],
                    existing_ids: set[int]) -> tuple[int, int]:
    """The invoiced amounts of the listed contracts become exactly the file's."""
    stored: dict[tuple[int, int], tuple[int, Cents]] = {}
    for chunk in _chunks(sorted(existing_ids)):
        stored.update(((contract_id, year), (pk, cents)) for contract_id, year, pk, cents in
                      InvoicedAmount.objects.filter(contract_id__in=chunk)
                      .values_list("contract_id", "year", "pk", "amount_cents"))
    wanted: set[tuple[int, int]] = set()
    created, changed = [], []
    for row in rows:
        contract_id = contract_ids[(row.unit.pk, row.reference)]
        for year, cents in row.invoiced.items():
            key = (contract_id, year)
            wanted.add(key)
            before = stored.get(key)
            if before is None:
                created.append((contract_id, year, cents))
            elif before[1] != cents:
                changed.append((cents, before[0]))
    removed = [pk for key, (pk, _) in stored.items() if key not in wanted]
    _insert(InvoicedAmount, INVOICED_FIELDS, created)
    _update(InvoicedAmount, ("amount_cents",), changed)
    for chunk in _chunks(removed):
        InvoicedAmount.objects.filter(pk__in=chunk).delete()
    return len(created) + len(changed), len(removed)


def ledger_import(*, content: bytes, filename: str, by: User, unit: Unit | None = None,
                  progress: Progress | None = None,
                  units: Iterable[Unit] | None = None) -> LedgerImportReport:
    """Import a ledger (CSV or XLSX): every row checked first, then all written, or nothing.

    ``unit`` fixes the unit of every row (a unit's own ledger; the RNSR column may then be left
    out). ``units`` restricts the rows to those units (a consortium's ledger: the units its
    application declares); a row of any other unit is an error. ``progress(done, total)`` is
    called while the rows are checked. Raises ``LedgerRejected`` with every error, and changes
    nothing, when one row is wrong.
    """
    rows = _check_file(content, filename, unit, progress, units)
    with transaction.atomic():
        (created, updated, unchanged, partners_created, partners_updated, written,
         deleted) = _write(rows)
        report = LedgerImportReport(
            rows=len(rows), contracts_created=created, contracts_updated=updated,
            contracts_unchanged=unchanged, partners_created=partners_created,
            partners_updated=partners_updated, invoiced_written=written,
            invoiced_deleted=deleted)
        LedgerImport.objects.create(filename=filename[:255],
                                    sha256=hashlib.sha256(content).hexdigest(), by=by,
                                    rows=len(rows), summary=report.message())
        if len(rows) >= LARGE_WRITE_ROWS:
            refresh_ledger_statistics()
    return report


LARGE_WRITE_ROWS = 10_000
"""From how many rows a write refreshes the planner's statistics of the ledgers."""


def refresh_ledger_statistics() -> None:
    """After a bulk write of ledgers, have PostgreSQL measure the ledger tables again (ANALYZE):
    it plans the national reads (``national_contracts``) from its statistics, and with the sizes
    of before the write it can choose nested loops that take minutes instead of a second.
    Autovacuum would only do it later, and never within the writing transaction. SQLite plans
    without statistics: nothing to do."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table)
                       for model in (Partner, ResearchContract, InvoicedAmount))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# --- The yearly allocation -------------------------------------------------------------------

ENVELOPE = "envelope"


def canonical(value: Any) -> Any:
    """A rules-domain value as plain JSON data, the same for the same value whatever the order
    it was read in: dataclasses and named tuples as objects, sets sorted, mapping keys as text,
    decimals, dates and enums as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: canonical(getattr(value, field.name))
                for field in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: canonical(getattr(value, name)) for name in value._fields}
    if isinstance(value, str | bool | int) or value is None:
        return value
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(key): canonical(item) for key, item in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((canonical(item) for item in value), key=_dumps)
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _fingerprinted(value: Any) -> Any:
    """What ``orjson`` does not write itself: named tuples (contracts) as arrays, sets sorted,
    any other mapping as an object, decimals and fractions as text."""
    if isinstance(value, tuple):
        return tuple(value)
    if isinstance(value, frozenset | set):
        return sorted(value, key=_dumps)
    if hasattr(value, "items"):
        return dict(value.items())
    return str(value)


def inputs_fingerprint(call: domain.NationalCall, params: CallParameters) -> str:
    """SHA-256 of every input of an allocation: the national call (applications, units, FTE,
    signatures, structures, PUIs), its contracts and the parameters used (values and sources),
    as canonical JSON (keys sorted, sets sorted).

    Written by ``orjson`` in one pass: a national call holds hundreds of thousands of contracts,
    and converting them to plain data first cost more than the whole evaluation."""
    document = orjson.dumps({"call": call, "parameters": params.describe()},
                            default=_fingerprinted,
                            option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS)
    return hashlib.sha256(document).hexdigest()


def _cents_as_euros(cents: Cents) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _override_errors(call: Call, overrides: dict[str, Any]) -> dict[str, str]:
    """Each of a run's overrides tried alone on the call's parameters: why it is refused (the
    rules' message, and the source of the value it replaces), by parameter name."""
    errors: dict[str, str] = {}
    try:
        base = load_call_parameters(call.year)
    except ParameterError as exc:
        raise ServiceError(f"Paramètres inutilisables : {exc}") from exc
    for name, value in overrides.items():
        try:
            base.with_overrides({**call.parameter_overrides, name: value})
        except (ParameterError, KeyError) as exc:
            source = base.entry(name).source if name in base.names() else None
            shown = "hypothèse" if source == "assumption" else source
            errors[name] = (f"Paramètres inutilisables : {exc}"
                            + (f" (source : {shown})." if shown else "."))
    return errors


def allocation_parameters(*, call: Call, envelope_cents: Cents | None = None,
                          overrides: dict[str, Any] | None = None) -> CallParameters:
    """The call's dated parameters with the call's overrides, then the run's (``overrides``, and
    the envelope when given and different from the parameter's: an envelope equal to it is no
    override, so that the same inputs give the same fingerprint). Each overridden value keeps
    the source it replaces in its trace.
    Raises ``ServiceError`` for an unknown parameter or a value the rules cannot use (each
    override is first checked on its own: the refusals are keyed by parameter name)."""
    if envelope_cents is not None and envelope_cents < 0:
        raise ServiceError({"envelope_cents": "L'enveloppe ne peut pas être négative."})
    errors = _override_errors(call, overrides or {})
    if errors:
        raise ServiceError(errors)
    merged: dict[str, Any] = {**call.parameter_overrides, **(overrides or {})}
    try:
        params = load_call_parameters(call.year)
        params = params.with_overrides(merged) if merged else params
        if envelope_cents is not None and envelope_cents != params.envelope_cents():
            params = load_call_parameters(call.year).with_overrides(
                {**merged, ENVELOPE: _cents_as_euros(envelope_cents)})
        params.envelope_cents()
    except (ParameterError, KeyError) as exc:
        raise ServiceError(f"Paramètres inutilisables : {exc}") from exc
    return params


def _plain(document: Any) -> Any:
    """JSON data as the database gives it back (so that a stored run compares equal)."""
    return orjson.loads(orjson.dumps(document, default=str, option=orjson.OPT_NON_STR_KEYS))


def allocation_run(*, call: Call, envelope_cents: Cents | None, overrides: dict[str, Any] | None,
                   by: User) -> AllocationRun:
    """Run the allocation of ``call`` (programme officers and administrators only).

    Reads the national call and its contracts, applies the call's parameters with ``overrides``
    and the envelope (``None``: the parameter's), evaluates, and stores in one transaction the
    run (next number for the call, parameters used, inputs fingerprint, results with traces —
    without the per-contract list, whose counts by rule stay in the traces) and one line per
    consortium. The same inputs give the same cents and the same fingerprint. A run is never
    changed afterwards: run again instead, and compare.
    """
    if not is_officer(by):
        raise ServiceError("Seuls les chargés de programme et les administrateurs lancent la "
                           "répartition de l'abondement.")
    params = allocation_parameters(call=call, envelope_cents=envelope_cents, overrides=overrides)
    # The cyclic GC paused as the CLI pauses it (``paused_gc``): the call and its contracts are
    # hundreds of thousands of objects without cycles, which its passes would walk again and
    # again while they are built (half the time of a national run).
    with transaction.atomic(), paused_gc():
        Call.objects.select_for_update().filter(pk=call.pk).first()
        national = allocation_inputs(call=call)
        evaluation = evaluate_call(national, params)
        results = evaluation_as_dict(evaluation, with_contracts=False)
        latest = AllocationRun.objects.filter(call=call).aggregate(latest=Max("number"))
        run = AllocationRun.objects.create(
            call=call, number=(latest["latest"] or 0) + 1,
            envelope_cents=evaluation.envelope_cents,
            parameters=_plain(params.describe()),
            inputs_fingerprint=inputs_fingerprint(national, params),
            results=_plain(results), allocated_cents=evaluation.allocated_cents,
            created_by=by)
        AllocationLine.objects.bulk_create(
            AllocationLine(run=run, application_code=result.id, name=result.application.name,
                           kind=result.application.kind.value, **line_figures(result))
            for result in evaluation.consortia)
        # Freed while the collector is still paused: resumed, it would walk them all once more.
        del national, evaluation, results
    return run


def allocation_publish(*, run: AllocationRun, by: User, supersede: bool = False,
                       ) -> AllocationRun:
    """Publish a draft run (programme officers and administrators only).

    One run is published per call. When another run of the call is already published, the
    publication is refused unless ``supersede`` is given: the published run then becomes
    « remplacée » (its figures and publication record are kept) and this one is published, in
    one transaction. Only a draft may be published; a superseded run stays superseded.
    """
    if not is_officer(by):
        raise ServiceError("Seuls les chargés de programme et les administrateurs publient la "
                           "répartition de l'abondement.")
    with transaction.atomic():
        current = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if current.status != AllocationStatus.DRAFT:
            raise ServiceError(f"La répartition n° {current.number} est « "
                               f"{current.get_status_display()} » : seul un brouillon se "
                               "publie.")
        published = AllocationRun.objects.select_for_update().filter(
            call_id=current.call_id, status=AllocationStatus.PUBLISHED).first()
        if published is not None:
            if not supersede:
                raise ServiceError(
                    f"La répartition n° {published.number} est déjà publiée pour cet appel ; "
                    "publier celle-ci la remplace (à confirmer explicitement).")
            AllocationRun.objects.filter(pk=published.pk).update(
                status=AllocationStatus.SUPERSEDED)
        AllocationRun.objects.filter(pk=current.pk).update(
            status=AllocationStatus.PUBLISHED, published_at=timezone.now(), published_by=by)
    run.refresh_from_db()
    return run


# --- Five-year spending (FAQ-4.1) ------------------------------------------------------------

def _spending_record(application: Application, by: User, what: str, old: str, new: str) -> None:
    SpendingChange.objects.create(application=application, by=by, what=what, old=old, new=new)


def grants_from_published_run(*, run: AllocationRun, by: User) -> list[Grant]:
    """Turn a published run into each consortium's grant of the call's year (programme officers
    and administrators only); returns the grants of the run's lines, in the run's order.

    Idempotent: a grant already made from this run is left alone. A draft or superseded run is
    refused. When a superseding run is published, its lines replace the grants of the year (and
    a consortium it no longer lists gets 0), each change in the history — unless more was already
    spent on a vintage than its new amount: then nothing changes and the service refuses. A line
    of 0 € makes no grant for a consortium that had none.
    """
    if not is_officer(by):
        raise ServiceError("Seuls les chargés de programme et les administrateurs "
                           "enregistrent les abondements.")
    year = run.call.year
    with transaction.atomic():
        current = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if current.status != AllocationStatus.PUBLISHED:
            raise ServiceError(f"La répartition n° {current.number} est « "
                               f"{current.get_status_display()} » : seule la répartition "
                               "publiée donne les abondements.")
        lines = list(current.lines.order_by("application_code"))
        applications = {application.code: application for application in
                        Application.objects.filter(call_id=current.call_id,
                                                   code__in=[line.application_code
                                                             for line in lines])}
        missing = sorted({line.application_code for line in lines} - set(applications))
        if missing:
            raise ServiceError(f"Candidatures introuvables pour l'appel {year} : "
                               f"{', '.join(missing)}.")
        existing = {grant.application_id: grant for grant in
                    Grant.objects.select_for_update(of=("self",)).select_related("application")
                    .filter(application__call_id=current.call_id, year=year)}
        spent = spent_by_grant(grant.pk for grant in existing.values())
        wanted: list[tuple[Application, AllocationLine | None, Cents]] = [
            (applications[line.application_code], line, line.allocation_cents)
            for line in lines]
        listed = {application.pk for application in applications.values()}
        wanted += [(grant.application, None, 0) for pk, grant in existing.items()
                   if pk not in listed]
        overspent = [(application, existing[application.pk], amount)
                     for application, _, amount in wanted
                     if application.pk in existing
                     and spent.get(existing[application.pk].pk, 0) > amount]
        if overspent:
            raise ServiceError(" ; ".join(
                f"{application.code} : {format_euros(spent[grant.pk])} déjà dépensés sur "
                f"l'abondement {year}, plus que les {format_euros(amount)} de la répartition "
                f"n° {current.number}" for application, grant, amount in overspent)
                + " — abondements inchangés.")
        grants = []
        for application, line, amount in wanted:
            grant = existing.get(application.pk)
            what = f"Abondement {year}"
            if grant is None:
                if amount == 0:
                    continue
                grant = Grant.objects.create(application=application, year=year,
                                             amount_cents=amount, source=line)
                _spending_record(application, by, what, "",
                                 f"{format_euros(amount)} (répartition n° {current.number})")
            elif grant.source_id != (line.pk if line else None) or grant.amount_cents != amount:
                old = grant.amount_cents
                grant.amount_cents, grant.source = amount, line
                grant.save(update_fields=["amount_cents", "source", "updated_at"])
                _spending_record(application, by, what, format_euros(old),
                                 f"{format_euros(amount)} (répartition n° {current.number})")
            if line is not None:
                grants.append(grant)
    return grants


def allocation_publish_and_grant(*, run: AllocationRun, by: User, supersede: bool = False,
                                 ) -> tuple[AllocationRun, list[Grant]]:
    """Publish a draft run and turn it into the consortia's grants of the year, in one
    transaction (programme officers and administrators only): either both happen or neither.

    Superseding a published run needs ``supersede`` (see ``allocation_publish``); when money
    already spent on a vintage exceeds its new amount, ``grants_from_published_run`` refuses
    and the run stays a draft. Returns the published run and the grants of its lines."""
    try:
        with transaction.atomic():
            published = allocation_publish(run=run, by=by, supersede=supersede)
            grants = grants_from_published_run(run=published, by=by)
    except ServiceError:
        run.refresh_from_db()  # the publication was rolled back with the grants
        raise
    return published, grants


def _may_spend(application: Application, by: User) -> bool:
    """The consortium's coordinators (the application's owners) and administrators."""
    return coordinates_or_administers(by, application)


def _vintage(grant: Grant, deadline: date, remaining: Cents) -> str:
    return (f"abondement {grant.year} (utilisable jusqu'au {deadline:%d/%m/%Y}, reste "
            f"{format_euros(remaining)})")


def vintage_grant(*, application: Application, year: int | None,
                  field: str = "grant") -> Grant | None:
    """The consortium's grant of ``year`` to charge an expenditure to (``None`` when no year is
    chosen: oldest vintage first); a year it has no grant of is refused, keyed ``field``."""
    if year is None:
        return None
    grant = consortium_grants(application=application).filter(year=year).first()
    if grant is None:
        raise ServiceError({field: f"Le consortium {application.code} n'a pas "
                                   f"d'abondement {year}."})
    return grant


def expenditure_record(*, application: Application, spent_on: date, amount_cents: Cents,
                       category: str, description: str, by: User,
                       grant: Grant | None = None) -> list[Expenditure]:
    """Record an expenditure of the consortium (its coordinators and administrators only).

    Without ``grant``, it is charged oldest vintage first: to the oldest grant open on
    ``spent_on`` (from 1 January of N to its deadline, FAQ-4.1) with money left and, when that is
    not enough, the rest to the next open vintages in order — one ``Expenditure`` per vintage,
    sharing one ``entry``, in one transaction (a programme officer reads the ledger as money
    used oldest first; refusing would make the consortium split by hand). With ``grant``, only
    that vintage is charged. Refused, in French naming each vintage with its deadline and what
    it has left: an amount ≤ 0, a date outside the vintage's window, more than is left. Every
    part is recorded in the history.
    """
    if not _may_spend(application, by):
        raise ServiceError("Seuls les coordinateurs du consortium et les administrateurs "
                           "enregistrent ses dépenses.")
    if amount_cents <= 0:
        raise ServiceError({"amount_cents": "Le montant d'une dépense doit être positif."})
    if category not in ExpenditureCategory.values:
        raise ServiceError({"category": f"Catégorie de dépense inconnue : « {category} »."})
    with transaction.atomic():
        ledger = list(consortium_grants(application=application).select_for_update())
        if grant is not None:
            ledger = [vintage for vintage in ledger if vintage.pk == grant.pk]
            if not ledger:
                raise ServiceError({"grant": f"L'abondement {grant.year} n'est pas celui du "
                                             f"consortium {application.code}."})
        if not ledger:
            raise ServiceError(f"Le consortium {application.code} n'a aucun abondement.")
        spent = spent_by_grant(vintage.pk for vintage in ledger)
        remaining = {vintage.pk: vintage.amount_cents - spent.get(vintage.pk, 0)
                     for vintage in ledger}
        deadlines = {vintage.pk: grant_deadline(vintage) for vintage in ledger}
        open_ = [vintage for vintage in ledger
                 if date(vintage.year, 1, 1) <= spent_on <= deadlines[vintage.pk]]
        amount = format_euros(amount_cents)
        if grant is not None and not open_:
            chosen = ledger[0]
            raise ServiceError(
                f"Dépense du {spent_on:%d/%m/%Y} refusée : hors de la période d'utilisation de "
                f"l'{_vintage(chosen, deadlines[chosen.pk], remaining[chosen.pk])}, du "
                f"01/01/{chosen.year} au {deadlines[chosen.pk]:%d/%m/%Y} (FAQ-4.1).")
        if not open_:
            closed = [vintage for vintage in ledger if deadlines[vintage.pk] < spent_on]
            named = ", ".join(_vintage(vintage, deadlines[vintage.pk], remaining[vintage.pk])
                              for vintage in (closed or ledger))
            raise ServiceError(f"Dépense du {spent_on:%d/%m/%Y} refusée : aucun abondement "
                               f"n'est utilisable à cette date (FAQ-4.1) — {named}.")
        available = sum(max(remaining[vintage.pk], 0) for vintage in open_)
        if amount_cents > available:
            named = ", ".join(_vintage(vintage, deadlines[vintage.pk], remaining[vintage.pk])
                              for vintage in open_)
            raise ServiceError({"amount_cents": (
                f"Dépense de {amount} refusée : il ne reste que {format_euros(available)} "
                f"utilisables le {spent_on:%d/%m/%Y} — {named} (FAQ-4.1).")})
        entry = uuid.uuid4()
        parts = []
        left = amount_cents
        for vintage in open_:
            share = min(left, remaining[vintage.pk])
            if share <= 0:
                continue
            parts.append(Expenditure.objects.create(
                grant=vintage, entry=entry, spent_on=spent_on, amount_cents=share,
                category=category, description=description, recorded_by=by))
            _spending_record(
                application, by,
                f"Dépense du {spent_on:%d/%m/%Y} sur l'abondement {vintage.year}",
                format_euros(remaining[vintage.pk]) + " restants",
                f"{format_euros(share)} "
                f"({ExpenditureCategory(category).label.lower()}) ; "
                f"{format_euros(remaining[vintage.pk] - share)} restants")
            left -= share
            if left == 0:
                break
    return parts
