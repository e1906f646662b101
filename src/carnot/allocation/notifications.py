"""The e-mail of a published allocation: to each consortium's coordinators, its amount and the
links to its result page and its notification letter."""

from __future__ import annotations

from django.urls import reverse

from carnot.allocation.models import AllocationRun
from carnot.applications.models import Application
from carnot.notifications.services import absolute_url, notify
from carnot.rules.money import format_euros


def notify_run_published(*, run: AllocationRun) -> None:
    """Notify the coordinators of every consortium of ``run`` (sent on commit of the caller's
    transaction), a consortium allocated nothing included: its result page says why."""
    amounts = dict(run.lines.values_list("application_code", "allocation_cents"))
    applications = (Application.objects.filter(call_id=run.call_id, code__in=amounts)
                    .select_related("call").prefetch_related("owners").order_by("code"))
    for application in applications:
        kwargs = {"year": application.call.year, "code": application.code}
        notify(recipients=application.owners.all(), kind="allocation_published", context={
            "application_name": application.name, "code": application.code,
            "year": application.call.year, "run_number": run.number,
            "amount": format_euros(amounts[application.code]),
            "letter_url": absolute_url(reverse("funding:result-letter", kwargs=kwargs))},
            link=reverse("funding:result-detail", kwargs=kwargs))
