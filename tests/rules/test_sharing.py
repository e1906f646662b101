"""Shared units across applications (`carnot.rules.sharing`, FAQ-2.17): the messages say what was
declared, in correct French."""

from __future__ import annotations

from decimal import Decimal

from carnot.rules.domain import Application, ApplicationKind, Unit, UnitFte
from carnot.rules.parameters import load_call_parameters
from carnot.rules.sharing import shared_unit_declared_on_both_sides

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
