"""The demo's contract ledgers, and its published 2026 allocation with grants and spending.

``plan_ledgers(units, applications, seed=…)`` decides in memory, from its own random generator
seeded from the demo's seed (the registry's data stay exactly what they were), the partners and
the research contracts of every unit that an application declares, with what each contract
invoiced from 2023 to 2026. ``funding.write_ledgers`` writes them with bulk
inserts; ``funding.publish_demo_allocation`` then runs the 2026 allocation through the services,
publishes it, turns it into grants and records a few expenditures of the demo coordinator.
``national.build_demo`` calls all three, so that ``carnot demo`` and ``build_demo(scale=10)``
both have them.

The figures follow the network (``shared/domain/network-facts.md``): a unit invoices in a year
about its research FTE times an intensity of its kind (a few k€ per FTE in a university
laboratory, tens of k€ in an EPIC or a technical centre); contracts are signed every year
with TPE, PME, ETI, large companies (French and foreign), local authorities, other partners and,
for the consortia that have one, their CRT; they run one to four years and invoice year by year.
Every partner company carries the group figures that justify its size class (décret 2008-1354),
checked by the rules package. So that the admissibility panel and the allocation have something
to show:

* some contracts do not count, each for a visible reason: below the 15 k€ or 30 k€ bound, an
  amount exactly at the bound (« plus de » is strict), a CIFRE thesis with an ETI below 30 k€, a
  local authority below 30 k€, a CRT member of the consortium (FAQ-2.6, FAQ-3.1 to FAQ-3.3);
  out-of-theme contracts of thematic consortia still count (FAQ-2.28);
* every application passes the 2,5 M€ threshold on its 2025 revenue (FAQ-2.19), shared units
  counted in full (FAQ-2.22);
* the former Carnot 4 institutes hold their revenue in 2026 (guaranteed, FAQ-3.7) except
  ``NOT_GUARANTEED``, whose 2026 revenue falls to 84 % of its 2023–2025 average; their previous
  abondement (the base of the 80 % guarantee) is about 12 % of their past revenue, and more
  for ``AT_FLOOR``, whose guaranteed floor exceeds its pro-rata share.
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from stdnum import luhn

from carnot.demo.ledger_names import (
    DESCRIPTORS,
    ENDINGS,
    FIGURES,
    FOREIGN_BODIES,
    FOREIGN_COMPANIES,
    FOREIGN_FORMS,
    GROWN_SHARE,
    OTHER_BODIES,
    PLACES,
    POOL_SIZES,
    REGIONS,
    ROOTS,
    SITE_REGIONS,
    TRADES,
    C,
)
from carnot.rules.contracts import contract_eligibilities
from carnot.rules.domain import Contract, PartnerCategory
from carnot.rules.money import Cents, round_to_cent
from carnot.rules.parameters import CallParameters, load_call_parameters
from carnot.rules.partners import partner_category_from_figures

if TYPE_CHECKING:
    from carnot.demo.plan import ApplicationPlan, UnitPlan


LEDGER_YEARS = (2023, 2024, 2025, 2026)
"""The years the demo's ledgers invoice (earlier years are not listed)."""
FIRST_SIGNATURE_YEAR = 2020
"""Contracts signed from 2020 on: a four-year contract of 2020 still invoices in 2023."""
LAST_SIGNATURE = date(2026, 9, 30)
CATEGORY_YEAR = 2025
"""Partners' size class is established on the last closed accounting year."""
MINIMUM_THRESHOLD_BASE = 3_200_000_00
"""Every application's 2025 revenue is topped up to at least this (the threshold is 2,5 M€)."""
NOT_GUARANTEED = "c4-mers"
"""The former Carnot 4 whose 2026 revenue falls below 90 % of its average (FAQ-3.7)."""
NOT_GUARANTEED_RETENTION = Fraction(84, 100)
GUARANTEED_RETENTION = Fraction(97, 100)
"""The 2026 revenue of the other former Carnots is brought to at least this share."""
AT_FLOOR = "c4-arts"
"""The former Carnot 4 whose previous abondement was generous: its floor is paid."""
PREVIOUS_RATE = (Fraction(10, 100), Fraction(13, 100))
AT_FLOOR_RATE = Fraction(24, 100)
"""Previous abondement as a share of the average 2023–2025 eligible revenue."""

INTENSITY_BY_DOMAIN = {"ingenierie": 10_000, "chimie": 8_500, "physique": 7_500,
                       "numerique": 8_500, "energie": 10_000, "sante": 5_500, "agro": 7_000,
                       "environnement": 6_000}
"""Median eligible revenue per research FTE and year of a university laboratory (euros)."""
INTENSITY_BY_GROUP = {"cea-list": 60_000, "cea-leti": 60_000, "cea-liten": 55_000,
                      "ifpen": 50_000, "brgm": 35_000, "ifremer": 30_000, "onera": 45_000,
                      "cti-materiaux": 45_000, "cti-construction": 40_000, "cti-chimie": 40_000,
                      "crt": 50_000, "arts": 25_000, "mines": 30_000, "imt": 18_000,
                      "irt": 25_000, "genopole": 15_000}
"""EPIC, technical centres and engineering schools live much more on contracts."""

# Contracts: the partner's category (weights), the total's median and spread (log-normal).
CATEGORY_WEIGHTS = ((C.MICRO, 7), (C.SME, 24), (C.MIDCAP, 15), (C.LARGE, 36),
                    (C.LOCAL_AUTHORITY, 5), (C.OTHER, 5), (None, 8))
"""``None``: a foreign partner (a company of any size, or another kind of body)."""
AMOUNTS = {C.MICRO: (28_000, 0.55), C.SME: (48_000, 0.7), C.MIDCAP: (85_000, 0.8),
           C.LARGE: (150_000, 0.9), C.LOCAL_AUTHORITY: (75_000, 0.7),
           C.CRT_MEMBER: (40_000, 0.5), C.OTHER: (60_000, 0.7)}
DURATIONS = ((1, 35), (2, 33), (3, 22), (4, 10))
SMALL_SHARE = 0.09
"""Contracts below their bound: they do not count (FAQ-3.2, FAQ-3.3)."""
EXACT_SHARE = 0.15
"""Of the small ones, those exactly at the bound (15 000,00 € or 30 000,00 €)."""
CIFRE_SHARE = 0.05
OUT_OF_THEME_SHARE = 0.07
CRT_SHARE = 0.03
COMPANIES = (C.MICRO, C.SME, C.MIDCAP, C.LARGE)

# --- the plan ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PartnerPlan:
    """A partner. ``crt`` names the CRT structure whose SIREN it is (known when written)."""

    key: str
    name: str
    category: PartnerCategory
    siren: str = ""
    siret: str = ""
    foreign_identifier: str = ""
    headcount: int | None = None
    turnover_cents: Cents | None = None
    balance_sheet_cents: Cents | None = None
    reason: str = ""
    before: PartnerCategory | None = None
    """The class before ``CATEGORY_YEAR`` for a PME that grew into an ETI."""
    crt: str = ""

    def category_for(self, year: int) -> PartnerCategory:
        """The class as established for a contract signed in ``year``."""
        return self.before if self.before is not None and year < CATEGORY_YEAR \
            else self.category


class ContractPlan(NamedTuple):
    unit: str
    reference: str
    partner: int
    total_cents: Cents
    signed_on: date
    cifre: bool
    in_theme: bool
    invoiced: dict[int, Cents]
    """Mutable on purpose: the plan lowers a year's invoices (the former Carnot in decline)."""


@dataclass
class LedgerPlan:
    partners: list[PartnerPlan]
    contracts: list[ContractPlan]
    excluded: int
    """How many contracts do not count (the top-ups added afterwards all count)."""
    reference_abondement_cents: dict[str, Cents] = field(default_factory=dict)
    """The previous abondement of each former Carnot 4 (by application code)."""


@dataclass(frozen=True)
class FundingSummary:
    partners: int
    contracts: int
    excluded: int
    invoiced: int
    run_number: int
    envelope_cents: Cents
    allocated_cents: Cents
    grants: int
    expenditures: int


def _base(code: str) -> str:
    """The code without its copy suffix (c4-mers-3 → c4-mers), as the registry's demo names
    its copies."""
    head, _, tail = code.rpartition("-")
    return head if tail.isdigit() else code


def _siren(rng: random.Random, first: str, taken: set[str]) -> str:
    while True:
        body = first + "".join(rng.choice("0123456789") for _ in range(8 - len(first)))
        siren = body + luhn.calc_check_digit(body)
        if siren not in taken:
            taken.add(siren)
            return siren


def _between(rng: random.Random, bounds: tuple[int, int]) -> int:
    """A figure between the bounds, spread evenly on a logarithmic scale (as company sizes)."""
    low, high = bounds
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _figures(rng: random.Random, category: PartnerCategory, grown: bool = False,
             ) -> tuple[int, Cents | None, Cents | None, str]:
    """Group figures that give ``category``, and the rules' explanation of it (``grown``: an
    ETI that was a PME until it passed 250 people)."""
    (heads, turnovers, balances) = FIGURES[category]
    headcount = _between(rng, (250, 420) if grown else heads)
    turnover = _between(rng, turnovers) * 100
    balance: Cents | None = _between(rng, balances) * 100
    if grown:
        turnover = rng.randint(40_000_000, 90_000_000) * 100
    elif category is C.SME and rng.random() < 0.1:
        # Above 50 M€ of turnover, yet a PME by its balance sheet (« ou », décret 2008-1354).
        turnover = rng.randint(52_000_000, 70_000_000) * 100
        balance = rng.randint(20_000_000, 42_000_000) * 100
    elif rng.random() < 0.2:
        balance = None  # only the turnover is known: enough with the headcount
    verdict = partner_category_from_figures(headcount=headcount, turnover_cents=turnover,
                                            balance_sheet_cents=balance, year=CATEGORY_YEAR)
    if verdict.category is not category:  # pragma: no cover - the bounds above prevent it
        raise AssertionError(f"{category}: {verdict.message}")
    return headcount, turnover, balance, verdict.message


class _Partners:
    """Every partner of the demo, by kind, with the weights that make a few of them frequent."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.partners: list[PartnerPlan] = []
        self.by_category: dict[PartnerCategory | None, list[int]] = defaultdict(list)
        self.authorities: dict[str, list[int]] = defaultdict(list)
        self.crt: dict[str, int] = {}
        self._sirens: set[str] = set()
        self._names: set[str] = set()
        for category in COMPANIES:
            for _ in range(POOL_SIZES[category]):
                self._company(category)
        for _ in range(FOREIGN_COMPANIES):
            self._foreign_company()
        for name, country in FOREIGN_BODIES:
            identifier = self._foreign_id(country)
            self._add(PartnerPlan(f"ext:{identifier.casefold()}", name, C.OTHER,
                                  foreign_identifier=identifier), None)
        for name in OTHER_BODIES:
            siren = self._new_siren("7")
            self._add(PartnerPlan(siren, name, C.OTHER, siren=siren), C.OTHER)
        for region, names in REGIONS.items():
            for name in names:
                siren = self._new_siren("2")
                index = self._add(PartnerPlan(siren, name, C.LOCAL_AUTHORITY, siren=siren),
                                  C.LOCAL_AUTHORITY)
                self.authorities[region].append(index)
        # A few partners sign most contracts (Zipf-like), as in the network.
        self._weights = {category: list(_cumulative(1 / (rank + 1) ** 0.8
                                                    for rank in range(len(indexes))))
                         for category, indexes in self.by_category.items()}

    def _new_siren(self, first: str) -> str:
        return _siren(self.rng, first, self._sirens)

    def _unique(self, make: Iterable[str]) -> str:
        for name in make:
            if name not in self._names:
                self._names.add(name)
                return name
        raise AssertionError("noms épuisés")  # pragma: no cover

    def _brands(self) -> Iterator[str]:
        while True:
            yield self.rng.choice(ROOTS) + self.rng.choice(ENDINGS)

    def _company_names(self, category: PartnerCategory) -> Iterator[str]:
        rng = self.rng
        for brand in self._brands():
            if category is C.LARGE:
                yield rng.choice((f"Groupe {brand}", f"{brand} Industries", f"{brand} SE",
                                  f"{brand} {rng.choice(DESCRIPTORS)} SA"))
            elif category in (C.MICRO, C.SME) and rng.random() < 0.45:
                yield (f"{rng.choice(TRADES)} {rng.choice(PLACES)} "
                       f"{rng.choice(('SAS', 'SARL', 'SA'))}")
            else:
                yield f"{brand} {rng.choice(DESCRIPTORS)} {rng.choice(('SAS', 'SAS', 'SA'))}"

    def _add(self, partner: PartnerPlan, pool: PartnerCategory | None) -> int:
        self.partners.append(partner)
        index = len(self.partners) - 1
        self.by_category[pool].append(index)
        return index

    def _company(self, category: PartnerCategory) -> None:
        rng = self.rng
        name = self._unique(self._company_names(category))
        siren = self._new_siren(rng.choice("3456789"))
        siret = ""
        if rng.random() < 0.4:  # the establishment that signs is known
            body = siren + f"{rng.randint(1, 999):04d}"
            siret = body + luhn.calc_check_digit(body)
        grown = category is C.MIDCAP and rng.random() < GROWN_SHARE
        headcount, turnover, balance, reason = _figures(rng, category, grown)
        self._add(PartnerPlan(siren, name, category, siren=siren, siret=siret,
                              headcount=headcount, turnover_cents=turnover,
                              balance_sheet_cents=balance, reason=reason,
                              before=C.SME if grown else None), category)

    def _foreign_id(self, country: str) -> str:
        rng = self.rng
        digits = "".join(rng.choice("0123456789") for _ in range(9))
        return {"CH": f"CHE-{digits[:3]}.{digits[3:6]}.{digits[6:]}",
                "NL": f"NL{digits}B01", "BE": f"BE0{digits}",
                "IT": f"IT{digits}{rng.randint(10, 99)}",
                "ES": f"ESB{digits[:8]}", "SE": f"SE{digits}{rng.randint(100, 999)}01",
                }.get(country, f"{country}{digits}")

    def _foreign_company(self) -> None:
        rng = self.rng
        form, country = rng.choice(FOREIGN_FORMS)
        name = self._unique(f"{brand} {form}" for brand in self._brands())
        category = rng.choices(COMPANIES, weights=(1, 3, 3, 4))[0]
        identifier = self._foreign_id(country)
        headcount, turnover, balance, reason = _figures(rng, category)
        self._add(PartnerPlan(f"ext:{identifier.casefold()}", name, category,
                              foreign_identifier=identifier, headcount=headcount,
                              turnover_cents=turnover, balance_sheet_cents=balance,
                              reason=reason), None)

    def crt_member(self, code: str) -> int:
        """The CRT structure ``code`` as a partner (its SIREN is the registry's)."""
        if code not in self.crt:
            self.crt[code] = len(self.partners)
            self.partners.append(PartnerPlan(f"crt:{code}", code, C.CRT_MEMBER, crt=code))
        return self.crt[code]

    def pick(self, category: PartnerCategory | None, region: str | None) -> int:
        if category is C.LOCAL_AUTHORITY:
            pool = self.authorities.get(region or "") or self.by_category[category]
            return self.rng.choice(pool)
        indexes = self.by_category[category]
        return self.rng.choices(indexes, cum_weights=self._weights[category])[0]


def _cumulative(weights: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _reference_prefix(rnsr: str, name: str) -> str:
    """« UMR5123 » from « … (UMR 5123) », « CEA-LIST » from « CEA-List – … », else from the
    RNSR: the prefix of the unit's contract references."""
    code = re.search(r"\((U[A-Z_]* ?\d+)\)$", name)
    if code:
        return re.sub(r"[ _]", "", code.group(1))
    head = name.split(" – ", maxsplit=1)[0]
    if len(head) <= 12:
        return re.sub(r"[^A-Za-z0-9-]", "", head).upper()
    return f"U{rnsr[4:9]}"


def _level(rng: random.Random, unit: UnitPlan) -> float:
    """A unit's yearly contract revenue (euros): research FTE times its kind's intensity."""
    fte = float(unit.fte + unit.engineers)
    median = INTENSITY_BY_GROUP.get(unit.group) or INTENSITY_BY_DOMAIN.get(unit.domain, 7_000)
    return fte * median * rng.lognormvariate(0, 0.55 if unit.group else 0.75)


def _amount(rng: random.Random, category: PartnerCategory, small: bool,
            params: CallParameters) -> Cents:
    """A contract's total excluding VAT: round euros (hundreds mostly), sometimes with cents."""
    if small:
        rule = params.partner_category_rule(category)
        bound = params.contract_threshold_cents(rule.threshold) if rule.threshold else 3_000_000
        if rng.random() < EXACT_SHARE:
            return bound
        return rng.randint(bound // 300, bound // 100 - 1) * 100
    median, sigma = AMOUNTS[category]
    euros = min(max(median * rng.lognormvariate(0, sigma), 35_000 if category in
                    (C.MIDCAP, C.LARGE, C.LOCAL_AUTHORITY, C.OTHER) else 17_000), 4_000_000)
    if rng.random() < 0.15:
        return round(euros * 100)
    return int(round(euros, -2)) * 100


def _schedule(rng: random.Random, total: Cents, signed_on: date,
              duration: int) -> dict[int, Cents]:
    """What the contract invoices each year from its signature, in proportion to the months it
    runs each year; years after 2026 are not invoiced yet, years before 2023 not listed."""
    months = [13 - signed_on.month] + [12] * (duration - 1)
    months[-1] = max(1, months[-1] - (12 - months[0]))  # runs ``duration`` × 12 months in all
    weights = [m * rng.uniform(0.8, 1.2) for m in months]
    whole = sum(weights)
    invoiced: dict[int, Cents] = {}
    left = total
    for offset, weight in enumerate(weights):
        year = signed_on.year + offset
        amount = left if offset == duration - 1 else min(left, round(total * weight / whole))
        left -= amount
        if year > LEDGER_YEARS[-1]:
            break
        if year >= LEDGER_YEARS[0] and amount:
            invoiced[year] = amount
    return invoiced


@dataclass
class _UnitContext:
    unit: UnitPlan
    region: str | None
    thematic: bool
    crt: str | None


def _units_to_ledger(units: Sequence[UnitPlan], applications: Sequence[ApplicationPlan],
                     ) -> list[_UnitContext]:
    """Every unit that an application declares, once, in the registry's order."""
    declared: dict[str, list[ApplicationPlan]] = defaultdict(list)
    for application in applications:
        for declaration in application.declarations:
            declared[declaration.unit.rnsr].append(application)
    crt_of = {application.code: next((d.unit.managing for d in application.declarations
                                      if d.unit.group == "crt"), None)
              for application in applications}
    found = []
    for unit in units:
        holders = declared.get(unit.rnsr)
        if not holders:
            continue
        crt = next((crt_of[a.code] for a in holders if crt_of[a.code]
                    and crt_of[a.code] != unit.managing), None)
        found.append(_UnitContext(unit, SITE_REGIONS.get(unit.site or ""),
                                  any(a.kind == "thematic" for a in holders), crt))
    return found


CATEGORIES_DRAWN = tuple(category for category, _ in CATEGORY_WEIGHTS)
CATEGORIES_CUMULATED = tuple(_cumulative(weight for _, weight in CATEGORY_WEIGHTS))
DURATIONS_DRAWN = tuple(years for years, _ in DURATIONS)
DURATIONS_CUMULATED = tuple(_cumulative(weight for _, weight in DURATIONS))
MEAN_TOTAL = 12_000_000
"""About the mean total of a contract (cents): what a contract that ended before the ledger's
first year takes from its year's budget without being drawn."""


def _unit_contracts(rng: random.Random, context: _UnitContext, partners: _Partners,
                    params: CallParameters) -> list[ContractPlan]:
    """A unit's contracts, signed year after year until the year's budget (its level, growing
    3 % a year) is spent; those that ended before 2023 are not listed."""
    unit = context.unit
    level = _level(rng, unit)
    prefix = _reference_prefix(unit.rnsr, unit.name)
    contracts = []
    for year in range(FIRST_SIGNATURE_YEAR, LAST_SIGNATURE.year + 1):
        budget = level * 1.03 ** (year - 2025) * 100
        last_day = LAST_SIGNATURE if year == LAST_SIGNATURE.year else date(year, 12, 31)
        days = (last_day - date(year, 1, 1)).days
        sequence = 0
        while budget > 0:
            sequence += 1
            duration = rng.choices(DURATIONS_DRAWN, cum_weights=DURATIONS_CUMULATED)[0]
            if year + duration <= LEDGER_YEARS[0]:
                budget -= MEAN_TOTAL  # ended before 2023: not in the ledger
                continue
            picked = rng.choices(CATEGORIES_DRAWN, cum_weights=CATEGORIES_CUMULATED)[0]
            if context.crt and rng.random() < CRT_SHARE:
                index = partners.crt_member(context.crt)
            else:
                index = partners.pick(picked, context.region)
            category = partners.partners[index].category_for(year)
            cifre = category in COMPANIES and rng.random() < CIFRE_SHARE
            small = rng.random() < SMALL_SHARE
            if cifre:
                # A CIFRE thesis: three years, a modest contract with the laboratory (FAQ-3.1).
                total = rng.randint(150, 290 if small else 600) * 10_000
                duration = 3
            else:
                total = _amount(rng, category, small, params)
            budget -= total
            signed_on = date(year, 1, 1) + timedelta(days=rng.randint(0, days))
            invoiced = _schedule(rng, total, signed_on, duration)
            in_theme = not (context.thematic and rng.random() < OUT_OF_THEME_SHARE)
            if invoiced:
                contracts.append(ContractPlan(unit.rnsr, f"{prefix}-{year}-{sequence:03d}",
                                              index, total, signed_on, cifre, in_theme,
                                              invoiced))
    return contracts


def _as_rules(contract: ContractPlan, partners: Sequence[PartnerPlan]) -> Contract:
    partner = partners[contract.partner]
    return Contract(f"{contract.unit}/{contract.reference}", contract.unit,
                    partner.category_for(contract.signed_on.year), contract.total_cents,
                    contract.signed_on, contract.invoiced, partner.name, contract.cifre,
                    contract.in_theme)


def _eligible_revenue(contracts: Sequence[ContractPlan], partners: Sequence[PartnerPlan],
                      params: CallParameters) -> tuple[dict[str, dict[int, Cents]], int]:
    """Eligible revenue of each unit per year, as the rules count it, and how many contracts
    do not count."""
    revenue: dict[str, dict[int, Cents]] = defaultdict(lambda: defaultdict(int))
    excluded = 0
    verdicts = contract_eligibilities((_as_rules(c, partners) for c in contracts), params)
    for contract, verdict in zip(contracts, verdicts, strict=True):
        if not verdict.eligible:
            excluded += 1
            continue
        for year, cents in contract.invoiced.items():
            revenue[contract.unit][year] += cents
    return revenue, excluded


def _top_up(rng: random.Random, partners: _Partners, rnsr: str, prefix: str, year: int,
            amount: Cents, number: int) -> ContractPlan:
    """A one-year framework contract with a large company, invoiced in ``year``."""
    index = partners.pick(C.LARGE, None)
    signed_on = date(year, 1, 2) + timedelta(days=rng.randint(0, 60))
    total = -(-amount // 100_000) * 100_000  # whole thousands of euros, at least ``amount``
    return ContractPlan(rnsr, f"{prefix}-{year}-{number:03d}", index, total, signed_on, False,
                        True, {year: total})


def plan_ledgers(units: Sequence[UnitPlan], applications: Sequence[ApplicationPlan], *,
                 seed: int = 2026, year: int = 2026) -> LedgerPlan:
    """The partners, contracts and invoiced amounts of every declared unit, and the former
    Carnots' previous abondement, decided in memory (deterministic for a given seed)."""
    rng = random.Random(f"carnot-ledgers-{seed}")
    params = load_call_parameters(year)
    partners = _Partners(rng)
    contexts = _units_to_ledger(units, applications)
    contracts: list[ContractPlan] = []
    for context in contexts:
        contracts += _unit_contracts(rng, context, partners, params)
    revenue, excluded = _eligible_revenue(contracts, partners.partners, params)
    prefixes = {context.unit.rnsr: _reference_prefix(context.unit.rnsr, context.unit.name)
                for context in contexts}
    levels = {rnsr: sum(per_year.values()) for rnsr, per_year in revenue.items()}
    extra = 900

    def add(contract: ContractPlan) -> None:
        contracts.append(contract)
        for invoiced_year, cents in contract.invoiced.items():
            revenue[contract.unit][invoiced_year] += cents

    # FAQ-2.19: every application above 2,5 M€ (with a margin), shared units in full.
    threshold_years = params.threshold_revenue_years()
    for application in applications:
        rnsrs = [d.unit.rnsr for d in application.declarations]
        if not rnsrs:
            continue
        base = sum(revenue[rnsr][y] for rnsr in rnsrs for y in threshold_years)
        wanted = MINIMUM_THRESHOLD_BASE * len(threshold_years) + rng.randint(0, 8) * 10_000_000
        if base < wanted:
            largest = max(rnsrs, key=lambda rnsr: (levels.get(rnsr, 0), rnsr))
            extra += 1
            add(_top_up(rng, partners, largest, prefixes[largest], threshold_years[-1],
                        wanted - base, extra))

    reference_abondement: dict[str, Cents] = {}
    test_year = params.guarantee_test_year()
    past_years = params.guarantee_reference_years()
    for application in applications:
        if not application.former:
            continue
        present = [set(application.former["units_by_year"].get(str(y), ()))
                   for y in (*past_years, test_year)]
        reference = sorted(set.intersection(*present)) if present else []
        past = sum(revenue[rnsr][y] for rnsr in reference for y in past_years)
        average = Fraction(past, len(past_years))
        tested = sum(revenue[rnsr][test_year] for rnsr in reference)
        if _base(application.code) == NOT_GUARANTEED:
            factor = NOT_GUARANTEED_RETENTION * average / tested if tested else Fraction(0)
            if factor < 1:
                _lower(contracts, set(reference), test_year, factor, revenue)
        elif tested < GUARANTEED_RETENTION * average and reference:
            largest = max(reference, key=lambda rnsr: (levels.get(rnsr, 0), rnsr))
            extra += 1
            add(_top_up(rng, partners, largest, prefixes[largest], test_year,
                        round_to_cent(GUARANTEED_RETENTION * average) - tested + 100_000_00,
                        extra))
        rate = AT_FLOOR_RATE if _base(application.code) == AT_FLOOR else \
            Fraction(rng.randint(*(int(r * 100) for r in PREVIOUS_RATE)), 100)
        reference_abondement[application.code] = round_to_cent(rate * average / 100_000) \
            * 100_000
    contracts.sort(key=lambda c: (c.unit, c.reference))
    return LedgerPlan(partners.partners, contracts, excluded, reference_abondement)


def _lower(contracts: list[ContractPlan], units: set[str], year: int, factor: Fraction,
           revenue: dict[str, dict[int, Cents]]) -> None:
    """Lower what the units invoiced in ``year`` to ``factor`` of it (a lost client)."""
    for contract in contracts:
        if contract.unit in units and year in contract.invoiced:
            before = contract.invoiced[year]
            after = int(before * factor)
            contract.invoiced[year] = after
            revenue[contract.unit][year] += after - before
