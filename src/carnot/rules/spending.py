"""Agreement period and spending window of a year's abondement (FAQ-1.1, FAQ-4.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from carnot.rules.parameters import CallParameters
from carnot.rules.verdicts import count


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


def describe_agreement(period: AgreementPeriod, params: CallParameters) -> str:
    """FAQ-1.1 in one French sentence: the agreement's length (a parameter), renewal, dates."""
    return agreement_sentence(period, params.agreement_duration_years())


def agreement_sentence(period: AgreementPeriod, years: int) -> str:
    """``describe_agreement`` from the figures alone (an agreement of ``years`` years), as a
    stored evaluation keeps them."""
    length = "d'un an" if years == 1 else f"de {count(years, 'an')}"
    renewable = ", renouvelable" if period.renewable else ""
    return (f"Conventionnement {length}{renewable} (FAQ-1.1) : du "
            f"{period.starts_on:%d/%m/%Y} au {period.ends_on:%d/%m/%Y}.")


def describe_spending_window(grant_year: int, params: CallParameters) -> str:
    """FAQ-4.1 in one French sentence: until when the abondement of ``grant_year`` is spent."""
    return spending_window_sentence(grant_year, spend_by(grant_year, params))


def spending_window_sentence(grant_year: int, last_day: date) -> str:
    """``describe_spending_window`` from the last day of spending, as a stored evaluation keeps
    it."""
    return f"Abondement {grant_year} utilisable jusqu'au {last_day:%d/%m/%Y} (FAQ-4.1)."
