"""Contract eligibility (FAQ-2.6, FAQ-2.28, FAQ-3.1 to FAQ-3.3): the verdict on one contract and
the French sentence that gives its reason."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carnot.rules.contracts import contract_eligibilities, contract_eligibility
from carnot.rules.domain import Contract, PartnerCategory
from carnot.rules.parameters import load_call_parameters

PARAMS = load_call_parameters(2026)
NNBSP = "\u202f"


def contract(category: PartnerCategory, total_cents: int, *, cifre: bool = False,
             in_theme: bool = True) -> Contract:
    return Contract("C1", "200919143B", category, total_cents, date(2025, 1, 6),
                    {2025: total_cents}, cifre=cifre, in_theme=in_theme)


def test_faq_2_6_contract_with_a_crt_member_gives_its_reason_in_plain_french() -> None:
    """FAQ-2.6: a CRT member of the consortium is not a socio-economic partner."""
    verdict = contract_eligibility(contract(PartnerCategory.CRT_MEMBER, 10_000_000), PARAMS)

    assert (verdict.eligible, verdict.rule) == (False, "FAQ-2.6")
    assert verdict.message == ("Contrat C1 : un CRT membre du consortium n'est pas un acteur "
                               "socio-économique ; le contrat ne compte pas.")


@pytest.mark.parametrize(("category", "partner"), [
    (PartnerCategory.MICRO, "une TPE"),
    (PartnerCategory.SME, "une PME"),
    (PartnerCategory.MIDCAP, "une ETI"),
    (PartnerCategory.LARGE, "une grande entreprise"),
    (PartnerCategory.LOCAL_AUTHORITY, "une collectivité territoriale"),
    (PartnerCategory.OTHER, "un autre partenaire"),
])
def test_faq_3_2_excluded_contract_names_its_partner_with_the_right_article(
        category: PartnerCategory, partner: str) -> None:
    """FAQ-3.2, FAQ-3.3: below the threshold, the reason names the partner and the threshold."""
    verdict = contract_eligibility(contract(category, 1_000_000), PARAMS)

    assert not verdict.eligible
    assert verdict.message.startswith(f"Contrat C1 (avec {partner}) : 10{NNBSP}000,00 € HT ne "
                                      "dépasse pas le seuil de ")
    assert verdict.message.endswith(" ; il ne compte pas.")


def test_faq_3_1_cifre_contract_says_so_and_meets_the_same_threshold() -> None:
    verdict = contract_eligibility(contract(PartnerCategory.LARGE, 3_500_000, cifre=True), PARAMS)

    assert (verdict.eligible, verdict.rule) == (True, "FAQ-3.1")
    assert verdict.message == (f"Contrat C1 (thèse CIFRE avec une grande entreprise) : "
                               f"35{NNBSP}000,00 € HT dépasse le seuil de 30{NNBSP}000,00 €.")


def test_faq_2_28_out_of_theme_contract_says_it_still_counts() -> None:
    verdict = contract_eligibility(contract(PartnerCategory.SME, 2_000_000, in_theme=False),
                                   PARAMS)

    assert (verdict.eligible, verdict.rule) == (True, "FAQ-2.28")
    assert verdict.message.endswith("; hors thématique mais éligible (FAQ-2.28).")


def test_open_question_1_contract_at_exactly_the_threshold_when_inclusive_reaches_it() -> None:
    """Open question 1: with an inclusive bound, 30 000,00 € counts — it reaches the threshold,
    it does not exceed it, and the message says so."""
    params = PARAMS.with_overrides({"contract_threshold_is_strict": False})
    verdict = contract_eligibility(contract(PartnerCategory.LARGE, 3_000_000), params)

    assert verdict.eligible
    assert verdict.message == (f"Contrat C1 (avec une grande entreprise) : 30{NNBSP}000,00 € HT "
                               f"atteint le seuil de 30{NNBSP}000,00 €.")


@given(st.lists(st.tuples(st.sampled_from(PartnerCategory),
                          st.integers(min_value=0, max_value=6_000_000),
                          st.booleans(), st.booleans()), max_size=30),
       st.booleans())
def test_the_whole_call_at_once_gives_each_contract_its_own_verdict(
        drawn: list[tuple[PartnerCategory, int, bool, bool]], strict: bool) -> None:
    """``contract_eligibilities`` (the evaluation of a national call) decides as
    ``contract_eligibility`` does, contract by contract, bounds included (FAQ-2.6, 2.28,
    3.1–3.3), strict or not (open question 1)."""
    params = PARAMS.with_overrides({"contract_threshold_is_strict": strict})
    contracts = [contract(category, total, cifre=cifre, in_theme=in_theme)
                 for category, total, cifre, in_theme in drawn]
    contracts += [contract(PartnerCategory.SME, 1_500_000), contract(PartnerCategory.LARGE,
                                                                     3_000_000)]
    assert contract_eligibilities(contracts, params) == tuple(
        contract_eligibility(one, params) for one in contracts)
