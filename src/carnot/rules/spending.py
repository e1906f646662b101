"""Agreement period and spending window of a year's abondement (FAQ-1.1, FAQ-4.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from carnot.rules.parameters import CallParameters


@dataclass(frozen=True, slots=True)
class AgreementPeriod:
    starts_on: date
    ends_on: date
    renewable: bool


def agreement_period(call_year: int, params: CallParameters) -> AgreementPeriod:
    """FAQ-1.1: an agreement lasts one year (a dated parameter) and is renewable."""
    years = params.agreement_duration_years()
    return AgreementPeriod(date(call_year, 1, 1), date(call_year + years - 1, 12, 31), True)


def last_spending_year(grant_year: int, params: CallParameters) -> int:
    """FAQ-4.1: the abondement granted for year N may be spent from N to N+4 (five years)."""
    return grant_year + params.spending_window_years() - 1


def spend_by(grant_year: int, params: CallParameters) -> date:
    """The last day on which the abondement of ``grant_year`` may be spent (FAQ-4.1)."""
    return date(last_spending_year(grant_year, params), 12, 31)
