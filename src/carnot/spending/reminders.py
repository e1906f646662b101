"""The periodic reminder of FAQ-4.1: a vintage whose money is about to expire is e-mailed to
its consortium's coordinators, once per vintage (``manage.py send_vintage_reminders``)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse

from carnot.allocation.models import Grant
from carnot.applications.models import Application
from carnot.notifications.services import notify
from carnot.rules.money import format_euros
from carnot.spending.selectors import vintage_alert, vintages

KIND = "vintage_expiring"


def _consortia() -> list[Application]:
    """Each consortium with a grant, as its latest application (whose owners coordinate it
    now)."""
    latest: dict[str, Application] = {}
    for application in (Application.objects
                        .filter(code__in=Grant.objects.values("application__code"))
                        .select_related("call").prefetch_related("owners")
                        .order_by("code", "call__year")):
        latest[application.code] = application
    return list(latest.values())


@transaction.atomic
def vintage_reminders_send(*, today: date) -> int:
    """E-mail the coordinators of each consortium a vintage of which is expiring on ``today``
    (money left and the deadline within the warning period, as the spending page warns); a
    coordinator already reminded of that vintage is not reminded again. Returns the number of
    notifications written."""
    written = 0
    for application in _consortia():
        for vintage in vintages(application=application, today=today):
            if not vintage.expiring:
                continue
            written += len(notify(
                recipients=application.owners.all(), kind=KIND,
                key=f"{application.code}:{vintage.year}", context={
                    "application_name": application.name, "code": application.code,
                    "vintage_year": vintage.year, "remaining": format_euros(
                        vintage.remaining_cents), "deadline": vintage.deadline,
                    "days_left": vintage.days_left, "alert": vintage_alert(vintage)},
                link=reverse("funding:spending-detail", kwargs={
                    "year": application.call.year, "code": application.code})))
    return written
