"""Who may read and import ledgers: a unit's leads, the coordinators of an application declaring
the unit, programme officers, association staff, administrators (tested per route)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from carnot.accounts.models import Role
from carnot.accounts.permissions import role_of, sees_network
from carnot.applications.models import Application, ApplicationUnit, LedgerImportJob
from carnot.applications.permissions import (
    _coordinated_or_403,
    coordinates_or_administers,
    owns,
    visible_application_or_404,
)
from carnot.ledgers.models import ResearchContract
from carnot.registry.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser



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


