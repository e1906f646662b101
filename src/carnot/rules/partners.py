"""A company's size class from its figures: TPE, PME, ETI or large company (FAQ-3.2).

The French legal definition (décret 2008-1354, art. 3), measured at group level on the last
closed accounting year (open question 8): a class holds a company whose headcount is strictly
below the class's ceiling and whose turnover *or* balance sheet total is at most the class's
ceiling. A TPE is a PME (FAQ-3.2); an ETI is a company that is not a PME and fits the ETI
ceilings; every other company is a large company. The ceilings are dated parameters
(``company_size_classes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carnot.rules.domain import PartnerCategory
from carnot.rules.money import Cents, format_euros
from carnot.rules.parameters import (
    COMPANY_SIZE_CATEGORIES,
    CallParameters,
    CompanySizeLimits,
    call_parameters_in_force,
)
from carnot.rules.verdicts import Verdict, not_checkable, passed

RULE = "FAQ-3.2"
"""The rule that makes the size class matter: thresholds of 15 k€ for a PME (TPE included)."""

SIZE_LABELS = {
    PartnerCategory.MICRO: "TPE",
    PartnerCategory.SME: "PME",
    PartnerCategory.MIDCAP: "ETI",
    PartnerCategory.LARGE: "grande entreprise",
}


@dataclass(frozen=True, slots=True)
class CategoryVerdict:
    """The size class derived from a company's figures, or None when they do not suffice.

    ``reasons`` say, class by class, why the company is in it or not; ``figures`` are the
    figures used, ``year`` the year the class is established for (open question 8).
    """

    category: PartnerCategory | None
    rule: str
    source: str
    year: int
    reasons: tuple[str, ...]
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def derived(self) -> bool:
        return self.category is not None

    @property
    def is_sme(self) -> bool:
        """A TPE is a PME (FAQ-3.2)."""
        return self.category in (PartnerCategory.MICRO, PartnerCategory.SME)

    @property
    def message(self) -> str:
        """« PME en 2025 (FAQ-3.2, décret 2008-1354) : … », in French."""
        if self.category is None:
            head = f"Catégorie non déterminable pour {self.year} ({self.rule}, {self.source})"
        else:
            head = f"{SIZE_LABELS[self.category]} en {self.year} ({self.rule}, {self.source})"
        return f"{head} : {' ; '.join(self.reasons)}."

    def as_verdict(self, subject: str = "") -> Verdict:
        make = not_checkable if self.category is None else passed
        return make(self.rule, self.message, subject=subject, figures=self.figures,
                    parameters=("company_size_classes",),
                    check=partner_category_from_figures.__name__)


def _people(headcount: int) -> str:
    return f"{headcount} personne" if headcount < 2 else f"{headcount} personnes"


def company_within_size_class(
    limits: CompanySizeLimits, headcount: int, turnover_cents: Cents | None,
    balance_sheet_cents: Cents | None,
) -> tuple[bool, str]:
    """Décret 2008-1354, art. 3: headcount below the ceiling and turnover or balance sheet at
    most its ceiling; returns the outcome and the reason in French."""
    label = SIZE_LABELS[limits.category]
    if headcount >= limits.headcount_below:
        return False, (f"pas {label} : {_people(headcount)}, pas moins de "
                       f"{limits.headcount_below}")
    money = []
    if turnover_cents is not None:
        money.append((turnover_cents <= limits.turnover_max_cents,
                      f"chiffre d'affaires {format_euros(turnover_cents)}",
                      limits.turnover_max_cents))
    if balance_sheet_cents is not None:
        money.append((balance_sheet_cents <= limits.balance_sheet_max_cents,
                      f"total de bilan {format_euros(balance_sheet_cents)}",
                      limits.balance_sheet_max_cents))
    within = [(what, ceiling) for ok, what, ceiling in money if ok]
    if within:
        what, ceiling = within[0]
        return True, (f"{label} : {_people(headcount)} (moins de {limits.headcount_below}) et "
                      f"{what} (au plus {format_euros(ceiling)})")
    above = " et ".join(f"{what} (plus de {format_euros(ceiling)})"
                        for _, what, ceiling in money)
    return False, f"pas {label} : {above}"


def partner_category_from_figures(
    *, headcount: int | None, turnover_cents: Cents | None, balance_sheet_cents: Cents | None,
    year: int, params: CallParameters | None = None,
) -> CategoryVerdict:
    """FAQ-3.2 with décret 2008-1354: a company's size class (TPE, PME, ETI, large company) from
    its group-level headcount, turnover and balance sheet of ``year``.

    The headcount and at least one of turnover and balance sheet are needed; otherwise the
    verdict has no category and says what is missing. Without ``params``, the ceilings are those
    in force in ``year``; a year that no value covers is a ``ParameterError`` naming it.
    """
    params = params if params is not None else call_parameters_in_force("company_size_classes",
                                                                        year)
    source = params.entry("company_size_classes").source
    figures: dict[str, Any] = {"headcount": headcount, "turnover_cents": turnover_cents,
                               "balance_sheet_cents": balance_sheet_cents, "year": year}
    missing = []
    if headcount is None:
        missing.append("l'effectif")
    if turnover_cents is None and balance_sheet_cents is None:
        missing.append("le chiffre d'affaires ou le total de bilan")
    negative = [name for name, value in (("l'effectif", headcount),
                                         ("le chiffre d'affaires", turnover_cents),
                                         ("le total de bilan", balance_sheet_cents))
                if value is not None and value < 0]
    if missing or negative:
        problems = ([f"il manque {' et '.join(missing)}"] if missing else []) + [
            f"{name} est négatif" for name in negative]
        return CategoryVerdict(None, RULE, source, year, tuple(problems), figures)
    assert headcount is not None
    reasons: list[str] = []
    for category in COMPANY_SIZE_CATEGORIES:
        within, reason = company_within_size_class(
            params.company_size_limits(category), headcount, turnover_cents,
            balance_sheet_cents)
        reasons.append(reason)
        if within:
            if category is PartnerCategory.MICRO:
                reasons.append("une TPE est une PME (FAQ-3.2)")
            return CategoryVerdict(category, RULE, source, year, tuple(reasons), figures)
    reasons.append("grande entreprise : au-delà des plafonds des ETI")
    return CategoryVerdict(PartnerCategory.LARGE, RULE, source, year, tuple(reasons), figures)

