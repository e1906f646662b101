"""The guaranteed abondement of former Carnot 4 institutes (FAQ-2.19, FAQ-3.5, FAQ-3.6), rule by
rule on domain values: `carnot.rules.guarantee`."""

from __future__ import annotations

from decimal import Decimal

from carnot.rules.domain import (
    Application,
    ApplicationKind,
    FormerCarnotReference,
    Unit,
    UnitFte,
)
from carnot.rules.guarantee import (
    guarantee_requires_constant_perimeter,
    guarantee_requires_perimeter_kept,
    guarantee_reserved_to_former_carnot,
)
from carnot.rules.parameters import load_call_parameters
from carnot.rules.verdicts import Status

PARAMS = load_call_parameters(2026)
REFERENCE = FormerCarnotReference(perimeter_2019_fte={"201019876E": Decimal(100)},
                                  units_by_year={}, reference_abondement_cents=100_000_000)


def former_carnot(fte_2025: int, reference: FormerCarnotReference | None = REFERENCE
                  ) -> Application:
    unit = Unit("201019876E", ("uca", "cnrs"), "uca", ("Julie Morel",),
                {2025: UnitFte(Decimal(fte_2025))})
    return Application("c4-auvergne", "Carnot Auvergne", ApplicationKind.FORMER_CARNOT, "uca",
                       (unit,), former_carnot=reference)


def test_faq_3_5_a_perimeter_emptied_to_zero_fte_keeps_0_percent_and_is_not_guaranteed() -> None:
    """FAQ-3.5: 0 FTE declared for 2025 is 0 % of the 2019 perimeter kept — a failure, not a
    figure that cannot be computed."""
    verdict = guarantee_requires_perimeter_kept(former_carnot(0), REFERENCE, PARAMS)

    assert verdict.status is Status.FAILED
    assert verdict.rule == "FAQ-3.5"
    assert "0,00 % seulement du périmètre initial maintenu" in verdict.message


def test_faq_3_6_reference_call_year_shown_is_the_dated_parameter() -> None:
    """FAQ-3.6: the call whose perimeter is the reference is the parameter
    `perimeter_reference_call_year` (2019), which the verdict shows and lists."""
    verdict = guarantee_requires_constant_perimeter(former_carnot(90), REFERENCE, PARAMS)
    assert verdict.status is Status.PASSED
    assert "par rapport au périmètre de l'appel 2019 (100 ETP" in verdict.message
    assert "perimeter_reference_call_year" in verdict.parameters

    relabelled = PARAMS.with_overrides({"perimeter_reference_call_year": 2015})
    verdict = guarantee_requires_constant_perimeter(former_carnot(50), REFERENCE, relabelled)
    assert verdict.status is Status.FAILED
    assert "du périmètre de l'appel 2015 (100 ETP)" in verdict.message
    assert "2019" not in verdict.message


def test_faq_2_19_former_carnot_without_its_2019_reference_is_told_what_is_missing() -> None:
    """FAQ-2.19: an application declared as a former Carnot but without its Carnot 4 reference
    cannot get the guarantee; the message says the reference is missing, not that it failed to
    declare itself a former Carnot."""
    verdict = guarantee_reserved_to_former_carnot(former_carnot(90, reference=None))

    assert verdict.status is Status.FAILED
    assert "référence Carnot 4" in verdict.message
    assert "réservée aux candidatures déclarées" not in verdict.message


def test_faq_2_19_guarantee_is_reserved_to_applications_declared_as_former_carnot() -> None:
    territorial = Application("terr-auvergne", "Carnot territorial Auvergne",
                              ApplicationKind.TERRITORIAL, "uca", former_carnot(90).units)

    verdict = guarantee_reserved_to_former_carnot(territorial)

    assert verdict.status is Status.FAILED
    assert "réservée aux candidatures déclarées en ancien Carnot" in verdict.message
