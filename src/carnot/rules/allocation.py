"""National allocation of a year's envelope among eligible consortia.

Pro rata of the abondement bases, guaranteed floors of former Carnot 4 institutes honoured
(the policy is a named parameter), and from 2027 a performance bonus. Amounts are exact cents:
the largest-remainder rule makes the parts add up to the envelope exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from carnot.rules.money import Cents, apportion, format_euros
from carnot.rules.parameters import FloorPolicy
from carnot.rules.verdicts import Verdict, passed

FLOOR_POLICY_LABELS = {
    FloorPolicy.TOP_UP: "planchers complétés après le prorata",
    FloorPolicy.FLOORS_FIRST: "planchers servis avant le prorata",
}


@dataclass(frozen=True, slots=True)
class Claim:
    """What one eligible consortium brings to the allocation."""

    consortium: str
    base_cents: Cents
    floor_cents: Cents = 0
    bonus_weight: Fraction = Fraction(0)


@dataclass(frozen=True, slots=True)
class Allocation:
    envelope_cents: Cents
    pro_rata_cents: Mapping[str, Cents]
    bonus_cents: Mapping[str, Cents]
    floored: frozenset[str]
    steps: tuple[Verdict, ...] = field(default=())

    def amount(self, consortium: str) -> Cents:
        return self.pro_rata_cents.get(consortium, 0) + self.bonus_cents.get(consortium, 0)

    @property
    def allocated_cents(self) -> Cents:
        return sum(self.pro_rata_cents.values()) + sum(self.bonus_cents.values())


def bonus_part_of_envelope(envelope: Cents, share: Fraction, claims: Sequence[Claim]) -> Cents:
    """FAQ-2.14 (open question 10): the share of the envelope set aside for the performance
    bonus, rounded down to the cent; nothing when no consortium has grown its revenue."""
    if not any(claim.bonus_weight > 0 for claim in claims):
        return 0
    return int(envelope * share)


def share_pro_rata_with_top_up(total: Cents, claims: Sequence[Claim]) -> tuple[dict[str, Cents],
                                                                               frozenset[str]]:
    """Open question 5, policy ``top_up``: pro rata of the bases; a consortium whose share falls
    below its floor is raised to it, and the others share what is left pro rata of their bases.

    Equivalent to amount = max(floor, λ·base) with λ set so the amounts sum to ``total``.
    """
    floored: set[str] = set()
    while True:
        free = [claim for claim in claims if claim.consortium not in floored]
        left = total - sum(claim.floor_cents for claim in claims if claim.consortium in floored)
        free_base = sum(claim.base_cents for claim in free)
        newly = {claim.consortium for claim in free
                 if claim.floor_cents and Fraction(left * claim.base_cents, free_base or 1)
                 < claim.floor_cents}
        if not newly:
            break
        floored |= newly
    amounts = {claim.consortium: claim.floor_cents
               for claim in claims if claim.consortium in floored}
    amounts.update(_pro_rata(left, free))
    return amounts, frozenset(floored)


def share_floors_first(total: Cents, claims: Sequence[Claim]) -> tuple[dict[str, Cents],
                                                                       frozenset[str]]:
    """Open question 5, policy ``floors_first``: floors are paid first, then what is left of the
    envelope is shared pro rata of the bases among all eligible consortia."""
    floors = {claim.consortium: claim.floor_cents for claim in claims}
    shares = _pro_rata(total - sum(floors.values()), claims)
    return ({consortium: floors[consortium] + shares.get(consortium, 0) for consortium in floors},
            frozenset(consortium for consortium, floor in floors.items() if floor))


def _pro_rata(total: Cents, claims: Sequence[Claim]) -> dict[str, Cents]:
    """ALLOC-3: ``total`` shared pro rata of the bases, to the cent; nothing when no base."""
    weights = [(claim.consortium, Fraction(claim.base_cents)) for claim in claims]
    if total == 0 or not any(weight for _, weight in weights):
        return {consortium: 0 for consortium, _ in weights}
    return apportion(total, weights)


def floors_scaled_to_envelope(total: Cents, claims: Sequence[Claim]) -> dict[str, Cents]:
    """When the floors alone exceed the envelope, each floored consortium gets the envelope
    pro rata of its floor, and the others nothing."""
    return apportion(total, [(claim.consortium, Fraction(claim.floor_cents)) for claim in claims])


def share_left_over_by_floors(left_over: Cents, amounts: Mapping[str, Cents],
                              claims: Sequence[Claim]) -> tuple[dict[str, Cents], Verdict]:
    """When no eligible consortium has a base, what the floors leave of the envelope is shared
    pro rata of the floors; with no floor either, it stays unallocated and the step says so."""
    floors = [(claim.consortium, Fraction(claim.floor_cents)) for claim in claims
              if claim.floor_cents]
    if not floors:
        return dict(amounts), passed(
            "ALLOC-2", f"Aucune assiette ni aucun plancher : {format_euros(left_over)} restent "
            "non répartis.", figures={"non_reparti_cents": left_over})
    extra = apportion(left_over, floors)
    shared = {consortium: amount + extra.get(consortium, 0)
              for consortium, amount in amounts.items()}
    return shared, passed(
        "ALLOC-2", f"Aucune assiette positive : le reste de l'enveloppe "
        f"({format_euros(left_over)}) est réparti au prorata des planchers garantis.",
        figures={"reste_cents": left_over}, parameters=("floor_policy",))


def allocate(envelope: Cents, claims: Sequence[Claim], policy: FloorPolicy,
             bonus_share: Fraction) -> Allocation:
    """ALLOC-1 to ALLOC-3: share ``envelope`` among ``claims`` — the performance bonus set aside
    (FAQ-2.14), the guaranteed floors honoured by ``policy`` (FAQ-3.5), the rest pro rata of the
    bases, to the cent. Claims are sorted by consortium id, so the result is deterministic."""
    claims = sorted(claims, key=lambda claim: claim.consortium)
    if not claims:
        return Allocation(envelope, {}, {}, frozenset(), (passed(
            "ALLOC-1", f"Aucun consortium éligible : l'enveloppe ({format_euros(envelope)}) "
            "n'est pas répartie.", figures={"enveloppe_cents": envelope},
            parameters=("envelope",)),))
    bonus_total = bonus_part_of_envelope(envelope, bonus_share, claims)
    base_total = envelope - bonus_total
    steps = [passed("ALLOC-1", f"Enveloppe {format_euros(envelope)} : "
                    f"{format_euros(base_total)} au prorata des assiettes, "
                    f"{format_euros(bonus_total)} de bonus performance.",
                    figures={"enveloppe_cents": envelope, "part_prorata_cents": base_total,
                             "part_bonus_cents": bonus_total},
                    parameters=("envelope", "performance_bonus_share"))]
    floors_total = sum(claim.floor_cents for claim in claims)
    if floors_total > base_total:
        pro_rata = floors_scaled_to_envelope(base_total, claims)
        floored = frozenset(claim.consortium for claim in claims if claim.floor_cents)
        steps.append(passed("ALLOC-2", f"Les planchers garantis ({format_euros(floors_total)}) "
                            f"dépassent l'enveloppe ({format_euros(base_total)}) : réduits au "
                            "prorata des planchers, les autres consortiums ne reçoivent rien.",
                            figures={"planchers_cents": floors_total},
                            parameters=("floor_policy",)))
    else:
        share = (share_pro_rata_with_top_up if policy is FloorPolicy.TOP_UP
                 else share_floors_first)
        pro_rata, floored = share(base_total, claims)
        steps.append(passed("ALLOC-2", f"Planchers garantis ({format_euros(floors_total)}) "
                            f"honorés selon la règle « {policy.value} » "
                            f"({FLOOR_POLICY_LABELS[policy]}) ; consortiums au "
                            f"plancher : {', '.join(sorted(floored)) or 'aucun'}.",
                            figures={"planchers_cents": floors_total, "au_plancher": floored},
                            parameters=("floor_policy",)))
    left_over = base_total - sum(pro_rata.values())
    if left_over:
        pro_rata, step = share_left_over_by_floors(left_over, pro_rata, claims)
        steps.append(step)
    bonus = _bonus(bonus_total, claims)
    steps.append(passed("ALLOC-3", "Arrondi au centime par la méthode des plus forts restes "
                        "(égalités départagées par identifiant) : total réparti = "
                        f"{format_euros(sum(pro_rata.values()) + sum(bonus.values()))}."))
    return Allocation(envelope, pro_rata, bonus, floored, tuple(steps))


def _bonus(total: Cents, claims: Sequence[Claim]) -> dict[str, Cents]:
    """FAQ-2.14 (open question 10): the bonus part shared by bonus weight, to the cent."""
    weights = [(claim.consortium, claim.bonus_weight) for claim in claims if claim.bonus_weight]
    return apportion(total, weights) if total else {}
