"""Writes on applications that the pages and the API share."""

from __future__ import annotations

import pytest

from carnot.applications.selectors import application_changes
from carnot.applications.services import unit_declare, unit_update
from carnot.common.errors import ServiceError
from carnot.registry.models import Team
from tests.web import factories


@pytest.mark.django_db
def test_an_incomplete_unit_names_its_hceres_teams_and_only_its_own() -> None:
    """FAQ-2.25: a unit that joins only partly names the teams that join, among its own; a
    complete unit names none."""
    call = factories.make_call()
    unistra = factories.make_structure("unistra")
    owner = factories.make_user("coordinator", "coord-teams")
    application = factories.make_application(call, owner, "fc-teams", kind="former_carnot",
                                             coordinator=unistra)
    unit = factories.make_unit("200919143B", tutelles=[unistra])
    other = factories.make_unit("201119876B", tutelles=[unistra])
    kept = Team.objects.create(unit=unit, name="Équipe Matériaux")
    foreign = Team.objects.create(unit=other, name="Équipe d'ailleurs")
    declaration = unit_declare(application=application, by=owner, rnsr=unit.rnsr,
                               scientific_lead="Anne Martin", managing_tutelle=unistra,
                               tutelles=[unistra], permanent_researchers_fte=None)
    with pytest.raises(ServiceError, match="unité incomplète"):
        unit_update(declaration=declaration, by=owner, teams=[kept])
    unit_update(declaration=declaration, by=owner, partial=True, teams=[kept])
    assert list(declaration.teams.all()) == [kept]
    assert any(change.field == "équipes" and change.new == "Équipe Matériaux"
               for change in application_changes(application=application))
    with pytest.raises(ServiceError, match="autre unité"):
        unit_update(declaration=declaration, by=owner, teams=[foreign])
    assert list(declaration.teams.all()) == [kept]
