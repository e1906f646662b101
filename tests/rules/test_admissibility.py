"""Per-application checks (`carnot.rules.admissibility`): the French messages agree in number and
name structures the way the rest of the message does."""

from __future__ import annotations

from decimal import Decimal

from carnot.rules.admissibility import (
    commitment_signed_by_every_tutelle,
    units_are_complete,
    units_declared_once,
    units_have_one_scientific_lead,
)
from carnot.rules.domain import (
    Application,
    ApplicationKind,
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
