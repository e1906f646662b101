"""Reading a ledger file's own cells: partner categories, SIREN/SIRET identifiers, headcounts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from carnot.common.french import InvalidInput, cell_text, folded_key, parse_whole
from carnot.ledgers.format import CATEGORY_BY_KEY
from carnot.rules.domain import PartnerCategory

# --- Reading cells ---------------------------------------------------------------------------
# Amounts, dates, yes/no and numbers are read by ``carnot.common.french``; what is the ledger's
# own is here.


def parse_headcount(value: object) -> int:
    count = parse_whole(value, "effectif")
    if count < 0:
        raise InvalidInput(f"« {cell_text(value)} » : un effectif est positif ou nul.")
    return count


def parse_category(value: object) -> PartnerCategory:
    """A partner category as a person writes it (« PME », « ETI », « collectivité »…)."""
    found = CATEGORY_BY_KEY.get(folded_key(value))
    if found is None:
        raise InvalidInput(f"« {cell_text(value)} » : catégorie inconnue (attendu : TPE, PME, "
                           "ETI, GE, collectivité, CRT ou autre ; FAQ-3.2).")
    return found


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
            raise InvalidInput(f"« {typed} » n'est pas un SIREN valide (9 chiffres, clé de Luhn)."
                           ) from exc
    if len(digits) == 14:
        try:
            number = stdnum_siret.validate(digits)
        except StdnumError as exc:
            raise InvalidInput(f"« {typed} » n'est pas un SIRET valide (14 chiffres, clé de Luhn)."
                           ) from exc
        return _Identifier(number[:9], number)
    raise InvalidInput(f"« {typed} » n'est ni un SIREN (9 chiffres) ni un SIRET (14 chiffres).")


