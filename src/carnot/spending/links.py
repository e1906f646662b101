"""The spending's link on an application's page (and its result's): the consortium's vintages."""

from __future__ import annotations

from django.urls import reverse

from carnot.allocation.selectors import consortium_has_grants
from carnot.applications.models import Application


def spending_link(application: Application) -> tuple[str, str] | None:
    """« Dépenses »: the consortium's five-year spending, once it has a grant."""
    if not consortium_has_grants(application=application):
        return None
    return "spending_url", reverse("funding:spending-detail", kwargs={
        "year": application.call.year, "code": application.code})
