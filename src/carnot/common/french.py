"""Reading what French users type in a spreadsheet, a form or an API field: one implementation
each (amounts, dates, yes/no, whole and decimal numbers, text), refusing with ``InvalidInput``
and the reason in French."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from carnot.rules.money import Cents

YES, NO = "oui", "non"
"""How a yes/no value is written in the files the platform produces."""

YES_NO = {"oui": True, "o": True, "yes": True, "vrai": True, "true": True, "1": True, "x": True,
          "non": False, "n": False, "no": False, "faux": False, "false": False, "0": False}
"""Every way of writing yes or no that is read (folded: « Oui », « VRAI », « x »)."""

MAX_TEXT = 255
CENT = Decimal("0.01")
MAX_CENTS = 10**17
"""Beyond this an amount is a typing error (and would not fit a 64-bit column)."""
MAX_FTE = Decimal("999999.99")


class InvalidInput(ValueError):
    """A value refused: the reason, in French, as one sentence."""


# --- Text ------------------------------------------------------------------------------------


def fold(text: object) -> str:
    """Without accents and case: « Écart » and « ecart » compare equal."""
    return unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold()


def folded_key(text: object, *, keep_years: bool = False) -> str:
    """How a header, sheet name or label is recognised: without case, accents, parenthesised
    hints, punctuation or (unless ``keep_years``) years (« Tutelles (codes) » and « tutelles »
    are the same; « Facturé 2025 » keeps its year where the year is what the header says)."""
    folded = re.sub(r"\([^)]*\)", " ", fold(text))
    if not keep_years:
        folded = re.sub(r"\b(19|20)\d\d\b", " ", folded)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell as text, as the user typed it (an integer in a text column stays « 12 »), spaces
    trimmed and runs of blanks made one space."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return " ".join(str(value).split())


def bounded_text(value: object, limit: int = MAX_TEXT) -> str:
    """A one-line text (``cell_text``) of at most ``limit`` characters."""
    typed = cell_text(value)
    if len(typed) > limit:
        raise InvalidInput(f"Texte trop long ({len(typed)} caractères ; au plus {limit}).")
    return typed


# --- Yes / no --------------------------------------------------------------------------------


def parse_yes_no(value: object) -> bool:
    """« oui »/« non » (and their usual spellings: « o », « vrai », « x », « 0 »…) as a
    boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        value = cell_text(value)
    found = YES_NO.get(folded_key(value))
    if found is None:
        raise InvalidInput(f"« {cell_text(value)} » : « oui » ou « non » attendu.")
    return found


# --- Numbers ---------------------------------------------------------------------------------

AMOUNT_NOISE = str.maketrans("", "", " \u00a0\u202f€")
PLAIN_AMOUNT = re.compile(r"(\d{1,15})(?:[.,](\d{1,2}))?")
"""Digits, then at most one separator and cents: what most amount cells are once spaces and « € »
are removed (read as the general case reads them, without its cost)."""
FRENCH_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_money(value: object) -> Cents:
    """An amount in euros as cents: « 45 000,00 € », « 45000.5 », « 45.000,00 », a number cell;
    refused with more decimals than cents. The sign is kept (``parse_non_negative_money``
    refuses negatives)."""
    if type(value) is str:  # the usual cell, read without Decimal: « 45 000,00 € », « 45000.5 »
        plain = PLAIN_AMOUNT.fullmatch(value.translate(AMOUNT_NOISE))
        if plain is not None:
            euros, fraction = plain.groups()
            return int(euros) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)
    if isinstance(value, bool):
        raise InvalidInput("Montant attendu, pas « oui/non ».")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        typed = cell_text(value)
        compact = re.sub(r"\s|€|(?i:eur(?:os?)?)|'", "", typed)
        if "," in compact and "." in compact:
            thousands = "." if compact.rfind(",") > compact.rfind(".") else ","
            compact = compact.replace(thousands, "")
        elif compact.count(".") > 1:
            compact = compact.replace(".", "")
        compact = compact.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", compact):
            raise InvalidInput(f"« {typed} » n'est pas un montant (ex. 45 000,00 €).")
        try:
            amount = Decimal(compact)
        except InvalidOperation as exc:
            raise InvalidInput(f"« {typed} » n'est pas un montant (ex. 45 000,00 €).") from exc
    if not amount.is_finite():
        raise InvalidInput("Montant attendu.")
    rounded = amount.quantize(CENT)
    if rounded != amount:
        raise InvalidInput(f"« {cell_text(value)} » a plus de deux décimales : un montant se "
                           "donne au centime près.")
    cents = int(rounded * 100)
    if abs(cents) >= MAX_CENTS:
        raise InvalidInput(f"« {cell_text(value)} » : montant trop grand.")
    return cents


def parse_non_negative_money(value: object) -> Cents:
    cents = parse_money(value)
    if cents < 0:
        raise InvalidInput(f"« {cell_text(value)} » : montant négatif ; un montant est positif "
                           "ou nul.")
    return cents


def parse_whole(value: object, what: str = "", example: object = None) -> int:
    """A whole number: « 2 024 », « 12 », a number cell; ``what`` names it in the refusal,
    ``example`` shows one."""
    hint = f" (ex. {example})" if example is not None else ""
    if isinstance(value, bool):
        raise InvalidInput(f"{what or 'Valeur'} : nombre entier attendu{hint}.")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    typed = cell_text(value)
    compact = re.sub(r"\s", "", typed)
    if not re.fullmatch(r"[+-]?\d+", compact):
        named = f"{what} : " if what else ""
        raise InvalidInput(f"« {typed} » : {named}nombre entier attendu{hint}.")
    return int(compact)


def parse_year(value: object) -> int:
    year = parse_whole(value, "année")
    if not 1900 <= year <= 2100:
        raise InvalidInput(f"« {cell_text(value)} » n'est pas une année (AAAA).")
    return year


def parse_decimal(value: object, example: str = "12,5") -> Decimal:
    """A decimal number as French users write it: « 12,5 », « 1 234,5 », « 0.8 », a number
    cell; ``example`` shows one in the refusal."""
    if isinstance(value, bool):
        raise InvalidInput("Nombre attendu, pas « oui/non ».")
    if isinstance(value, int | float):
        number = Decimal(repr(float(value)))
    else:
        typed = cell_text(value)
        compact = typed.translate(AMOUNT_NOISE)
        if not FRENCH_NUMBER.match(compact):
            raise InvalidInput(f"« {typed} » n'est pas un nombre (ex. {example}).")
        try:
            number = Decimal(compact.replace(",", "."))
        except InvalidOperation as exc:
            raise InvalidInput(f"« {typed} » n'est pas un nombre (ex. {example}).") from exc
    if not number.is_finite():
        raise InvalidInput("Nombre attendu.")
    return number


def parse_fte(value: object) -> Decimal:
    """Full-time equivalents: a decimal ≥ 0 with at most two decimals (« 12,5 »)."""
    number = parse_decimal(value)
    rounded = number.quantize(CENT)
    if abs(number - rounded) > Decimal("1e-9"):
        raise InvalidInput(f"« {cell_text(value)} » : au plus deux décimales.")
    if rounded < 0:
        raise InvalidInput(f"« {cell_text(value)} » : un nombre d'ETP est positif ou nul.")
    if rounded > MAX_FTE:
        raise InvalidInput(f"« {cell_text(value)} » : nombre trop grand (au plus {MAX_FTE}).")
    return rounded


# --- Dates -----------------------------------------------------------------------------------

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
        raise InvalidInput(f"« {cell_text(value)} » n'est pas une date (JJ/MM/AAAA).")
    typed = cell_text(value)
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
        raise InvalidInput(f"« {typed} » n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ).")
    try:
        return date(*parts)
    except ValueError as exc:
        raise InvalidInput(f"« {typed} » : cette date n'existe pas (JJ/MM/AAAA).") from exc
