"""The guaranteed abondement of former Carnot 4 institutes (FAQ-2.14, 2.19, 3.4–3.7).

A former Carnot 4 applying as such keeps a guaranteed share (80 % in 2026) of its previous
abondement if its perimeter stays constant against the 2019 perimeter (±15 %, at least 85 %
kept, no pro-rating) and its contract revenue holds at 90 % of the three previous years on a
reference perimeter, all revenue computed with the new eligibility criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from carnot.rules.domain import Application, ApplicationKind, FormerCarnotReference
from carnot.rules.money import Cents, format_euros, round_to_cent
from carnot.rules.parameters import CallParameters
from carnot.rules.perimeter import percent, perimeter_fte, perimeter_ratio, within_tolerance
from carnot.rules.revenue import UnitRevenue, unit_revenue_over
from carnot.rules.verdicts import Status, Verdict, count, failed, not_checkable, passed


@dataclass(frozen=True, slots=True)
class GuaranteeResult:
    applies: bool
    verdicts: tuple[Verdict, ...]
    amount_cents: Cents


def guarantee_reserved_to_former_carnot(application: Application) -> Verdict:
    """FAQ-2.19: the guaranteed abondement exists only for an application declared as a current
    Carnot (call 4)."""
    if application.kind is not ApplicationKind.FORMER_CARNOT:
        return failed("FAQ-2.19", "La garantie est réservée aux candidatures déclarées en ancien "
                      "Carnot (appel Carnot 4).", subject=application.id)
    if application.former_carnot is None:
        return failed("FAQ-2.19", "Candidature déclarée en ancien Carnot sans sa référence "
                      "Carnot 4 (périmètre et abondement de l'appel 2019) : pas de garantie.",
                      subject=application.id)
    return passed("FAQ-2.19", "Candidature déclarée en ancien Carnot (appel Carnot 4).",
                  subject=application.id)


def perimeter_years_checked(application: Application, params: CallParameters) -> list[int]:
    """The FTE years compared with 2019: from the year before the transition up to the call's
    FTE reference year, wherever every unit has a figure."""
    first = params.transition_years()[0] - 1
    last = params.fte_reference_year()
    return [year for year in range(first, last + 1)
            if perimeter_fte(application.units, year) is not None]


def guarantee_requires_constant_perimeter(application: Application,
                                          reference: FormerCarnotReference,
                                          params: CallParameters) -> Verdict:
    """FAQ-3.6, FAQ-2.14: the perimeter stays within the tolerance (±15 % in 2026) of the
    reference call's perimeter FTE over the three years (against that perimeter, not from one
    year to the next)."""
    reference_fte = reference.perimeter_2019_total_fte
    tolerance = params.perimeter_tolerance()
    initial = f"périmètre de l'appel {params.perimeter_reference_call_year()}"
    parameters = ("perimeter_tolerance", "perimeter_reference_call_year", "fte_reference_year")
    years = perimeter_years_checked(application, params)
    if not years or reference_fte <= 0:
        missing = "ETP courants manquants" if not years else "ETP de référence nuls"
        return not_checkable("FAQ-3.6", f"Périmètre non comparable au {initial} : {missing}.",
                             subject=application.id, parameters=parameters)
    ratios = {}
    for year in years:
        current = perimeter_fte(application.units, year)
        assert current is not None
        ratio = perimeter_ratio(current, reference_fte)
        assert ratio is not None
        ratios[year] = ratio
    outside = {year: ratio for year, ratio in ratios.items()
               if not within_tolerance(ratio, tolerance)}
    shown = ", ".join(f"{year} : {percent(ratio)}" for year, ratio in ratios.items())
    details = {"subject": application.id, "parameters": parameters,
               "figures": {"etp_2019": reference_fte,
                           "ratios": {year: str(ratio) for year, ratio in ratios.items()}}}
    if outside:
        return failed("FAQ-3.6", f"Périmètre hors de ±{percent(tolerance)} du {initial} "
                      f"({reference_fte} ETP) : {shown}.", **details)
    return passed("FAQ-3.6", f"Périmètre constant par rapport au {initial} ({reference_fte} ETP, "
                  f"±{percent(tolerance)}) : {shown}.", **details)


def guarantee_requires_perimeter_kept(application: Application,
                                      reference: FormerCarnotReference,
                                      params: CallParameters) -> Verdict:
    """FAQ-3.5: no guarantee, not even pro-rated, unless the required share of the initial
    perimeter (85 % in 2026) is kept."""
    year = params.fte_reference_year()
    current = perimeter_fte(application.units, year)
    ratio = (perimeter_ratio(current, reference.perimeter_2019_total_fte)
             if current is not None else None)
    minimum = params.perimeter_kept_minimum()
    parameters = ("perimeter_kept_minimum", "fte_reference_year", "perimeter_reference_call_year")
    if ratio is None:
        why = f"ETP {year} manquants" if current is None else "ETP de référence nuls"
        return not_checkable("FAQ-3.5", f"Part du périmètre initial maintenue non calculable "
                             f"({why}).", subject=application.id, parameters=parameters)
    details = {"subject": application.id, "parameters": parameters,
               "figures": {"etp_courant": current, "etp_2019": reference.perimeter_2019_total_fte,
                           "part_maintenue": str(ratio)}}
    if ratio >= minimum:
        return passed("FAQ-3.5", f"{percent(ratio)} du périmètre initial maintenu (minimum "
                      f"{percent(minimum)}).", **details)
    return failed("FAQ-3.5", f"{percent(ratio)} seulement du périmètre initial maintenu (minimum "
                  f"{percent(minimum)}) : pas de garantie, même proratisée.", **details)


def reference_perimeter(application: Application, reference: FormerCarnotReference,
                        params: CallParameters) -> frozenset[str] | None:
    """FAQ-3.7: the units present in the tested year and in each of the three previous years.

    The tested year's units are the declared ones when the reference data does not list them.
    """
    test_year = params.guarantee_test_year()
    present = dict(reference.units_by_year)
    present.setdefault(test_year, application.unit_rnsrs())
    years = (*params.guarantee_reference_years(), test_year)
    if any(year not in present for year in years):
        return None
    return frozenset.intersection(*(present[year] for year in years))


def past_revenue_under_new_criteria(application: Application, reference_units: frozenset[str],
                                    eligible: UnitRevenue, invoiced: UnitRevenue,
                                    params: CallParameters) -> Verdict:
    """FAQ-3.4: the new eligibility criteria are applied to past contracts (2024 included) so
    that revenue is compared at constant rules."""
    years = params.guarantee_reference_years()
    per_year = {year: sum(unit_revenue_over(eligible, rnsr, (year,)) for rnsr in reference_units)
                for year in years}
    excluded = {year: sum(unit_revenue_over(invoiced, rnsr, (year,)) for rnsr in reference_units)
                - per_year[year] for year in years}
    shown = ", ".join(f"{year} : {format_euros(per_year[year])} (écartés "
                      f"{format_euros(excluded[year])})" for year in years)
    return passed("FAQ-3.4", f"CA des années de référence recalculé avec les critères "
                  f"{params.year} : {shown}.", subject=application.id,
                  figures={"ca_retenu": per_year, "ca_ecarte": excluded},
                  parameters=("guarantee_reference_years", "contract_threshold_sme",
                              "contract_threshold_general", "partner_categories"))


def guarantee_requires_revenue_held(application: Application,
                                    reference_units: frozenset[str] | None,
                                    eligible: UnitRevenue,
                                    params: CallParameters) -> Verdict:
    """FAQ-3.7: revenue invoiced in the tested year at least the required share (90 % in 2026)
    of the average of the three previous years, both measured on the reference perimeter (units
    that left removed from the past, units that joined removed from the tested year)."""
    test_year = params.guarantee_test_year()
    years = params.guarantee_reference_years()
    parameters = ("revenue_retention_minimum", "guarantee_test_year", "guarantee_reference_years")
    if reference_units is None:
        return not_checkable("FAQ-3.7", "Périmètre de référence inconnu : unités présentes "
                             f"chaque année {years[0]}–{test_year} non fournies.",
                             subject=application.id, parameters=parameters)
    tested = sum(unit_revenue_over(eligible, rnsr, (test_year,)) for rnsr in reference_units)
    past = sum(unit_revenue_over(eligible, rnsr, years) for rnsr in reference_units)
    average = Fraction(past, len(years))
    minimum = params.revenue_retention_minimum()
    ratio = Fraction(tested) / average if average else None
    details = {"subject": application.id, "parameters": parameters,
               "figures": {"unites_reference": len(reference_units), "ca_teste_cents": tested,
                           "moyenne_reference_cents": round_to_cent(average),
                           "ratio": str(ratio) if ratio is not None else None}}
    present = count(len(reference_units), "unité présente", "unités présentes")
    left_joined = f"périmètre de référence de {present} de {years[0]} à {test_year}"
    if ratio is None:
        return not_checkable("FAQ-3.7", f"Aucun CA de référence {years[0]}–{years[-1]} sur le "
                             f"{left_joined}.", **details)
    text = (f"CA {test_year} {format_euros(tested)} = {percent(ratio)} de la moyenne "
            f"{years[0]}–{years[-1]} ({format_euros(round_to_cent(average))}), {left_joined}")
    if tested >= minimum * average:
        return passed("FAQ-3.7", f"{text} : au moins {percent(minimum)}.", **details)
    return failed("FAQ-3.7", f"{text} : moins de {percent(minimum)}.", **details)


def guaranteed_amount(reference: FormerCarnotReference, params: CallParameters) -> Cents:
    """FAQ-3.5 (open question 4): the guarantee is a share (80 % in 2026) of the institute's
    previous-year abondement."""
    return round_to_cent(params.guarantee_rate() * reference.reference_abondement_cents)


def guarantee_requires_admissible_application(application: Application) -> Verdict:
    """FAQ-2.19: an application that is not admissible gets no abondement, hence no guarantee."""
    return failed("FAQ-2.19", "Candidature non recevable : pas d'abondement, donc pas de "
                  "garantie.", subject=application.id)


def guaranteed_amount_granted(application: Application, reference: FormerCarnotReference,
                              amount: Cents, params: CallParameters) -> Verdict:
    """FAQ-3.5: every condition met, the guaranteed amount and how it was computed."""
    return passed(
        "FAQ-3.5", f"Abondement garanti : {percent(params.guarantee_rate())} de l'abondement de "
        f"référence {format_euros(reference.reference_abondement_cents)} = {format_euros(amount)}.",
        subject=application.id,
        figures={"abondement_reference_cents": reference.reference_abondement_cents,
                 "montant_garanti_cents": amount},
        parameters=("guarantee_rate", "guarantee_basis"))


def guarantee_for(application: Application, eligible: UnitRevenue, invoiced: UnitRevenue,
                  admissible: bool, params: CallParameters) -> GuaranteeResult:
    """FAQ-2.19, FAQ-3.4 to FAQ-3.7: every condition of the guarantee, its verdicts, and the
    guaranteed amount when they all pass (a condition not checkable withholds it)."""
    reserved = guarantee_reserved_to_former_carnot(application)
    reference = application.former_carnot
    if reserved.failed or reference is None:
        return GuaranteeResult(False, (reserved,), 0)
    units = reference_perimeter(application, reference, params)
    verdicts = [
        reserved,
        guarantee_requires_constant_perimeter(application, reference, params),
        guarantee_requires_perimeter_kept(application, reference, params),
    ]
    if units is not None:
        verdicts.append(past_revenue_under_new_criteria(application, units, eligible, invoiced,
                                                        params))
    verdicts.append(guarantee_requires_revenue_held(application, units, eligible, params))
    if not admissible:
        verdicts.append(guarantee_requires_admissible_application(application))
    applies = all(verdict.status is Status.PASSED for verdict in verdicts)
    if not applies:
        return GuaranteeResult(False, tuple(verdicts), 0)
    amount = guaranteed_amount(reference, params)
    verdicts.append(guaranteed_amount_granted(application, reference, amount, params))
    return GuaranteeResult(True, tuple(verdicts), amount)
