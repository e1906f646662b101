"""Revenue bases of consortia (FAQ-2.22) and the 2.5 M€ eligibility threshold (FAQ-2.19).

A unit held by two consortia counts in full in each for the eligibility threshold, and is split
50/50 between them for the abondement, so that nationally every euro of contract revenue is
abonded once and only once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carnot.rules.contracts import contract_eligibility
from carnot.rules.domain import (
    Application,
    ApplicationKind,
    Contract,
    PartnerCategory,
    Unit,
    UnitFte,
)
from carnot.rules.parameters import load_call_parameters
from carnot.rules.revenue import (
    abondement_base,
    abondement_base_explained,
    abondement_base_not_checkable_until_rules_met,
    abondement_portions,
    above_eligibility_threshold,
    bases_not_checkable_without_contracts,
    revenue_by_unit_and_year,
    revenue_meets_eligibility_threshold,
    shared_unit_portions,
    threshold_base,
    threshold_not_checkable_without_contracts,
    unit_revenue_over,
)
from carnot.rules.verdicts import Status

PARAMS = load_call_parameters(2026)
YEARS = (2025,)


def unit(rnsr: str) -> Unit:
    return Unit(rnsr=rnsr, tutelles=("unistra", "cnrs"), managing_tutelle="unistra",
                scientific_leads=("Anne Martin",), fte_by_year={2025: UnitFte(Decimal(10))})


def application(application_id: str, rnsrs: Sequence[str],
                kind: ApplicationKind = ApplicationKind.THEMATIC) -> Application:
    return Application(id=application_id, name=application_id, kind=kind, coordinator="cnrs",
                       units=tuple(unit(rnsr) for rnsr in rnsrs))


def holders_of(applications: Sequence[Application]) -> dict[str, list[str]]:
    holders: dict[str, list[str]] = {}
    for candidate in applications:
        for rnsr in candidate.unit_rnsrs():
            holders.setdefault(rnsr, []).append(candidate.id)
    return holders


# --- examples computed by hand --------------------------------------------------------------

SHARED, OWN = "200919143B", "201220344C"
TERRITORIAL = application("terr-strasbourg", [SHARED, OWN], ApplicationKind.TERRITORIAL)
THEMATIC = application("them-materiaux", [SHARED])
REVENUE = {SHARED: {2025: 300_000_000}, OWN: {2025: 100_000_000}}


def test_shared_unit_counts_in_full_for_threshold_and_half_for_abondement() -> None:
    """FAQ-2.22: the shared unit's 3 000 000,00 € count in full toward each consortium's 2.5 M€
    threshold, but only 1 500 000,00 € in each abondement base."""
    holders = holders_of([TERRITORIAL, THEMATIC])

    assert threshold_base(TERRITORIAL, REVENUE, YEARS) == 400_000_000
    assert threshold_base(THEMATIC, REVENUE, YEARS) == 300_000_000
    assert abondement_base(TERRITORIAL, REVENUE, YEARS, holders, PARAMS) == 250_000_000
    assert abondement_base(THEMATIC, REVENUE, YEARS, holders, PARAMS) == 150_000_000


def test_unit_held_by_one_consortium_counts_in_full_for_both_bases() -> None:
    """FAQ-2.22 concerns shared units only: an unshared unit's revenue is wholly its
    consortium's, for the threshold and for the abondement."""
    alone = application("terr-strasbourg", [SHARED, OWN], ApplicationKind.TERRITORIAL)
    holders = holders_of([alone])

    assert threshold_base(alone, REVENUE, YEARS) == 400_000_000
    assert abondement_base(alone, REVENUE, YEARS, holders, PARAMS) == 400_000_000


def test_odd_cent_of_a_shared_unit_goes_to_the_first_consortium_by_id() -> None:
    """FAQ-2.22, open question 9: 1 000,01 € split 50/50 is 500,005 €; the first consortium by id
    gets 500,01 € (half rounded up), the other the rest, 500,00 € — nothing lost or created."""
    portions = shared_unit_portions(100_001, ["b-thematique", "a-territorial"], PARAMS)

    assert portions == {"a-territorial": 50_001, "b-thematique": 50_000}


def test_odd_cent_split_in_the_abondement_bases_of_both_consortia() -> None:
    """FAQ-2.22: the same odd cent, seen from the two consortia's abondement bases."""
    first = application("a-territorial", [SHARED], ApplicationKind.TERRITORIAL)
    second = application("b-thematique", [SHARED])
    revenue = {SHARED: {2025: 100_001}}
    holders = holders_of([second, first])

    assert abondement_base(first, revenue, YEARS, holders, PARAMS) == 50_001
    assert abondement_base(second, revenue, YEARS, holders, PARAMS) == 50_000
    assert threshold_base(first, revenue, YEARS) == 100_001
    assert threshold_base(second, revenue, YEARS) == 100_001


def test_unit_shared_by_three_consortia_is_not_split() -> None:
    """FAQ-2.26 (open question 6): sharing concerns two consortia; a third holder is a
    violation reported elsewhere, never a three-way split."""
    with pytest.raises(ValueError, match="deux consortiums"):
        shared_unit_portions(300, ["a", "b", "c"], PARAMS)


def test_only_eligible_contracts_make_a_units_revenue_invoiced_year_by_year() -> None:
    """FAQ-3.2: a 20 000 € contract with an ETI is not eligible and brings no revenue; an
    eligible contract brings what it invoiced each year."""
    contracts = [
        Contract("C1", SHARED, PartnerCategory.LARGE, 5_000_000, date(2024, 3, 1),
                 {2024: 1_000_000, 2025: 2_500_000}),
        Contract("C2", SHARED, PartnerCategory.SME, 2_000_000, date(2025, 1, 1), {2025: 700_000}),
        Contract("C3", SHARED, PartnerCategory.MIDCAP, 2_000_000, date(2025, 1, 1),
                 {2025: 2_000_000}),
    ]
    eligibilities = [contract_eligibility(contract, PARAMS) for contract in contracts]

    eligible = revenue_by_unit_and_year(eligibilities)
    invoiced = revenue_by_unit_and_year(eligibilities, only_eligible=False)

    assert unit_revenue_over(eligible, SHARED, (2024,)) == 1_000_000
    assert unit_revenue_over(eligible, SHARED, (2025,)) == 3_200_000
    assert unit_revenue_over(invoiced, SHARED, (2025,)) == 5_200_000
    assert unit_revenue_over(eligible, OWN, (2025,)) == 0


@pytest.mark.parametrize(("base_cents", "strict", "above"), [
    (250_000_000, True, False),
    (250_000_001, True, True),
    (249_999_999, True, False),
    (250_000_000, False, True),
    (249_999_999, False, False),
])
def test_eligibility_threshold_is_above_2_5_million(base_cents: int, strict: bool,
                                                    above: bool) -> None:
    """FAQ-2.19: abondable revenue « supérieures à 2,5 M€ » — strictly, unless the parameter
    eligibility_threshold_is_strict says otherwise."""
    params = PARAMS.with_overrides({"eligibility_threshold_is_strict": strict})

    assert above_eligibility_threshold(base_cents, params) is above
    verdict = revenue_meets_eligibility_threshold(THEMATIC, base_cents, params)
    assert verdict.rule == "FAQ-2.19"
    assert verdict.status is (Status.PASSED if above else Status.FAILED)


# --- property: a national set of applications sharing units ---------------------------------

@st.composite
def national_sets(draw: st.DrawFn) -> tuple[list[Application], dict[str, dict[int, int]],
                                            tuple[int, ...]]:
    """Applications over a pool of units, each unit held by one or two of them (never more,
    FAQ-2.26), with revenue per unit and year; some units invoice nothing, and one unit that
    no application holds invoices too."""
    application_ids = draw(st.lists(st.text(alphabet="abcdefghij-", min_size=1, max_size=8),
                                    min_size=1, max_size=6, unique=True))
    unit_count = draw(st.integers(min_value=1, max_value=12))
    rnsrs = [f"2019{index:05d}A" for index in range(unit_count)]
    held: dict[str, list[str]] = {application_id: [] for application_id in application_ids}
    for rnsr in rnsrs:
        holder_count = draw(st.integers(min_value=1, max_value=min(2, len(application_ids))))
        holders = draw(st.lists(st.sampled_from(application_ids), min_size=holder_count,
                                max_size=holder_count, unique=True))
        for holder in holders:
            held[holder].append(rnsr)
    applications = [application(application_id, rnsrs_held)
                    for application_id, rnsrs_held in held.items() if rnsrs_held]
    amounts = st.integers(min_value=0, max_value=10**10)
    revenue = {
        rnsr: draw(st.dictionaries(st.sampled_from([2023, 2024, 2025]), amounts, max_size=3))
        for rnsr in [*rnsrs, "202099999Z"]
    }
    years = draw(st.sampled_from([(2025,), (2024, 2025), (2023, 2024, 2025)]))
    return applications, revenue, years


def revenue_of(revenue: Mapping[str, Mapping[int, int]], rnsr: str, years: Sequence[int]) -> int:
    return sum(revenue.get(rnsr, {}).get(year, 0) for year in years)


@settings(max_examples=300)
@given(national_sets())
def test_abondement_bases_count_each_units_revenue_exactly_once_nationally(
        national: tuple[list[Application], dict[str, dict[int, int]], tuple[int, ...]]) -> None:
    """FAQ-2.22: split 50/50 between its two consortia, a shared unit's revenue is abonded once;
    the abondement bases of all consortia add up to the revenue of the units they hold."""
    applications, revenue, years = national
    holders = holders_of(applications)

    bases = [abondement_base(candidate, revenue, years, holders, PARAMS)
             for candidate in applications]

    assert sum(bases) == sum(revenue_of(revenue, rnsr, years) for rnsr in holders)
    assert all(base >= 0 for base in bases)


@settings(max_examples=300)
@given(national_sets())
def test_threshold_bases_count_shared_units_in_full_in_each_consortium(
        national: tuple[list[Application], dict[str, dict[int, int]], tuple[int, ...]]) -> None:
    """FAQ-2.22: for the eligibility threshold, every unit of a consortium counts in full, shared
    or not; nationally, shared units are thus counted twice and the others once."""
    applications, revenue, years = national
    holders = holders_of(applications)

    for candidate in applications:
        expected = sum(revenue_of(revenue, rnsr, years) for rnsr in candidate.unit_rnsrs())
        assert threshold_base(candidate, revenue, years) == expected

    national_threshold = sum(threshold_base(candidate, revenue, years)
                             for candidate in applications)
    national_abondement = sum(abondement_base(candidate, revenue, years, holders, PARAMS)
                              for candidate in applications)
    shared = sum(revenue_of(revenue, rnsr, years)
                 for rnsr, unit_holders in holders.items() if len(unit_holders) == 2)
    assert national_threshold == national_abondement + shared


@given(st.integers(min_value=0, max_value=10**12),
       st.lists(st.text(min_size=1, max_size=5), min_size=2, max_size=2, unique=True))
def test_shared_unit_halves_differ_by_at_most_the_odd_cent(amount: int,
                                                           holders: list[str]) -> None:
    """FAQ-2.22, open question 9: the two halves add up to the unit's revenue; the first
    consortium by id has the odd cent, if any."""
    portions = shared_unit_portions(amount, holders, PARAMS)
    first, second = sorted(holders)

    assert portions[first] + portions[second] == amount
    assert portions[first] - portions[second] == amount % 2


def test_shared_unit_abondement_share_is_the_faqs_fifty_fifty() -> None:
    """FAQ-2.22: « à parts égales (50-50) » — the dated parameter the split reads."""
    assert PARAMS.shared_unit_abondement_share() == Fraction(1, 2)
    assert PARAMS.entry("shared_unit_abondement_share").source == "FAQ-2.22"


def test_abondement_base_explained_agrees_in_number_and_shows_the_shared_share() -> None:
    """FAQ-2.22: the explanation of a base over one unit says « 1 unité »; a shared unit shows
    its share next to its revenue and the other consortium."""
    holders = holders_of([TERRITORIAL, THEMATIC])
    portions = abondement_portions(THEMATIC, REVENUE, YEARS, holders, PARAMS)

    verdict = abondement_base_explained(THEMATIC, portions, REVENUE, YEARS, holders)

    assert verdict.rule == "FAQ-2.22"
    assert verdict.message == (
        "Assiette d'abondement 2025 : 1\u202f500\u202f000,00 € sur 1 unité ; unités partagées : "
        "200919143B : 1\u202f500\u202f000,00 € sur 3\u202f000\u202f000,00 € (partagée avec "
        "terr-strasbourg).")


def test_eligibility_threshold_over_several_years_compares_the_yearly_average() -> None:
    """FAQ-2.19, open question 3: with the threshold measured on 2024 and 2025, 1.5 M€ a year
    (3 M€ in all) is 1.5 M€ a year on average — below 2.5 M€, whatever the sum."""
    params = PARAMS.with_overrides({"threshold_revenue_years": [2024, 2025]})

    assert not above_eligibility_threshold(300_000_000, params)
    assert above_eligibility_threshold(500_000_001, params)
    assert not above_eligibility_threshold(500_000_000, params)  # 2.5 M€ a year: not above
    verdict = revenue_meets_eligibility_threshold(THEMATIC, 300_000_000, params)
    assert verdict.status is Status.FAILED
    assert verdict.message == (
        "Recettes abondables 2024–2025 (unités partagées comptées en entier, FAQ-2.22) : "
        "3\u202f000\u202f000,00 €, soit 1\u202f500\u202f000,00 € par an en moyenne, pas "
        "supérieures au seuil de 2\u202f500\u202f000,00 €.")


# --- panel readings: what cannot be checked yet ----------------------------------------------

def test_faq_2_19_threshold_not_checkable_while_the_ledgers_hold_no_contract() -> None:
    verdict = threshold_not_checkable_without_contracts(application("a", ["200919143B"]), PARAMS)

    assert (verdict.rule, verdict.status) == ("FAQ-2.19", Status.NOT_CHECKABLE)
    assert verdict.check == "threshold_not_checkable_without_contracts"
    assert verdict.message == ("Recettes abondables 2025 : pas encore vérifiables, le registre "
                               "des contrats ne compte aucun contrat de ses unités (1 unité) ; "
                               "le seuil de 2\u202f500\u202f000,00 € sera vérifié une fois leurs "
                               "contrats saisis.")


def test_faq_2_22_bases_not_checkable_while_the_ledgers_hold_no_contract() -> None:
    verdict = bases_not_checkable_without_contracts(application("a", ["200919143B"]))

    assert (verdict.rule, verdict.status) == ("FAQ-2.22", Status.NOT_CHECKABLE)
    assert verdict.check == "bases_not_checkable_without_contracts"


def test_faq_2_22_abondement_base_not_checkable_until_every_rule_is_met() -> None:
    verdict = abondement_base_not_checkable_until_rules_met(
        application("a", ["200919143B"]), 1_000_000_00, PARAMS)

    assert (verdict.rule, verdict.status) == ("FAQ-2.22", Status.NOT_CHECKABLE)
    assert verdict.figures == {"recettes_seuil_cents": 1_000_000_00}
    assert verdict.message.startswith("Assiette du seuil 2025 (unités partagées comptées en "
                                      "entier) : ")
