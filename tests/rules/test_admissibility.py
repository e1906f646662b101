"""Per-application checks (`carnot.rules.admissibility`): the French messages agree in number and
name structures the way the rest of the message does."""

from __future__ import annotations

from decimal import Decimal

from carnot.rules.admissibility import (
    application_declares_a_unit,
    commitment_signed_by_every_tutelle,
    incomplete_units_admitted_by_carnot4_derogation,
    units_are_complete,
    units_declared_once,
    units_have_one_scientific_lead,
)
from carnot.rules.domain import (
    Application,
    ApplicationKind,
    FormerCarnotReference,
    NationalCall,
    Signature,
    Structure,
    StructureKind,
    Unit,
    UnitFte,
)
from carnot.rules.parameters import load_call_parameters
from carnot.rules.verdicts import Status, count

PARAMS = load_call_parameters(2026)
STRUCTURES = {
    "unistra": Structure("unistra", "Université de Strasbourg", StructureKind.UNIVERSITY),
    "cnrs": Structure("cnrs", "CNRS", StructureKind.EPST),
    "inria": Structure("inria", "Inria", StructureKind.EPST),
}


def unit(rnsr: str, *, partial: bool = False) -> Unit:
    return Unit(rnsr, ("unistra", "cnrs", "inria"), "unistra", ("Anne Martin",),
                {2025: UnitFte(Decimal(10))}, partial=partial)


def thematic(*units: Unit, signatures: tuple[Signature, ...] = ()) -> Application:
    return Application("them-numerique", "Carnot numérique", ApplicationKind.THEMATIC, "cnrs",
                       units, signatures=signatures)


def test_faq_2_18_one_unit_declared_twice_is_said_in_the_singular() -> None:
    verdict = units_declared_once(thematic(unit("200919143B"), unit("200919143B")))

    assert verdict.status is Status.FAILED
    assert verdict.message == "1 unité déclarée plusieurs fois : 200919143B."


def test_faq_2_18_two_units_declared_twice_are_said_in_the_plural() -> None:
    verdict = units_declared_once(thematic(*(unit(rnsr) for rnsr in
                                             ("200919143B", "200919143B", "201320836A",
                                              "201320836A"))))

    assert verdict.message == "2 unités déclarées plusieurs fois : 200919143B, 201320836A."


def test_faq_2_20_one_partial_unit_outside_the_derogation_agrees_in_the_singular() -> None:
    verdict = units_are_complete(thematic(unit("200919143B", partial=True)))

    assert verdict.status is Status.FAILED
    assert verdict.message == ("1 unité incomplète non admise hors dérogation Carnot 4 "
                               "(FAQ-2.25) : 200919143B.")


def test_faq_2_20_partial_units_outside_the_derogation_agree_in_the_plural() -> None:
    application = thematic(unit("200919143B", partial=True), unit("201320836A", partial=True))

    verdict = units_are_complete(application)

    assert verdict.message.startswith("2 unités incomplètes non admises hors dérogation Carnot 4")


def test_faq_2_18_unempowered_signatory_is_named_like_the_missing_tutelles() -> None:
    """FAQ-2.18: the structures are named by their names, in both parts of the message."""
    application = thematic(unit("200919143B"), signatures=(
        Signature("unistra", "Michel Deneken", True),
        Signature("cnrs", "Un chargé de mission", False)))
    call = NationalCall(2026, STRUCTURES, {}, (application,))

    verdict = commitment_signed_by_every_tutelle(application, call)

    assert verdict.status is Status.FAILED
    assert verdict.message == ("Document d'engagement : 2 tutelles sans signature habilitée : "
                               "CNRS, Inria (signataire non habilité pour : CNRS).")


def test_count_agrees_the_french_way_singular_below_two() -> None:
    assert [count(number, "unité") for number in (0, 1, 2)] == ["0 unité", "1 unité", "2 unités"]
    assert count(0, "région représentée", "régions représentées") == "0 région représentée"


def test_faq_2_18_units_without_exactly_one_lead_say_how_many_they_have() -> None:
    two = Unit("200919143B", ("unistra",), "unistra", ("Anne Martin", "Paul Durand"),
               {2025: UnitFte(Decimal(10))})
    none = Unit("201320836A", ("unistra",), "unistra", (), {2025: UnitFte(Decimal(10))})

    verdict = units_have_one_scientific_lead(thematic(two, none))

    assert verdict.status is Status.FAILED
    assert verdict.message == ("Chaque unité a un et un seul responsable scientifique ; à "
                               "corriger : 200919143B (2 responsables), 201320836A "
                               "(0 responsable).")


def former_carnot(*units: Unit) -> Application:
    reference = FormerCarnotReference({}, {}, 0)
    return Application("carnot-a", "Carnot A", ApplicationKind.FORMER_CARNOT, "cnrs", units,
                       former_carnot=reference)


def test_faq_2_25_exception_admits_incomplete_units_of_a_former_carnot_in_transition() -> None:
    application = former_carnot(unit("200919143B", partial=True))

    verdict = incomplete_units_admitted_by_carnot4_derogation(application, PARAMS)

    assert verdict is not None and verdict.status is Status.PASSED and verdict.rule == "FAQ-2.25"
    assert verdict.message == ("1 unité incomplète admise par dérogation Carnot 4 pendant la "
                               "transition.")
    assert verdict.check == "incomplete_units_admitted_by_carnot4_derogation"


def test_faq_2_25_exception_does_not_apply_after_the_transition_nor_to_a_new_consortium() -> None:
    after = PARAMS.with_overrides({"transition_years": [2023]})
    partial = unit("200919143B", partial=True)

    assert incomplete_units_admitted_by_carnot4_derogation(former_carnot(partial), after) is None
    assert incomplete_units_admitted_by_carnot4_derogation(thematic(partial), PARAMS) is None


def test_faq_2_20_base_rule_knows_nothing_of_the_transition() -> None:
    verdict = units_are_complete(former_carnot(unit("200919143B", partial=True)))

    assert verdict.failed and verdict.rule == "FAQ-2.20" and verdict.parameters == ()


def test_faq_2_13_an_application_without_units_cannot_be_filed() -> None:
    verdict = application_declares_a_unit(thematic())

    assert verdict is not None and verdict.failed and verdict.rule == "FAQ-2.13"
    assert verdict.message == "Aucune unité déclarée : le périmètre de la candidature est vide."
    assert verdict.check == "application_declares_a_unit"
    assert application_declares_a_unit(thematic(unit("200919143B"))) is None
