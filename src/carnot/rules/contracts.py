"""Which research contracts count for the abondement, and why not (FAQ-2.6, 2.28, 3.1–3.3).

The amount threshold applies to the contract's total amount excluding VAT (open question 2);
what counts in a year's revenue is what was invoiced that year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple

from carnot.rules.domain import Contract, PartnerCategory
from carnot.rules.money import Cents, format_euros
from carnot.rules.parameters import CallParameters

CATEGORY_LABELS = {
    PartnerCategory.MICRO: "TPE",
    PartnerCategory.SME: "PME",
    PartnerCategory.MIDCAP: "ETI",
    PartnerCategory.LARGE: "grande entreprise",
    PartnerCategory.LOCAL_AUTHORITY: "collectivité territoriale",
    PartnerCategory.CRT_MEMBER: "CRT membre du consortium",
    PartnerCategory.OTHER: "autre partenaire",
}

PARTNER_WITH_ARTICLE = {
    category: ("un " if category in (PartnerCategory.CRT_MEMBER, PartnerCategory.OTHER)
               else "une ") + label
    for category, label in CATEGORY_LABELS.items()
}
"""The partner as a message names it: « une PME », « un CRT membre du consortium »."""

CategoryThreshold = tuple[str, Cents | None]
"""The rule that says whether a partner category counts, and its threshold (None: it does not)."""


class ContractEligibility(NamedTuple):
    """The verdict on one contract: whether it counts, the rule that decided, the threshold.

    A named tuple, like ``Contract``: one is made for every contract of the call.
    """

    contract: Contract
    eligible: bool
    rule: str
    threshold_cents: Cents | None

    @property
    def message(self) -> str:
        """The reason, in French: why the contract counts or does not (FAQ-2.6, 2.28, 3.1–3.3)."""
        contract = self.contract
        partner = PARTNER_WITH_ARTICLE[contract.partner_category]
        if self.threshold_cents is None:
            return (f"Contrat {contract.id} : {partner} n'est pas un acteur socio-économique ; "
                    "le contrat ne compte pas.")
        amount = format_euros(contract.total_cents)
        threshold = format_euros(self.threshold_cents)
        what = f"thèse CIFRE avec {partner}" if contract.cifre else f"avec {partner}"
        if not self.eligible:
            return (f"Contrat {contract.id} ({what}) : {amount} HT ne dépasse pas le seuil de "
                    f"{threshold} ; il ne compte pas.")
        theme = " ; hors thématique mais éligible (FAQ-2.28)" if not contract.in_theme else ""
        reaches = "dépasse" if contract.total_cents > self.threshold_cents else "atteint"
        return (f"Contrat {contract.id} ({what}) : {amount} HT {reaches} le seuil de "
                f"{threshold}{theme}.")


def partner_is_socio_economic(category: PartnerCategory, params: CallParameters) -> bool:
    """FAQ-2.6: a CRT member of a consortium is a member, not a socio-economic partner; the
    parameter table says which other categories count."""
    return params.partner_category_rule(category).counts


def amount_threshold_rule_id(contract: Contract) -> str:
    """The rule that sets a contract's threshold: CIFRE (FAQ-3.1), local authority (FAQ-3.3),
    or the general SME / other split (FAQ-3.2)."""
    if contract.cifre:
        return "FAQ-3.1"
    if contract.partner_category is PartnerCategory.LOCAL_AUTHORITY:
        return "FAQ-3.3"
    return "FAQ-3.2"


def contract_meets_amount_threshold(total_cents: Cents, threshold_cents: Cents,
                                    strict: bool) -> bool:
    """FAQ-3.2: contracts must be above 15 k€ with a PME (TPE included), above 30 k€ otherwise;
    whether "above" is strict is a parameter (open question 1)."""
    return total_cents > threshold_cents if strict else total_cents >= threshold_cents


@lru_cache(maxsize=16)
def category_thresholds(params: CallParameters) -> Mapping[PartnerCategory, CategoryThreshold]:
    """FAQ-2.6, FAQ-3.2, FAQ-3.3: for each partner category, the rule that says whether it
    counts and its contracts' amount threshold — None for a category that does not count.

    Read from the parameters once per set of parameters (a ``CallParameters`` never changes),
    not once per contract: a national call has hundreds of thousands of contracts.
    """
    by_category: dict[PartnerCategory, CategoryThreshold] = {}
    for category in PartnerCategory:
        category_rule = params.partner_category_rule(category)
        threshold = None
        if partner_is_socio_economic(category, params):
            assert category_rule.threshold is not None  # a category that counts has one
            threshold = params.contract_threshold_cents(category_rule.threshold)
        by_category[category] = (category_rule.source, threshold)
    return by_category


def contract_eligibility(contract: Contract, params: CallParameters) -> ContractEligibility:
    """FAQ-2.6, FAQ-3.1 to FAQ-3.3, FAQ-2.28: whether a contract counts for the abondement, with
    the rule that decided (``contract_eligibilities`` of this one contract)."""
    return contract_eligibilities((contract,), params)[0]


def contract_eligibilities(contracts: Iterable[Contract],
                           params: CallParameters) -> tuple[ContractEligibility, ...]:
    """FAQ-2.6, FAQ-3.1 to FAQ-3.3, FAQ-2.28: whether each contract counts for the abondement,
    in order, with the rule that decided.

    The partner must be a socio-economic one (FAQ-2.6) and the contract's total above its
    category's threshold (FAQ-3.2, FAQ-3.3); CIFRE contracts follow the same thresholds (FAQ-3.1);
    out-of-theme contracts of a thematic consortium still count (FAQ-2.28).
    """
    strict = params.contract_threshold_is_strict()
    by_category = category_thresholds(params)
    found = []
    for contract in contracts:
        source, threshold = by_category[contract.partner_category]
        if threshold is None:
            found.append(ContractEligibility(contract, False, source, None))
            continue
        meets = contract_meets_amount_threshold(contract.total_cents, threshold, strict)
        rule = amount_threshold_rule_id(contract)
        if meets and not contract.in_theme:
            rule = "FAQ-2.28"
        found.append(ContractEligibility(contract, meets, rule, threshold))
    return tuple(found)
