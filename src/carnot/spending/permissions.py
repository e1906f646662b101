"""Who may see and record a consortium's spending (tested per route)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from carnot.applications.models import Application
from carnot.applications.permissions import (
    _coordinated_or_403,
    coordinates_or_administers,
    visible_application_or_404,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser



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


