"""The e-mails of the application workflow: a submission goes to the application's
coordinators and to every programme officer; each decision, with its reason, to its
coordinators. A withdrawal (back to draft) notifies nobody: the coordinators took it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from carnot.accounts.models import Role
from carnot.applications.models import Application
from carnot.applications.workflow import Status
from carnot.notifications.services import notify

KINDS = {
    Status.SUBMITTED: "application_submitted",
    Status.ADMISSIBLE: "application_admissible",
    Status.INADMISSIBLE: "application_inadmissible",
    Status.SELECTED: "application_selected",
    Status.REJECTED: "application_rejected",
    Status.AGREEMENT: "application_agreement",
}
"""The notification of each state an application enters (its templates' folder)."""


def notify_transition(*, application: Application, source: Status, target: Status, by: User,
                      reason: str) -> None:
    """Notify who must know that ``by`` moved ``application`` from ``source`` to ``target``
    (sent on commit of the caller's transaction)."""
    kind = KINDS.get(target)
    if kind is None:
        return
    recipients = list(application.owners.all())
    if target is Status.SUBMITTED:
        recipients += User.objects.filter(profile__role=Role.PROGRAMME_OFFICER)
    notify(recipients=recipients, kind=kind, context={
        "application_name": application.name, "code": application.code,
        "year": application.call.year, "reason": reason.strip(),
        "by_name": by.get_full_name() or by.username, "at": timezone.now(),
        "renewed": source == target},
        link=reverse("applications:detail", kwargs={"year": application.call.year,
                                                    "code": application.code}))
