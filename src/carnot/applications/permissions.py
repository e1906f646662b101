"""Access decisions on applications, shared by pages and API (one place, tested per route)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from carnot.accounts.models import Role
from carnot.accounts.permissions import role_of, sees_network
from carnot.applications.models import Application, ApplicationUnit
from carnot.applications.workflow import EDITABLE, Transition

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


def owns(user: AnyUser, application: Application) -> bool:
    return bool(user.is_authenticated) and application.owners.filter(pk=user.pk or 0).exists()


def leads_a_unit_of(user: AnyUser, application: Application) -> bool:
    return role_of(user) is Role.UNIT_LEAD and application.units.filter(
        unit__leads=user.pk).exists()


def can_view(user: AnyUser, application: Application) -> bool:
    """Officers, administrators, the association; the application's coordinators; the leads
    of one of its units."""
    return sees_network(user) or owns(user, application) or leads_a_unit_of(user, application)


def can_edit(user: AnyUser, application: Application) -> bool:
    """Its coordinators (or an administrator) while the application is a draft."""
    if application.status not in EDITABLE:
        return False
    return role_of(user) is Role.ADMINISTRATOR or (
        role_of(user) is Role.COORDINATOR and owns(user, application))


def can_edit_declaration(user: AnyUser, declaration: ApplicationUnit) -> bool:
    """A unit's lead may correct its own unit's data in a draft, as the coordinators may."""
    if can_edit(user, declaration.application):
        return True
    return (declaration.application.status in EDITABLE and role_of(user) is Role.UNIT_LEAD
            and declaration.unit.leads.filter(pk=user.pk or 0).exists())


def can_take(user: AnyUser, transition: Transition, application: Application) -> bool:
    role = role_of(user)
    if role not in transition.roles:
        return False
    return role is not Role.COORDINATOR or owns(user, application)


def can_create_application(user: AnyUser) -> bool:
    return role_of(user) in {Role.COORDINATOR, Role.ADMINISTRATOR}


def can_see_national_view(user: AnyUser) -> bool:
    return sees_network(user)


def visible_application_or_404(user: AnyUser, year: int, code: str,
                               queryset: QuerySet[Application] | None = None) -> Application:
    """The application if the user may see it; 404 otherwise, whether it exists or not, so that
    another consortium's application is never revealed."""
    applications = queryset if queryset is not None else Application.objects.all()
    application = get_object_or_404(applications.select_related("call", "coordinator"),
                                    call__year=year, code=code)
    if not can_view(user, application):
        raise Http404
    return application


def editable_application_or_403(user: AnyUser, year: int, code: str) -> Application:
    """The application if the user may change it; 404 if unseen, 403 (with the reason) if
    seen only."""
    application = visible_application_or_404(user, year, code)
    if not can_edit(user, application):
        raise PermissionDenied(why_not_editable(application))
    return application


def why_not_editable(application: Application) -> str:
    """The reason given with a 403 on a change the user may not make."""
    if application.status not in EDITABLE:
        return (f"La candidature est « {application.get_status_display()} » : elle n'est plus "
                "modifiable.")
    return "Votre rôle ne permet pas de modifier cette candidature."


# --- A consortium's own writes (its ledger, its spending) -------------------------------------

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


