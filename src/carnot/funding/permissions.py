"""Access decisions on funding, shared by pages and API (one place, tested per route).

Each area keeps its functions under its own heading. A resource the user may not see answers
404 (its existence is not revealed); a write the user's role may not make on a resource they
see answers 403 with the reason.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from carnot.accounts.models import Role
from carnot.accounts.permissions import is_officer, role_of, sees_network
from carnot.applications.models import Application, ApplicationUnit
from carnot.applications.permissions import owns, visible_application_or_404
from carnot.funding.models import (
    AllocationRun,
    AllocationStatus,
    LedgerImportJob,
    ResearchContract,
)
from carnot.funding.selectors import PublishedResult, published_result
from carnot.registry.models import Call, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


# --- A consortium's own writes ----------------------------------------------------------------

def coordinates_or_administers(user: AnyUser, application: Application) -> bool:
    """Its coordinators (the application's owners) and administrators: who imports a
    consortium's ledger and records its expenditures."""
    return role_of(user) is Role.ADMINISTRATOR or (
        role_of(user) is Role.COORDINATOR and owns(user, application))


def _coordinated_or_403(user: AnyUser, year: int, code: str, refusal: str) -> Application:
    """The application if the user coordinates it (or administers); 404 if unseen, 403 with
    ``refusal`` if seen only."""
    application = visible_application_or_404(user, year, code)
    if not coordinates_or_administers(user, application):
        raise PermissionDenied(refusal)
    return application


# --- Ledgers ---------------------------------------------------------------------------------
# Read a unit's ledger: the unit's leads, the coordinators of an application (of any call)
# declaring the unit, programme officers, association staff, administrators; anyone else 404.
# Import: the unit's leads, those coordinators, administrators; officers and association 403.
# A consortium's ledger: whoever may see the application, each unit's contracts shown only to
# those who may read that unit's ledger; its import: the application's coordinators and
# administrators (its units' leads import their own unit's ledger).

LEDGER_READ_ONLY = ("Accès refusé : votre rôle permet de consulter les registres de contrats, "
                    "pas de les importer.")
LEDGER_NOT_OWNER = ("Accès refusé : seuls les coordinateurs de la candidature (et les "
                    "administrateurs) importent le registre du consortium ; le responsable "
                    "d'une unité importe celui de son unité.")


def leads_unit(user: AnyUser, unit: Unit) -> bool:
    """A unit lead of this unit."""
    return role_of(user) is Role.UNIT_LEAD and unit.leads.filter(pk=user.pk or 0).exists()


def coordinates_unit(user: AnyUser, unit: Unit) -> bool:
    """A coordinator owning an application (of any call) that declares this unit."""
    return role_of(user) is Role.COORDINATOR and ApplicationUnit.objects.filter(
        unit=unit, application__owners=user.pk or 0).exists()


def can_read_ledger(user: AnyUser, unit: Unit) -> bool:
    return sees_network(user) or leads_unit(user, unit) or coordinates_unit(user, unit)


def can_import_ledger(user: AnyUser, unit: Unit) -> bool:
    return (role_of(user) is Role.ADMINISTRATOR or leads_unit(user, unit)
            or coordinates_unit(user, unit))


def ledger_unit_or_404(user: AnyUser, rnsr: str) -> Unit:
    """The unit whose ledger the user may read; 404 otherwise, whether it exists or not."""
    unit = get_object_or_404(Unit, rnsr=rnsr)
    if not can_read_ledger(user, unit):
        raise Http404
    return unit


def importable_unit_or_403(user: AnyUser, rnsr: str) -> Unit:
    """The unit whose ledger the user may import; 404 if unseen, 403 if only read."""
    unit = ledger_unit_or_404(user, rnsr)
    if not can_import_ledger(user, unit):
        raise PermissionDenied(LEDGER_READ_ONLY)
    return unit


def ledger_contract_or_404(user: AnyUser, contract_id: int) -> ResearchContract:
    """A contract of a ledger the user may read; 404 otherwise."""
    contract = get_object_or_404(ResearchContract.objects.select_related("unit", "partner"),
                                 pk=contract_id)
    if not can_read_ledger(user, contract.unit):
        raise Http404
    return contract


def readable_ledger_units(user: AnyUser, application: Application) -> QuerySet[Unit]:
    """The units of ``application`` whose ledger the user may read (all of them for its
    coordinators and the network; for a unit lead, the units they lead), by RNSR."""
    units = Unit.objects.filter(declarations__application=application).order_by("rnsr")
    if sees_network(user) or owns(user, application):
        return units
    if role_of(user) is Role.UNIT_LEAD:
        return units.filter(leads=user.pk or 0)
    return units.none()


ledger_application_or_404 = visible_application_or_404
"""A consortium's ledger: whoever may see the application."""
can_import_application_ledger = coordinates_or_administers


def importable_application_or_403(user: AnyUser, year: int, code: str) -> Application:
    """The application whose consortium ledger the user may import; 404 if unseen, 403 if
    only read."""
    return _coordinated_or_403(user, year, code, LEDGER_NOT_OWNER if role_of(user)
                               is Role.UNIT_LEAD else LEDGER_READ_ONLY)


def ledger_import_job_or_404(user: AnyUser, job_id: uuid.UUID) -> LedgerImportJob:
    """An import job: for the user who started it (and administrators); 404 otherwise."""
    job = get_object_or_404(
        LedgerImportJob.objects.select_related("unit", "application__call"), pk=job_id)
    if not user.is_authenticated or (job.by_id != user.pk
                                     and role_of(user) is not Role.ADMINISTRATOR):
        raise Http404
    return job


# --- Spending ---------------------------------------------------------------------------------
# Read: whoever may see the application; record: its coordinators and administrators (the
# service decides the same way: ``services._may_spend``).

SPENDING_READ_ONLY = ("Accès refusé : seuls les coordinateurs du consortium (et les "
                      "administrateurs) enregistrent des dépenses.")


spending_application_or_404 = visible_application_or_404
"""A consortium's spending: whoever may see the application."""
can_record_spending = coordinates_or_administers


def spending_recorder_or_403(user: AnyUser, year: int, code: str) -> Application:
    """The application if the user may record its expenditures; 404 if unseen, 403 if seen
    only."""
    return _coordinated_or_403(user, year, code, SPENDING_READ_ONLY)


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
