"""Who may do what: one place for every access decision of pages and API.

Roles (FR): coordinator — own applications only; unit lead — own units' data; programme
officer — everything, read and decisions; association staff — read-only network data;
administrator — everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from carnot.accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def role_of(user: User | AnonymousUser) -> Role | None:
    """The user's role; None for anonymous users and users without a profile."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMINISTRATOR
    profile = getattr(user, "profile", None)
    return Role(profile.role) if profile is not None else None


def is_officer(user: User | AnonymousUser) -> bool:
    """Programme officers and administrators see every application and take decisions."""
    return role_of(user) in {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}


def sees_network(user: User | AnonymousUser) -> bool:
    """Who may read national data (all applications, cross-checks)."""
    return role_of(user) in {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR,
                             Role.ASSOCIATION_STAFF}
