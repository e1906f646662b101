"""The application workflow as a declarative table: states, transitions, who may take them.

draft → submitted (coordinator, before the deadline, no blocking failure in the panel)
submitted → draft (coordinator withdraws to correct, before the deadline)
submitted → admissible | inadmissible (programme officer)
admissible → selected | rejected (programme officer)
selected → agreement (programme officer; one year, renewable — FAQ-1.1)
agreement → agreement (programme officer renews for the next year — FAQ-1.1)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from carnot.accounts.models import Role
from carnot.audit.models import EventKind


class Status(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposée"
    ADMISSIBLE = "admissible", "Recevable"
    INADMISSIBLE = "inadmissible", "Irrecevable"
    SELECTED = "selected", "Sélectionnée"
    REJECTED = "rejected", "Non retenue"
    AGREEMENT = "agreement", "Conventionnée"


class Guard(models.TextChoices):
    """Conditions checked by the service before a transition (see services.py)."""

    BEFORE_DEADLINE = "before_deadline", "avant la date limite de l'appel"
    PANEL_WITHOUT_FAILURE = "panel_without_failure", "aucune règle bloquante en échec"
    REASON_GIVEN = "reason_given", "motif renseigné"


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    label: str
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()


OFFICERS = frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR})
COORDINATORS = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, Status.SUBMITTED, "Déposer la candidature", COORDINATORS,
               (Guard.BEFORE_DEADLINE, Guard.PANEL_WITHOUT_FAILURE)),
    Transition(Status.SUBMITTED, Status.DRAFT, "Retirer pour corriger", COORDINATORS,
               (Guard.BEFORE_DEADLINE,)),
    Transition(Status.SUBMITTED, Status.ADMISSIBLE, "Déclarer recevable", OFFICERS),
    Transition(Status.SUBMITTED, Status.INADMISSIBLE, "Déclarer irrecevable", OFFICERS,
               (Guard.REASON_GIVEN,)),
    Transition(Status.ADMISSIBLE, Status.SELECTED, "Sélectionner", OFFICERS),
    Transition(Status.ADMISSIBLE, Status.REJECTED, "Ne pas retenir", OFFICERS,
               (Guard.REASON_GIVEN,)),
    Transition(Status.SELECTED, Status.AGREEMENT, "Conventionner (un an)", OFFICERS),
    Transition(Status.AGREEMENT, Status.AGREEMENT, "Renouveler la convention (un an)",
               OFFICERS),
)

TRANSITION_EVENTS: dict[Status, EventKind] = {
    Status.SUBMITTED: EventKind.APPLICATION_SUBMITTED,
    Status.DRAFT: EventKind.APPLICATION_WITHDRAWN,
    Status.ADMISSIBLE: EventKind.APPLICATION_ADMISSIBLE,
    Status.INADMISSIBLE: EventKind.APPLICATION_INADMISSIBLE,
    Status.SELECTED: EventKind.APPLICATION_SELECTED,
    Status.REJECTED: EventKind.APPLICATION_REJECTED,
    Status.AGREEMENT: EventKind.APPLICATION_AGREEMENT,
}
"""The audit event of a transition, by the status it leads to (a renewal is one more
agreement)."""

EDITABLE = frozenset({Status.DRAFT})
"""States in which the coordinator may change the application's figures."""


def transitions_from(status: Status) -> list[Transition]:
    return [transition for transition in TRANSITIONS if transition.source == status]


def find_transition(source: Status, target: Status) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.source == source and transition.target == target:
            return transition
    return None
