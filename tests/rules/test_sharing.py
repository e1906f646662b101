"""Shared units across applications (`carnot.rules.sharing`): the messages say what was declared,
in correct French (FAQ-2.17); one function per rule (FAQ-2.21, 2.23, 2.26), the derogation FAQ-2.24
an exception combined outside its base rule."""

from __future__ import annotations

from decimal import Decimal

from carnot.rules.domain import (
    Application,
    ApplicationKind,
    FormerCarnotReference,
    NationalCall,
    Unit,
    UnitFte,
)
from carnot.rules.parameters import load_call_parameters
from carnot.rules.sharing import (
    former_carnots_share_no_unit,
    joint_unit_shared_by_carnot4_derogation,
    only_two_kinds_of_sharing,
    shared_unit_declared_on_both_sides,
    shared_unit_has_one_fte_total,
    sharing_kind_is_allowed,
    unit_in_at_most_one_thematic_consortium,
    unit_in_former_carnot_or_new_consortium,
)
from carnot.rules.verdicts import Status

PARAMS = load_call_parameters(2026)


def holding(application_id: str, kind: ApplicationKind, shared_with: str | None
            ) -> tuple[Application, Unit]:
    unit = Unit("200919143B", ("unistra", "cnrs"), "unistra", ("Anne Martin",),
                {2025: UnitFte(Decimal(60))}, shared_with=shared_with)
    return Application(application_id, application_id, kind, "unistra", (unit,)), unit


def test_faq_2_17_undeclared_sharing_says_no_sharing_was_declared() -> None:
    first = holding("terr-alsace", ApplicationKind.TERRITORIAL, None)
    second = holding("them-materiaux", ApplicationKind.THEMATIC, "terr-alsace")

    [verdict] = shared_unit_declared_on_both_sides("200919143B", first, second, PARAMS)

    assert verdict.failed
    assert verdict.message == ("Unité 200919143B : présente aussi dans them-materiaux, elle doit "
                               "être déclarée partagée avec them-materiaux (partage déclaré : "
                               "aucun).")


def test_faq_2_17_sharing_declared_with_a_third_application_is_quoted() -> None:
    first = holding("terr-alsace", ApplicationKind.TERRITORIAL, "them-sante")
    second = holding("them-materiaux", ApplicationKind.THEMATIC, "terr-alsace")

    [verdict] = shared_unit_declared_on_both_sides("200919143B", first, second, PARAMS)

    assert verdict.message.endswith("(partage déclaré : avec « them-sante »).")


# --- one function per sharing rule, combined by sharing_kind_is_allowed ----------------------

def former(application_id: str, in_2019: bool = True,
           tutelles: tuple[str, ...] = ("unistra", "cnrs"),
           partial: bool = False) -> tuple[Application, Unit]:
    unit = Unit("200919143B", tutelles, "unistra", ("Anne Martin",),
                {2025: UnitFte(Decimal(60))}, partial=partial)
    reference = FormerCarnotReference({"200919143B": Decimal(60)} if in_2019 else {}, {}, 0)
    return (Application(application_id, application_id, ApplicationKind.FORMER_CARNOT,
                        "unistra", (unit,), former_carnot=reference), unit)


def former_pair() -> tuple[tuple[Application, Unit], tuple[Application, Unit]]:
    return former("f-a"), former("f-b")


CALL = NationalCall(2026, {}, {}, ())


def test_faq_2_21_two_thematic_consortia_fail_and_a_territorial_with_a_thematic_pass() -> None:
    thematic_a = holding("them-a", ApplicationKind.THEMATIC, None)
    thematic_b = holding("them-b", ApplicationKind.THEMATIC, None)
    territorial = holding("terr-a", ApplicationKind.TERRITORIAL, None)

    refused = unit_in_at_most_one_thematic_consortium("200919143B", thematic_a, thematic_b)
    accepted = unit_in_at_most_one_thematic_consortium("200919143B", territorial, thematic_a)

    assert refused is not None and refused.failed and refused.rule == "FAQ-2.21"
    assert refused.check == "unit_in_at_most_one_thematic_consortium"
    assert accepted is not None and accepted.status is Status.PASSED
    assert unit_in_at_most_one_thematic_consortium("200919143B", former("f-a"), thematic_a) is None


def test_faq_2_23_a_whole_unit_in_a_former_carnot_and_a_new_consortium_fails() -> None:
    verdict = unit_in_former_carnot_or_new_consortium(
        "200919143B", former("f-a"), holding("them-a", ApplicationKind.THEMATIC, None))

    assert verdict is not None and verdict.failed and verdict.rule == "FAQ-2.23"
    assert verdict.check == "unit_in_former_carnot_or_new_consortium"
    assert unit_in_former_carnot_or_new_consortium("200919143B", former("f-a"),
                                                   former("f-b")) is None


def test_faq_2_26_an_incomplete_carnot4_unit_joins_no_new_consortium() -> None:
    new = holding("them-a", ApplicationKind.THEMATIC, None)

    partial = only_two_kinds_of_sharing("200919143B", former("f-a", partial=True), new, CALL)
    whole = only_two_kinds_of_sharing("200919143B", former("f-a"), new, CALL)

    assert partial is not None and partial.failed and partial.rule == "FAQ-2.26"
    assert whole is None  # FAQ-2.23 judges it


def test_faq_2_26_two_former_carnots_share_no_unit_knowing_nothing_of_the_transition() -> None:
    verdict = former_carnots_share_no_unit("200919143B", former("f-a"), former("f-b"))

    assert verdict.failed and verdict.rule == "FAQ-2.26" and verdict.parameters == ()


def test_faq_2_24_exception_keeps_a_joint_unit_of_two_carnot4_during_the_transition() -> None:
    pair = former_pair()

    verdict = sharing_kind_is_allowed("200919143B", *pair, CALL, PARAMS)

    assert verdict.status is Status.PASSED and verdict.rule == "FAQ-2.24"
    assert verdict.check == "joint_unit_shared_by_carnot4_derogation"
    assert joint_unit_shared_by_carnot4_derogation("200919143B", *pair, PARAMS) == verdict


def test_faq_2_24_exception_not_applying_leaves_the_faq_2_26_refusal_standing() -> None:
    after_transition = load_call_parameters(2026).with_overrides({"transition_years": [2023]})
    single_tutelle = (former("f-a", tutelles=("unistra",)), former("f-b", tutelles=("unistra",)))
    not_in_2019 = (former("f-a"), former("f-b", in_2019=False))

    for first, second, params in ((*former_pair(), after_transition), (*single_tutelle, PARAMS),
                                  (*not_in_2019, PARAMS)):
        verdict = sharing_kind_is_allowed("200919143B", first, second, CALL, params)
        assert verdict.failed and verdict.rule == "FAQ-2.26"
        assert verdict.check == "former_carnots_share_no_unit"
        assert verdict.parameters == ("transition_years",)


def test_faq_2_17_the_fte_total_is_its_own_check() -> None:
    first = holding("terr-alsace", ApplicationKind.TERRITORIAL, "them-materiaux")
    other_unit = Unit("200919143B", ("unistra", "cnrs"), "unistra", ("Anne Martin",),
                      {2025: UnitFte(Decimal(30))}, shared_with="terr-alsace")
    second = (Application("them-materiaux", "them-materiaux", ApplicationKind.THEMATIC, "unistra",
                          (other_unit,)), other_unit)

    verdict = shared_unit_has_one_fte_total("200919143B", first, second, PARAMS)

    assert verdict is not None and verdict.failed and verdict.rule == "FAQ-2.17"
    assert verdict.check == "shared_unit_has_one_fte_total"
    assert shared_unit_has_one_fte_total("200919143B", first, first, PARAMS) is None
