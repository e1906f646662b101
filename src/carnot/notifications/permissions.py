"""Who reads which notifications: each user their own; administrators every e-mail sent."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from carnot.accounts.models import Role
from carnot.accounts.permissions import role_of


def can_read_every_email(user: User | AnonymousUser) -> bool:
    """Administrators only: the list of every e-mail the platform wrote, to whom."""
    return role_of(user) is Role.ADMINISTRATOR
