"""FAQ-3.2 with décret 2008-1354: a company's size class from its group-level figures.

Every boundary below is computed by hand from the ceilings of the 2026 parameters:
TPE < 10 people and turnover or balance sheet ≤ 2 M€; PME < 250 people and turnover ≤ 50 M€ or
balance sheet ≤ 43 M€; ETI < 5,000 people and turnover ≤ 1,500 M€ or balance sheet ≤ 2,000 M€.
"""

from __future__ import annotations

import pytest

from carnot.rules.domain import PartnerCategory
from carnot.rules.parameters import ParameterError, load_call_parameters, parse_parameters
from carnot.rules.partners import partner_category_from_figures
from carnot.rules.verdicts import Status

M = 100_000_000
"""One million euros, in cents."""

P = PartnerCategory


def category(headcount: int | None, turnover: int | None, balance: int | None,
             year: int = 2026) -> PartnerCategory | None:
    return partner_category_from_figures(headcount=headcount, turnover_cents=turnover,
                                         balance_sheet_cents=balance, year=year).category


@pytest.mark.parametrize(("headcount", "turnover", "balance", "expected"), [
    # TPE: strictly fewer than 10 people, 2 M€ included.
    (9, 2 * M, 2 * M, P.MICRO),
    (9, 2 * M + 1, 2 * M, P.MICRO),        # turnover above, balance sheet within: « ou »
    (9, 2 * M + 1, 2 * M + 1, P.SME),      # both above 2 M€: a PME
    (10, 1 * M, 1 * M, P.SME),             # exactly 10 people: not a TPE
    # PME: strictly fewer than 250 people; 50 M€ turnover or 43 M€ balance sheet.
    (249, 50 * M, 100 * M, P.SME),
    (249, 60 * M, 43 * M, P.SME),          # the balance-sheet alternative
    (249, 50 * M + 1, 43 * M + 1, P.MIDCAP),
    (250, 1 * M, 1 * M, P.MIDCAP),         # exactly 250 people: not a PME
    # ETI: strictly fewer than 5,000 people; 1,500 M€ turnover or 2,000 M€ balance sheet.
    (4999, 1500 * M, 3000 * M, P.MIDCAP),
    (4999, 3000 * M, 2000 * M, P.MIDCAP),
    (4999, 1500 * M + 1, 2000 * M + 1, P.LARGE),
    (5000, 1 * M, 1 * M, P.LARGE),         # exactly 5,000 people: a large company
])
def test_size_class_boundaries_faq_3_2(headcount: int, turnover: int, balance: int,
                                       expected: PartnerCategory) -> None:
    """FAQ-3.2: the ceilings of décret 2008-1354, each boundary on both sides."""
    assert category(headcount, turnover, balance) is expected


def test_one_money_figure_is_enough_for_the_or_condition() -> None:
    assert category(120, 30 * M, None) is P.SME
    assert category(120, None, 40 * M) is P.SME
    assert category(120, None, 44 * M) is P.MIDCAP


def test_micro_is_an_sme_and_the_reason_says_so_faq_3_2() -> None:
    verdict = partner_category_from_figures(headcount=4, turnover_cents=500_000_00,
                                            balance_sheet_cents=None, year=2025)
    assert verdict.category is P.MICRO
    assert verdict.is_sme
    assert "une TPE est une PME (FAQ-3.2)" in verdict.message
    assert verdict.message.startswith("TPE en 2025 (FAQ-3.2, décret 2008-1354)")


def test_verdict_explains_why_with_the_figures() -> None:
    verdict = partner_category_from_figures(headcount=300, turnover_cents=80 * M,
                                            balance_sheet_cents=None, year=2026)
    assert verdict.category is P.MIDCAP
    assert verdict.reasons == (
        "pas TPE : 300 personnes, pas moins de 10",
        "pas PME : 300 personnes, pas moins de 250",
        "ETI : 300 personnes (moins de 5000) et chiffre d'affaires 80\u202f000\u202f000,00 € "
        "(au plus 1\u202f500\u202f000\u202f000,00 €)",
    )
    assert verdict.figures == {"headcount": 300, "turnover_cents": 80 * M,
                               "balance_sheet_cents": None, "year": 2026}
    assert verdict.as_verdict("ACME").status is Status.PASSED


def test_large_company_reason() -> None:
    verdict = partner_category_from_figures(headcount=6000, turnover_cents=1 * M,
                                            balance_sheet_cents=1 * M, year=2026)
    assert verdict.category is P.LARGE
    assert verdict.reasons[-1] == "grande entreprise : au-delà des plafonds des ETI"


def test_missing_figures_give_no_category() -> None:
    verdict = partner_category_from_figures(headcount=None, turnover_cents=None,
                                            balance_sheet_cents=None, year=2026)
    assert verdict.category is None
    assert "il manque l'effectif et le chiffre d'affaires ou le total de bilan" in verdict.message
    assert verdict.as_verdict().status is Status.NOT_CHECKABLE
    assert category(-1, 1, 1) is None


def test_a_year_without_its_own_call_reads_the_ceilings_in_force_that_year() -> None:
    """The décret's ceilings are in force since 2008: a category of 2022 is derived."""
    assert category(9, 1 * M, None, year=2022) is P.MICRO


def test_ceilings_in_force_from_the_decree_of_december_2008_not_before() -> None:
    """A year no value of the ceilings covers is an error naming the year, never the closest
    call's ceilings."""
    assert category(9, 1 * M, None, year=2008) is P.MICRO
    with pytest.raises(ParameterError, match=r"^Aucun paramètre pour l'année 2007 : "
                                             r"« company_size_classes »"):
        category(9, 1 * M, None, year=2007)


def test_ceilings_are_dated_parameters_with_their_source() -> None:
    params = load_call_parameters(2027)
    limits = params.company_size_limits(P.SME)
    assert (limits.headcount_below, limits.turnover_max_cents, limits.balance_sheet_max_cents) \
        == (250, 50 * M, 43 * M)
    assert params.entry("company_size_classes").source == "décret 2008-1354"
    with pytest.raises(ParameterError, match="classe de taille"):
        params.company_size_limits(P.LARGE)


def test_an_override_of_the_ceilings_is_used() -> None:
    params = load_call_parameters(2026).with_overrides({"company_size_classes": {
        "micro": {"headcount_below": 10, "turnover_max": "2000000", "balance_sheet_max": "2e6"},
        "sme": {"headcount_below": 300, "turnover_max": "50000000",
                "balance_sheet_max": "43000000"},
        "midcap": {"headcount_below": 5000, "turnover_max": "1500000000",
                   "balance_sheet_max": "2000000000"},
    }})
    verdict = partner_category_from_figures(headcount=260, turnover_cents=1 * M,
                                            balance_sheet_cents=None, year=2026, params=params)
    assert verdict.category is P.SME
    assert verdict.source == "scenario"


def test_malformed_ceilings_are_refused() -> None:
    document = {"call_year": 2026, "parameters": {
        name: entry.describe() for name, entry in
        ((n, load_call_parameters(2026).entry(n)) for n in load_call_parameters(2026).names())}}
    document["parameters"]["company_size_classes"]["value"] = {
        "micro": {"headcount_below": 10, "turnover_max": "x", "balance_sheet_max": "1"},
        "sme": {"headcount_below": 250, "turnover_max": "1", "balance_sheet_max": "1"},
        "midcap": {"headcount_below": 5000, "turnover_max": "1", "balance_sheet_max": "1"},
    }
    with pytest.raises(ParameterError, match="company_size_classes : classe « micro »"):
        parse_parameters(document)
