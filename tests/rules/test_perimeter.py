"""The perimeter in FTE of permanent researchers (FAQ-2.13), counted over whole units, with
research engineers only when they do research (FAQ-2.16), for the reference year 2025
(FAQ-2.15): `carnot.rules.perimeter` and the admissibility verdicts built on it."""

from __future__ import annotations

from decimal import Decimal

from carnot.rules.admissibility import (
    perimeter_counts_permanent_researchers,
    units_declare_reference_year_fte,
)
from carnot.rules.domain import Application, ApplicationKind, Unit, UnitFte
from carnot.rules.parameters import load_call_parameters
from carnot.rules.perimeter import perimeter_fte, unit_research_fte
from carnot.rules.verdicts import Status

PARAMS_2026 = load_call_parameters(2026)


def _unit(rnsr: str, fte_by_year: dict[int, UnitFte]) -> Unit:
    return Unit(rnsr, ("unistra",), "unistra", ("Anne Martin",), fte_by_year)


def _application(*units: Unit) -> Application:
    return Application("them-test", "Consortium d'essai", ApplicationKind.THEMATIC, "unistra",
                       units)


# --- FAQ-2.13: permanent researchers only, over the whole unit --------------------------------

def test_faq_2_13_only_permanent_researchers_count_not_support_engineers() -> None:
    """FAQ-2.13: 35 permanent researchers and 12 engineers who do no research make 35 FTE."""
    fte = UnitFte(Decimal(35), research_engineers=Decimal(12))
    assert unit_research_fte(fte) == Decimal(35)


def test_faq_2_13_perimeter_adds_whole_units() -> None:
    """FAQ-2.13: 35.5 FTE in one unit and 20 in another make a perimeter of 55.5 FTE."""
    units = [_unit("201822101A", {2025: UnitFte(Decimal("35.5"), Decimal(12))}),
             _unit("201822102B", {2025: UnitFte(Decimal(20))})]
    assert perimeter_fte(units, 2025) == Decimal("55.5")


def test_faq_2_13_verdict_states_the_perimeter_of_permanent_researchers() -> None:
    """FAQ-2.13: the verdict gives the 2025 perimeter, engineers without research left out."""
    application = _application(
        _unit("201822101A", {2025: UnitFte(Decimal(35), Decimal(12))}),
        _unit("201822102B", {2025: UnitFte(Decimal(20))}))
    verdict = perimeter_counts_permanent_researchers(application, PARAMS_2026)
    assert verdict.rule == "FAQ-2.13"
    assert verdict.status is Status.PASSED
    assert verdict.figures["etp_perimetre"] == Decimal(55)
    assert verdict.figures["dont_ingenieurs"] == Decimal(0)
    assert "Périmètre 2025 : 55 ETP de chercheurs permanents" in verdict.message


# --- FAQ-2.16: research engineers who do research ---------------------------------------------

def test_faq_2_16_research_engineers_doing_research_count() -> None:
    """FAQ-2.16: in an EPIC, 20 permanent researchers and 5 research engineers doing research
    make 25 research FTE."""
    fte = UnitFte(Decimal(20), Decimal(5), research_engineers_do_research=True)
    assert unit_research_fte(fte) == Decimal(25)


def test_faq_2_16_verdict_shows_the_engineers_counted() -> None:
    """FAQ-2.16: 20 + 5 engineers doing research in one unit, 15 in another: 40 FTE, of which
    5 FTE of research engineers."""
    application = _application(
        _unit("201822111A", {2025: UnitFte(Decimal(20), Decimal(5), True)}),
        _unit("201822112B", {2025: UnitFte(Decimal(15), Decimal(3))}))
    verdict = perimeter_counts_permanent_researchers(application, PARAMS_2026)
    assert verdict.rule == "FAQ-2.16"
    assert verdict.status is Status.PASSED
    assert verdict.figures["etp_perimetre"] == Decimal(40)
    assert verdict.figures["dont_ingenieurs"] == Decimal(5)
    assert "40 ETP" in verdict.message
    assert "dont 5 ETP d'ingénieurs de recherche" in verdict.message


# --- FAQ-2.15: the reference year is 2025 ---------------------------------------------------

def test_faq_2_15_reference_year_of_the_2026_call_is_2025() -> None:
    """FAQ-2.15: « 2025 est l'année de référence. »"""
    assert PARAMS_2026.fte_reference_year() == 2025
    assert PARAMS_2026.entry("fte_reference_year").source == "FAQ-2.15"


def test_faq_2_15_unit_without_2025_fte_fails_and_perimeter_is_not_computed() -> None:
    """FAQ-2.15: a unit declaring only its 2024 FTE leaves the 2025 perimeter unknown: the
    reference-year check fails naming the unit, the perimeter is not checkable."""
    application = _application(
        _unit("201822121A", {2025: UnitFte(Decimal(30))}),
        _unit("201822122B", {2024: UnitFte(Decimal(18))}))
    assert perimeter_fte(application.units, 2025) is None
    declared = units_declare_reference_year_fte(application, PARAMS_2026)
    assert declared.rule == "FAQ-2.15"
    assert declared.status is Status.FAILED
    assert "201822122B" in declared.message
    assert "201822121A" not in declared.message
    perimeter = perimeter_counts_permanent_researchers(application, PARAMS_2026)
    assert perimeter.rule == "FAQ-2.13"
    assert perimeter.status is Status.NOT_CHECKABLE


def test_faq_2_15_2024_figures_do_not_replace_2025() -> None:
    """FAQ-2.15: only the 2025 figures make the perimeter; 2024's 50 FTE are ignored."""
    unit = _unit("201822131A", {2024: UnitFte(Decimal(50)), 2025: UnitFte(Decimal(42))})
    assert perimeter_fte([unit], PARAMS_2026.fte_reference_year()) == Decimal(42)
