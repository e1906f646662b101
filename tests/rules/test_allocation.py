"""National allocation of the envelope (open questions 5 and 9, FAQ-3.5 floors, FAQ-2.14 bonus).

Property tests on ``carnot.rules.allocation.allocate``: whatever the claims, the envelope is
shared to the cent, nobody gets a negative amount, the guaranteed floors of former Carnot 4
institutes (FAQ-3.5) are honoured when the envelope allows, and a consortium never loses money
because its own base grew — under both floor policies and with a performance bonus.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from random import Random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from carnot.rules.allocation import Allocation, Claim, allocate
from carnot.rules.parameters import FloorPolicy

MAX_BASE = 10**10  # 100 M€ of abondement base, in cents
MAX_FLOOR = 10**9
MAX_ENVELOPE = 10**11

policies = st.sampled_from(list(FloorPolicy))
bonus_shares = st.one_of(st.just(Fraction(0)),
                         st.fractions(min_value=0, max_value=Fraction(1, 2), max_denominator=100))
envelopes = st.integers(min_value=0, max_value=MAX_ENVELOPE)


@st.composite
def claim_lists(draw: st.DrawFn, min_size: int = 1, max_size: int = 6) -> list[Claim]:
    """Claims with distinct ids, listed in any order; bases, floors and bonus weights often 0."""
    ids = draw(st.lists(st.text(alphabet="abcdefgh-", min_size=1, max_size=6),
                        min_size=min_size, max_size=max_size, unique=True))
    claims = []
    for consortium in ids:
        base = draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=MAX_BASE)))
        floor = draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=MAX_FLOOR)))
        bonus = draw(st.one_of(st.just(Fraction(0)),
                               st.integers(min_value=0, max_value=MAX_BASE).map(Fraction)))
        claims.append(Claim(consortium, base, floor, bonus))
    return claims


def bonus_part(envelope: int, share: Fraction, claims: list[Claim]) -> int:
    """Open question 10: the bonus share of the envelope, rounded down to the cent, set aside only
    when some consortium has a bonus weight."""
    if not any(claim.bonus_weight > 0 for claim in claims):
        return 0
    return envelope * share.numerator // share.denominator


def amounts(allocation: Allocation, claims: list[Claim]) -> dict[str, int]:
    return {claim.consortium: allocation.amount(claim.consortium) for claim in claims}


# --- properties -----------------------------------------------------------------------------

@settings(max_examples=300)
@given(claim_lists(), envelopes, policies, bonus_shares)
def test_allocation_adds_up_to_the_envelope_to_the_cent(claims: list[Claim], envelope: int,
                                                        policy: FloorPolicy,
                                                        share: Fraction) -> None:
    """Open question 9: the parts add up to the envelope exactly, as soon as some consortium has
    a base or a floor to receive it and the floors fit in the envelope."""
    assume(any(claim.base_cents > 0 or claim.floor_cents > 0 for claim in claims))
    assume(sum(claim.floor_cents for claim in claims) <= envelope)

    allocation = allocate(envelope, claims, policy, share)

    assert allocation.allocated_cents == envelope
    assert sum(amounts(allocation, claims).values()) == envelope


@settings(max_examples=300)
@given(claim_lists(), envelopes, policies, bonus_shares)
def test_allocation_adds_up_to_the_envelope_when_some_base_is_positive(
        claims: list[Claim], envelope: int, policy: FloorPolicy, share: Fraction) -> None:
    """Open question 9, the common case: some consortium has a positive abondement base (as every
    eligible consortium does, being above 2.5 M€), whatever the floors — even floors above the
    envelope, which are then scaled down."""
    assume(any(claim.base_cents > 0 for claim in claims))

    allocation = allocate(envelope, claims, policy, share)

    assert allocation.allocated_cents == envelope


@settings(max_examples=300)
@given(claim_lists(), envelopes, policies, bonus_shares)
def test_no_consortium_gets_a_negative_amount(claims: list[Claim], envelope: int,
                                             policy: FloorPolicy, share: Fraction) -> None:
    allocation = allocate(envelope, claims, policy, share)

    assert all(cents >= 0 for cents in allocation.pro_rata_cents.values())
    assert all(cents >= 0 for cents in allocation.bonus_cents.values())
    assert allocation.allocated_cents <= envelope


@settings(max_examples=300)
@given(claim_lists(), envelopes, policies, bonus_shares)
def test_guaranteed_floors_are_honoured_when_they_fit_in_the_envelope(
        claims: list[Claim], envelope: int, policy: FloorPolicy, share: Fraction) -> None:
    """FAQ-3.5: a former Carnot 4 meeting the guarantee gets at least its floor (80 % of its
    reference abondement) out of the pro-rata part, whenever the floors together fit in it."""
    base_part = envelope - bonus_part(envelope, share, claims)
    assume(sum(claim.floor_cents for claim in claims) <= base_part)

    allocation = allocate(envelope, claims, policy, share)

    for claim in claims:
        assert allocation.pro_rata_cents[claim.consortium] >= claim.floor_cents, claim


@settings(max_examples=300)
@given(claim_lists(), envelopes, policies, bonus_shares, st.data(),
       st.integers(min_value=1, max_value=MAX_BASE))
def test_raising_a_consortium_base_never_lowers_its_amount(
        claims: list[Claim], envelope: int, policy: FloorPolicy, share: Fraction,
        data: st.DataObject, raise_by: int) -> None:
    """Monotonicity: other things equal, more eligible revenue never means less abondement."""
    index = data.draw(st.integers(min_value=0, max_value=len(claims) - 1), label="raised claim")
    raised = [replace(claim, base_cents=claim.base_cents + raise_by) if position == index
              else claim for position, claim in enumerate(claims)]
    consortium = claims[index].consortium

    before = allocate(envelope, claims, policy, share).amount(consortium)
    after = allocate(envelope, raised, policy, share).amount(consortium)

    assert after >= before


@given(claim_lists(), envelopes, policies, bonus_shares, st.randoms(use_true_random=False))
def test_allocation_does_not_depend_on_the_order_of_the_claims(
        claims: list[Claim], envelope: int, policy: FloorPolicy, share: Fraction,
        random: Random) -> None:
    """Open question 9: ties are broken by consortium id, never by the order of the input."""
    shuffled = list(claims)
    random.shuffle(shuffled)

    first = allocate(envelope, claims, policy, share)
    second = allocate(envelope, shuffled, policy, share)

    assert amounts(first, claims) == amounts(second, claims)


# --- examples computed by hand --------------------------------------------------------------

FORMER = Claim("carnot4-mica", base_cents=300_000_000, floor_cents=40_000_001)
AGRO = Claim("them-agro", base_cents=400_000_000)
SANTE = Claim("them-sante", base_cents=500_000_000)


def test_top_up_gives_the_floored_consortium_exactly_its_floor_and_the_rest_pro_rata() -> None:
    """FAQ-3.5, policy top_up: 1 000 000,00 € at bases 3 : 4 : 5 would give the former Carnot
    250 000,00 €, below its floor of 400 000,01 €; it gets its floor, the other two share
    599 999,99 € at 4 : 5 (266 666,662… and 333 333,327…; the odd cent to the larger remainder)."""
    allocation = allocate(100_000_000, [SANTE, FORMER, AGRO], FloorPolicy.TOP_UP, Fraction(0))

    assert amounts(allocation, [FORMER, AGRO, SANTE]) == {
        "carnot4-mica": 40_000_001, "them-agro": 26_666_666, "them-sante": 33_333_333}
    assert allocation.floored == frozenset({"carnot4-mica"})


def test_floors_first_pays_the_floor_then_shares_the_rest_among_all() -> None:
    """FAQ-3.5, policy floors_first: 400 000,01 € first, then 599 999,99 € at 3 : 4 : 5 —
    149 999,9975, 199 999,9966…, 249 999,9958… € — the two odd cents to the former Carnot and
    them-agro (largest remainders)."""
    allocation = allocate(100_000_000, [SANTE, FORMER, AGRO], FloorPolicy.FLOORS_FIRST,
                          Fraction(0))

    assert amounts(allocation, [FORMER, AGRO, SANTE]) == {
        "carnot4-mica": 55_000_001, "them-agro": 20_000_000, "them-sante": 24_999_999}


@pytest.mark.parametrize("policy", list(FloorPolicy))
def test_floors_above_the_envelope_share_it_pro_rata_of_the_floors(policy: FloorPolicy) -> None:
    """Open question 5: when the floors alone exceed the envelope, the floored consortia share it
    pro rata of their floors (300 : 100 of 200,00 €) and the others get nothing."""
    claims = [Claim("a", 1_000, floor_cents=30_000), Claim("b", 1_000, floor_cents=10_000),
              Claim("c", 50_000)]

    allocation = allocate(20_000, claims, policy, Fraction(0))

    assert amounts(allocation, claims) == {"a": 15_000, "b": 5_000, "c": 0}


def test_bonus_share_is_set_aside_and_shared_by_bonus_weight() -> None:
    """FAQ-2.14 (2027, open question 10): 10 % of 1 000,01 € = 100,001 € → 100,00 € of bonus
    (rounded down), shared 1 : 3 by growth; 900,01 € shared pro rata of bases 1 : 1 (the odd
    cent to the first id)."""
    claims = [Claim("a", 5_000, bonus_weight=Fraction(1)),
              Claim("b", 5_000, bonus_weight=Fraction(3))]

    allocation = allocate(100_001, claims, FloorPolicy.TOP_UP, Fraction(1, 10))

    assert allocation.bonus_cents == {"a": 2_500, "b": 7_500}
    assert allocation.pro_rata_cents == {"a": 45_001, "b": 45_000}
    assert allocation.allocated_cents == 100_001


def test_no_bonus_is_set_aside_when_no_consortium_has_grown() -> None:
    """FAQ-2.14: with no growth, the whole envelope goes pro rata of the bases."""
    claims = [Claim("a", 1), Claim("b", 3)]

    allocation = allocate(1_000, claims, FloorPolicy.TOP_UP, Fraction(1, 10))

    assert allocation.bonus_cents == {}
    assert allocation.pro_rata_cents == {"a": 250, "b": 750}


def test_an_envelope_without_eligible_consortium_is_not_shared() -> None:
    allocation = allocate(1_000, [], FloorPolicy.TOP_UP, Fraction(0))

    assert allocation.allocated_cents == 0


def test_an_envelope_without_eligible_consortium_cites_the_allocation_step_not_a_faq_rule() -> None:
    """Nobody eligible is the outcome of every admissibility rule, not of FAQ-2.19 alone: the
    step that leaves the envelope unshared is the envelope step ALLOC-1."""
    allocation = allocate(1_000, [], FloorPolicy.TOP_UP, Fraction(0))

    [step] = allocation.steps
    assert step.rule == "ALLOC-1"
    assert "Aucun consortium éligible" in step.message


def test_floor_policy_is_explained_in_french_in_the_allocation_step() -> None:
    """The ALLOC-2 step names the policy by its parameter value and says what it does."""
    claims = [Claim("a", 1, floor_cents=900), Claim("b", 3)]

    top_up = allocate(1_000, claims, FloorPolicy.TOP_UP, Fraction(0))
    floors_first = allocate(1_000, claims, FloorPolicy.FLOORS_FIRST, Fraction(0))

    assert "« top_up » (planchers complétés après le prorata)" in top_up.steps[1].message
    assert "« floors_first » (planchers servis avant le prorata)" in floors_first.steps[1].message
