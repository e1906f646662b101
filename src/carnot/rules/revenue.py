"""Revenue bases of each consortium (FAQ-2.22) and the eligibility threshold (FAQ-2.19).

A unit in two consortia counts in full in each for the eligibility threshold, and is split
50/50 between them for the abondement, so that no contract is counted twice nationally.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from carnot.rules.contracts import ContractEligibility
from carnot.rules.domain import Application
from carnot.rules.money import Cents, format_euros, round_to_cent
from carnot.rules.parameters import CallParameters
from carnot.rules.verdicts import Verdict, count, failed, not_checkable, passed

UnitRevenue = Mapping[str, Mapping[int, Cents]]
"""Eligible revenue invoiced by each unit (RNSR) in each year."""


def revenue_by_unit_and_year(eligibilities: Iterable[ContractEligibility],
                             only_eligible: bool = True) -> dict[str, dict[int, Cents]]:
    """Invoiced revenue of each unit per year: of eligible contracts, or of all contracts."""
    revenue: dict[str, dict[int, Cents]] = defaultdict(lambda: defaultdict(int))
    for eligibility in eligibilities:
        if only_eligible and not eligibility.eligible:
            continue
        per_year = revenue[eligibility.contract.unit]
        for year, cents in eligibility.contract.invoiced_cents.items():
            per_year[year] += cents
    return revenue


def unit_revenue_over(revenue: UnitRevenue, rnsr: str, years: Iterable[int]) -> Cents:
    """FAQ-2.22: a unit's eligible revenue over ``years``, in full (before any sharing)."""
    per_year = revenue.get(rnsr, {})
    return sum(per_year.get(year, 0) for year in years)


def threshold_base(application: Application, revenue: UnitRevenue, years: Sequence[int]) -> Cents:
    """FAQ-2.22: for the eligibility threshold, every unit's contracts count in full, shared
    units included."""
    return sum(unit_revenue_over(revenue, rnsr, years) for rnsr in application.unit_rnsrs())


def shared_unit_portions(amount: Cents, holders: Sequence[str],
                         params: CallParameters) -> dict[str, Cents]:
    """FAQ-2.22: a unit's revenue split between the consortia that hold it, 50/50 for two.

    The first holder (by id) gets the rounded share, the second the rest, so the parts always
    add up to the unit's revenue exactly. More than two holders is a violation (FAQ-2.26)
    reported elsewhere, never a split.
    """
    if len(holders) == 1:
        return {holders[0]: amount}
    if len(holders) != 2:
        raise ValueError(f"une unité ne se partage qu'entre deux consortiums ({len(holders)})")
    first, second = sorted(holders)
    first_part = round_to_cent(amount * params.shared_unit_abondement_share())
    return {first: first_part, second: amount - first_part}


def abondement_portions(application: Application, revenue: UnitRevenue, years: Sequence[int],
                        holders_by_unit: Mapping[str, Sequence[str]],
                        params: CallParameters) -> dict[str, Cents]:
    """FAQ-2.22: each unit's part in the consortium's abondement base — in full, or its share
    when the unit's contracts are split with another consortium.

    Only an eligible consortium has an abondement base: ``application`` must be among the
    holders of each of its units.
    """
    portions = {}
    for rnsr in sorted(application.unit_rnsrs()):
        amount = unit_revenue_over(revenue, rnsr, years)
        holders = holders_by_unit.get(rnsr, (application.id,))
        portions[rnsr] = shared_unit_portions(amount, holders, params)[application.id]
    return portions


def abondement_base(application: Application, revenue: UnitRevenue, years: Sequence[int],
                    holders_by_unit: Mapping[str, Sequence[str]],
                    params: CallParameters) -> Cents:
    """FAQ-2.22: for the abondement, a shared unit's contracts are split between its consortia."""
    return sum(abondement_portions(application, revenue, years, holders_by_unit,
                                   params).values())


def abondement_base_explained(application: Application, portions: Mapping[str, Cents],
                              revenue: UnitRevenue, years: Sequence[int],
                              holders_by_unit: Mapping[str, Sequence[str]]) -> Verdict:
    """FAQ-2.22: how the abondement base was built, shared units and their share shown."""
    shared = {rnsr: holders_by_unit[rnsr] for rnsr in portions
              if len(holders_by_unit.get(rnsr, ())) > 1}
    lines = [f"{rnsr} : {format_euros(portions[rnsr])} sur "
             f"{format_euros(unit_revenue_over(revenue, rnsr, years))} (partagée avec "
             f"{', '.join(h for h in holders if h != application.id)})"
             for rnsr, holders in shared.items()]
    detail = f" ; unités partagées : {' ; '.join(lines)}" if lines else ""
    return passed("FAQ-2.22", f"Assiette d'abondement {', '.join(map(str, years))} : "
                  f"{format_euros(sum(portions.values()))} sur {count(len(portions), 'unité')}"
                  f"{detail}.",
                  subject=application.id,
                  figures={"parts_cents": dict(portions), "partagees": sorted(shared)},
                  parameters=("abondement_revenue_years", "shared_unit_abondement_share",
                              "shared_unit_split_among_eligible_only"))


def above_eligibility_threshold(base_cents: Cents, params: CallParameters) -> bool:
    """FAQ-2.19: abondable revenue above 2.5 M€ (strict or not, as the parameter says).

    ``base_cents`` is summed over ``threshold_revenue_years``; over several years, the yearly
    average is compared with the threshold (exactly: the sum with the threshold times the number
    of years, never a rounded average).
    """
    threshold = params.eligibility_threshold_cents() * len(params.threshold_revenue_years())
    if params.eligibility_threshold_is_strict():
        return base_cents > threshold
    return base_cents >= threshold


def revenue_meets_eligibility_threshold(application: Application, base_cents: Cents,
                                        params: CallParameters) -> Verdict:
    """FAQ-2.19, FAQ-2.22: a perimeter's abondable revenue, shared units in full, must be above
    2.5 M€ (a year's revenue; the yearly average when the parameter names several years)."""
    threshold = params.eligibility_threshold_cents()
    strict = params.eligibility_threshold_is_strict()
    meets = above_eligibility_threshold(base_cents, params)
    years = params.threshold_revenue_years()
    details = {
        "subject": application.id,
        "figures": {"recettes_seuil_cents": base_cents, "seuil_cents": threshold,
                    "annees": years},
        "parameters": ("eligibility_threshold", "eligibility_threshold_is_strict",
                       "threshold_revenue_years"),
    }
    revenue = f"Recettes abondables {years[0]}"
    shown = format_euros(base_cents)
    if len(years) > 1:
        revenue = f"Recettes abondables {years[0]}–{years[-1]}"
        average = format_euros(round_to_cent(Fraction(base_cents, len(years))))
        shown = f"{shown}, soit {average} par an en moyenne"
    comparison = "supérieures" if strict else "au moins égales"
    text = (f"{revenue} (unités partagées comptées en entier, FAQ-2.22) : {shown}, "
            f"{'' if meets else 'pas '}{comparison} au seuil de {format_euros(threshold)}.")
    return (passed if meets else failed)("FAQ-2.19", text, **details)


def threshold_not_checkable_without_contracts(application: Application,
                                              params: CallParameters) -> Verdict:
    """FAQ-2.19: while the contract ledgers hold no contract of an application's units, its
    revenue threshold cannot be checked yet."""
    years = ", ".join(map(str, params.threshold_revenue_years()))
    units = count(len(application.units), "unité")
    threshold = format_euros(params.eligibility_threshold_cents())
    return not_checkable("FAQ-2.19", f"Recettes abondables {years} : pas encore vérifiables, le "
                         f"registre des contrats ne compte aucun contrat de ses unités ({units}) "
                         f"; le seuil de {threshold} sera vérifié une fois leurs contrats saisis.",
                         subject=application.id,
                         parameters=("eligibility_threshold", "threshold_revenue_years"))


def bases_not_checkable_without_contracts(application: Application) -> Verdict:
    """FAQ-2.22: while the contract ledgers hold no contract of an application's units, its
    threshold and abondement bases cannot be computed yet."""
    return not_checkable("FAQ-2.22", "Assiettes (unités partagées comptées en entier pour le "
                         "seuil, à 50/50 pour l'abondement) : calculées une fois les contrats "
                         "des unités saisis dans le registre.", subject=application.id)


def abondement_base_not_checkable_until_rules_met(application: Application,
                                                  threshold_base_cents: Cents,
                                                  params: CallParameters) -> Verdict:
    """FAQ-2.22: an application that does not yet meet every rule has no abondement base; its
    threshold base, shared units in full, is already known."""
    years = ", ".join(map(str, params.threshold_revenue_years()))
    return not_checkable(
        "FAQ-2.22", f"Assiette du seuil {years} (unités partagées comptées en entier) : "
        f"{format_euros(threshold_base_cents)} ; l'assiette de l'abondement (unités partagées à "
        "50/50) se calcule une fois toutes les règles respectées.", subject=application.id,
        figures={"recettes_seuil_cents": threshold_base_cents})
