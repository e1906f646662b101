"""The performance bonus, from 2027 (FAQ-2.14; open question 10).

Its figures are not published: the share of the envelope, the eligibility (constant perimeter,
±15 % of the FTE when labelled) and the distribution (pro rata of the growth of the abondement
base) are dated parameters and readings marked as assumptions.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from carnot.rules.domain import Application
from carnot.rules.money import Cents, format_euros
from carnot.rules.parameters import CallParameters
from carnot.rules.perimeter import percent, perimeter_fte, perimeter_ratio, within_tolerance
from carnot.rules.verdicts import Verdict, failed, not_checkable, passed


def bonus_reference_fte(application: Application) -> Decimal | None:
    """The perimeter the ±15 % rule compares with: 2019 for a former Carnot, else the FTE
    declared when the consortium was labelled."""
    if application.former_carnot is not None:
        return application.former_carnot.perimeter_2019_total_fte
    return application.reference_fte


def performance_bonus_perimeter_constant(application: Application,
                                         params: CallParameters) -> Verdict:
    """FAQ-2.14: from 2027 the ±15 % constant-perimeter rule applies to every consortium, for the
    performance bonus."""
    parameters = ("perimeter_tolerance", "fte_reference_year", "performance_bonus_share")
    reference = bonus_reference_fte(application)
    current = perimeter_fte(application.units, params.fte_reference_year())
    ratio = perimeter_ratio(current, reference) if current is not None and reference else None
    if ratio is None:
        return not_checkable("FAQ-2.14", "Bonus performance : périmètre de référence ou ETP "
                             "courants inconnus.", subject=application.id, parameters=parameters)
    tolerance = params.perimeter_tolerance()
    details = {"subject": application.id, "parameters": parameters,
               "figures": {"etp_reference": reference, "etp_courant": current,
                           "ratio": str(ratio)}}
    if within_tolerance(ratio, tolerance):
        return passed("FAQ-2.14", f"Bonus performance : périmètre constant ({percent(ratio)} de "
                      f"la référence, ±{percent(tolerance)}).", **details)
    return failed("FAQ-2.14", f"Bonus performance : périmètre à {percent(ratio)} de la "
                  f"référence, hors de ±{percent(tolerance)}.", **details)


def performance_bonus_weight(current_base: Cents, previous_base: Cents) -> Fraction:
    """Open question 10: the bonus is shared pro rata of the growth of the abondement base."""
    return Fraction(max(0, current_base - previous_base))


def describe_growth(application: Application, current_base: Cents, previous_base: Cents) -> Verdict:
    """FAQ-2.14 (open question 10): the growth of the abondement base that weighs in the bonus."""
    growth = max(0, current_base - previous_base)
    return passed("FAQ-2.14", f"Croissance de l'assiette : {format_euros(previous_base)} → "
                  f"{format_euros(current_base)} (poids du bonus : {format_euros(growth)}).",
                  subject=application.id,
                  figures={"assiette_precedente_cents": previous_base,
                           "assiette_cents": current_base, "croissance_cents": growth})
