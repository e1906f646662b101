"""Reading a ledger file's cells: French amounts, dates, yes/no, identifiers, categories."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from carnot.common.french import cell_text, folded_key
from carnot.ledgers.format import CATEGORY_BY_KEY, CENT, MAX_CENTS, MAX_TEXT, YES_NO
from carnot.rules.domain import PartnerCategory
from carnot.rules.money import Cents

if TYPE_CHECKING:
    pass


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
        typed = cell_text(value)
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
        raise _Invalid(f"« {cell_text(value)} » a plus de deux décimales : un montant se donne au "
                       "centime près.")
    cents = int(rounded * 100)
    if abs(cents) >= MAX_CENTS:
        raise _Invalid(f"« {cell_text(value)} » : montant trop grand.")
    return cents


def _non_negative_money(value: object) -> Cents:
    cents = parse_money(value)
    if cents < 0:
        raise _Invalid(f"« {cell_text(value)} » : montant négatif ; un montant est positif ou nul.")
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
        raise _Invalid(f"« {cell_text(value)} » n'est pas une date (JJ/MM/AAAA).")
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
        value = cell_text(value)
    found = YES_NO.get(folded_key(value))
    if found is None:
        raise _Invalid(f"« {cell_text(value)} » : « oui » ou « non » attendu.")
    return found


def _whole(value: object, what: str) -> int:
    if isinstance(value, bool):
        raise _Invalid(f"{what} : nombre entier attendu.")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    typed = cell_text(value)
    compact = re.sub(r"\s", "", typed)
    if not re.fullmatch(r"[+-]?\d+", compact):
        raise _Invalid(f"« {typed} » : {what} : nombre entier attendu.")
    return int(compact)


def _year(value: object) -> int:
    year = _whole(value, "année")
    if not 1900 <= year <= 2100:
        raise _Invalid(f"« {cell_text(value)} » n'est pas une année (AAAA).")
    return year


def _headcount(value: object) -> int:
    headcount = _whole(value, "effectif")
    if headcount < 0:
        raise _Invalid(f"« {cell_text(value)} » : un effectif est positif ou nul.")
    return headcount


def parse_category(value: object) -> PartnerCategory:
    """A partner category as a person writes it (« PME », « ETI », « collectivité »…)."""
    found = CATEGORY_BY_KEY.get(folded_key(value))
    if found is None:
        raise _Invalid(f"« {cell_text(value)} » : catégorie inconnue (attendu : TPE, PME, ETI, GE, "
                       "collectivité, CRT ou autre ; FAQ-3.2).")
    return found


def _bounded(value: object, limit: int = MAX_TEXT) -> str:
    typed = cell_text(value)
    if len(typed) > limit:
        raise _Invalid(f"Texte trop long ({len(typed)} caractères ; au plus {limit}).")
    return typed


@dataclass(frozen=True)
class _Identifier:
    siren: str
    siret: str


def _identifier(value: object) -> _Identifier:
    """A SIREN (9 digits) or SIRET (14 digits), both with their Luhn key (python-stdnum)."""
    typed = cell_text(value)
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


