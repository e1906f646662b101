"""Who may run, read and publish the allocation, read a result, simulate (tested per route).

A resource the user may not see answers 404 (its existence is not revealed); a write the user's
role may not make on a resource they see answers 403 with the reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from carnot.accounts.models import Role
from carnot.accounts.permissions import is_officer, role_of, sees_network
from carnot.allocation.models import AllocationRun, AllocationStatus
from carnot.allocation.selectors import PublishedResult, published_result
from carnot.applications.models import Application
from carnot.applications.permissions import visible_application_or_404
from carnot.registry.models import Call

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser



# --- Results (a consortium's published allocation) -------------------------------------------

def published_result_or_404(user: AnyUser, year: int, code: str) -> PublishedResult:
    """The application's result in the published run of its call, for whoever may see the
    application; 404 for anyone else, and for everyone (officers too, who have the run pages)
    while no run of the call is published."""
    application = visible_application_or_404(user, year, code)
    result = published_result(application=application)
    if result is None:
        raise Http404
    return result


def distribution_run_or_404(user: AnyUser, year: int, number: int) -> AllocationRun:
    """A run whose national distribution the user may see: a published run, every signed-in
    user (results are public in the programme); a draft or superseded one, programme officers,
    association staff and administrators only (those who read the runs); 404 otherwise."""
    run = allocation_run_or_404(year, number)
    if run.status != AllocationStatus.PUBLISHED and not sees_network(user):
        raise Http404
    return run


# --- Allocation --------------------------------------------------------------------------------
# The runs are national: programme officers and administrators run and publish them, association
# staff read them (403 on writes), coordinators and unit leads get 403 on every page and
# operation of the area (they see their consortium's published result, under "Results").

ALLOCATION_READERS_ONLY = ("Accès refusé : les répartitions de l'abondement sont réservées aux "
                           "chargés de programme, aux administrateurs et à l'association.")
ALLOCATION_READ_ONLY = ("Accès refusé : seuls les chargés de programme et les administrateurs "
                        "calculent et publient la répartition de l'abondement.")


def can_read_allocation(user: AnyUser) -> bool:
    """Programme officers, administrators, association staff."""
    return sees_network(user)


def can_run_allocation(user: AnyUser) -> bool:
    """Open, run and publish: programme officers and administrators."""
    return is_officer(user)


def call_or_404(year: int) -> Call:
    """The call of ``year`` (allocation runs and simulations are the call's); 404 if none."""
    return get_object_or_404(Call, year=year)


def allocation_run_or_404(year: int, number: int) -> AllocationRun:
    """Run ``number`` of the call of ``year``, with who ran and published it; 404 if none (who
    may see it is the caller's check: the run pages' readers, or ``distribution_run_or_404``)."""
    return get_object_or_404(
        AllocationRun.objects.select_related("call", "created_by", "published_by"),
        call__year=year, number=number)


def allocation_reader_or_403(user: AnyUser) -> None:
    """403 unless the user reads the allocation runs."""
    if not can_read_allocation(user):
        raise PermissionDenied(ALLOCATION_READERS_ONLY)


def allocation_runner_or_403(user: AnyUser) -> None:
    """403 unless the user runs and publishes allocations (association staff read only)."""
    allocation_reader_or_403(user)
    if not can_run_allocation(user):
        raise PermissionDenied(ALLOCATION_READ_ONLY)


# --- Simulation ------------------------------------------------------------------------------

SIMULATION_REFUSED = ("Seuls les chargés de programme, l'association, les administrateurs et "
                      "les coordinateurs de consortium simulent la répartition.")


def can_simulate(user: AnyUser) -> bool:
    """Programme officers, association staff, administrators and coordinators: a simulation
    stores nothing, and allocation results are public in the programme. Unit leads: no."""
    return sees_network(user) or role_of(user) is Role.COORDINATOR


def simulator_or_403(user: AnyUser) -> None:
    """Refuse (403) whoever may not simulate (anonymous users are sent to log in before)."""
    if not can_simulate(user):
        raise PermissionDenied(SIMULATION_REFUSED)


def simulation_scope(user: AnyUser, call_id: int) -> frozenset[str] | None:
    """The consortia whose units and contracts ``user`` may change in a simulation of the call:
    ``None`` for programme officers, association staff and administrators (any consortium);
    for a coordinator, the codes of their own applications of the call. The envelope and the
    parameters are free to everyone allowed to simulate."""
    if sees_network(user):
        return None
    return frozenset(Application.objects.filter(call_id=call_id, owners=user.pk or 0)
                     .values_list("code", flat=True))
