"""Validation of identifiers: RNSR (rules package, FAQ-2.18) and SIREN (python-stdnum)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren

from carnot.rules.admissibility import rnsr_is_well_formed


def validate_rnsr(value: str) -> None:
    if not rnsr_is_well_formed(value):
        raise ValidationError(
            "« %(value)s » n'est pas un numéro RNSR (neuf chiffres dont une année, puis une "
            "lettre majuscule ; FAQ-2.18).", params={"value": value}, code="rnsr")


def validate_siren(value: str) -> None:
    try:
        siren.validate(value)
    except StdnumError as exc:
        raise ValidationError("« %(value)s » n'est pas un SIREN valide (9 chiffres, clé de Luhn).",
                              params={"value": value}, code="siren") from exc
