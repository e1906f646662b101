"""FAQ-1.1 (the agreement lasts one year, renewable) and FAQ-4.1 (the abondement of year N is
spent over five years, N to N+4): `carnot.rules.spending`, figures worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from carnot.rules.domain import (
    Application,
    ApplicationKind,
    Contract,
    NationalCall,
    PartnerCategory,
    Pui,
    Signature,
    Structure,
    StructureKind,
    Unit,
    UnitFte,
)
from carnot.rules.evaluation import evaluate_call, evaluation_as_dict
from carnot.rules.parameters import load_call_parameters
from carnot.rules.spending import AgreementPeriod, agreement_period, last_spending_year, spend_by


def _one_territorial_consortium(year: int) -> NationalCall:
    """A fully admissible territorial consortium: one UMR of the PUI's founder, 3 M€ invoiced
    the year before the call under a contract with a large company."""
    structures = {
        "unistra": Structure("unistra", "Université de Strasbourg", StructureKind.UNIVERSITY),
        "cnrs": Structure("cnrs", "CNRS", StructureKind.EPST),
    }
    pui = Pui("pui-strasbourg", "PUI Université de Strasbourg", frozenset({"unistra"}))
    unit = Unit("201822011A", ("unistra", "cnrs"), "unistra", ("Anne Martin",),
                {year - 1: UnitFte(Decimal(40))})
    application = Application(
        "terr-alsace", "Carnot territorial Alsace", ApplicationKind.TERRITORIAL, "unistra",
        (unit,), puis=("pui-strasbourg",),
        signatures=(Signature("unistra", "Michel Deneken", True),
                    Signature("cnrs", "Antoine Petit", True)),
    )
    contract = Contract("C1", "201822011A", PartnerCategory.LARGE, 300_000_000,
                        date(year - 1, 1, 15), {year - 1: 300_000_000})
    return NationalCall(year, structures, {pui.id: pui}, (application,), (contract,))


# --- FAQ-1.1 -------------------------------------------------------------------------------

def test_faq_1_1_agreement_of_2026_lasts_one_calendar_year_and_is_renewable() -> None:
    """FAQ-1.1: « Le conventionnement est d'un an, renouvelable. »"""
    params = load_call_parameters(2026)
    assert params.agreement_duration_years() == 1
    assert params.entry("agreement_duration_years").source == "FAQ-1.1"
    assert agreement_period(2026, params) == AgreementPeriod(
        date(2026, 1, 1), date(2026, 12, 31), renewable=True)


def test_faq_1_1_renewal_in_2027_is_a_new_one_year_agreement() -> None:
    """FAQ-1.1: renewed, the agreement covers the next year only, 1 January to 31 December."""
    assert agreement_period(2027, load_call_parameters(2027)) == AgreementPeriod(
        date(2027, 1, 1), date(2027, 12, 31), renewable=True)


def test_faq_1_1_duration_is_a_dated_parameter_not_a_constant() -> None:
    """FAQ-1.1: the one-year duration is read from the parameters; overridden to two years for
    an evaluation, the agreement of 2026 ends on 31/12/2027."""
    params = load_call_parameters(2026).with_overrides({"agreement_duration_years": 2})
    assert agreement_period(2026, params) == AgreementPeriod(
        date(2026, 1, 1), date(2027, 12, 31), renewable=True)


def test_faq_1_1_evaluation_shows_the_one_year_renewable_agreement() -> None:
    """FAQ-1.1: the national evaluation carries the agreement period and cites the rule."""
    evaluation = evaluate_call(_one_territorial_consortium(2026), load_call_parameters(2026))
    assert evaluation.agreement == AgreementPeriod(date(2026, 1, 1), date(2026, 12, 31), True)
    assert evaluation_as_dict(evaluation)["agreement"] == {
        "starts_on": "2026-01-01", "ends_on": "2026-12-31", "renewable": True,
        "rule": "FAQ-1.1"}


# --- FAQ-4.1 -------------------------------------------------------------------------------

def test_faq_4_1_abondement_of_2026_is_spent_until_31_december_2030() -> None:
    """FAQ-4.1: « L'abondement de l'année N est utilisable sur une période de 5 ans » :
    2026, 2027, 2028, 2029, 2030, so N+4 = 2030 is the last year."""
    params = load_call_parameters(2026)
    assert params.spending_window_years() == 5
    assert last_spending_year(2026, params) == 2030
    assert spend_by(2026, params) == date(2030, 12, 31)


def test_faq_4_1_abondement_of_2027_is_spent_until_31_december_2031() -> None:
    """FAQ-4.1 read from the 2027 parameters: 2027 to 2031 inclusive."""
    params = load_call_parameters(2027)
    assert last_spending_year(2027, params) == 2031
    assert spend_by(2027, params) == date(2031, 12, 31)


def test_faq_4_1_spending_window_is_a_dated_parameter() -> None:
    """FAQ-4.1: the five years are a parameter; with a three-year window, 2026 ends in 2028."""
    params = load_call_parameters(2026).with_overrides({"spending_window_years": 3})
    assert last_spending_year(2026, params) == 2028
    assert spend_by(2026, params) == date(2028, 12, 31)


def test_faq_4_1_funded_consortium_is_told_to_spend_by_31_december_2030() -> None:
    """FAQ-4.1: the only eligible consortium of 2026 receives the whole envelope (62 M€) and
    may spend it until 31/12/2030."""
    evaluation = evaluate_call(_one_territorial_consortium(2026), load_call_parameters(2026))
    [consortium] = evaluation_as_dict(evaluation)["consortia"]
    assert consortium["admissible"] is True
    assert consortium["allocation_cents"] == 6_200_000_000
    assert consortium["spend_by"] == "2030-12-31"
