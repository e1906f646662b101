"""The notification pages: a user's own notifications; every e-mail sent, for administrators.

Access: anonymous users are sent to the login page. ``/notifications/`` and the choice of the
e-mails' language: every signed-in user, who only ever sees their own notifications.
``/notifications/envoyees/``: administrators; 403 for every other role.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from carnot.accounts.models import Language
from carnot.common.errors import ServiceError
from carnot.common.requests import signed_in_user
from carnot.notifications.permissions import can_read_every_email
from carnot.notifications.selectors import every_notification, notifications_of
from carnot.notifications.services import email_language_choose, language_of

PER_PAGE = 50


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Every signed-in user: the notifications written to them, newest first, and the language
    of their e-mails."""
    user = signed_in_user(request)
    page = Paginator(notifications_of(user=user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "language": language_of(user), "languages": Language.choices,
        "sees_every_email": can_read_every_email(user), "title": "Mes notifications"})


@require_POST
@login_required
def language_choose(request: HttpRequest) -> HttpResponse:
    """Every signed-in user: choose French or English for their e-mails; back to their
    notifications."""
    try:
        chosen = email_language_choose(user=signed_in_user(request),
                                       language=request.POST.get("language", ""))
    except ServiceError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "Vos e-mails seront écrits en "
                         f"{'anglais' if chosen is Language.ENGLISH else 'français'}.")
    return redirect("notifications:list")


@require_GET
@login_required
def sent_list(request: HttpRequest) -> HttpResponse:
    """Administrators only (403 for the other roles): every e-mail the platform wrote, newest
    first — to whom, its subject, when it went out or why it did not."""
    if not can_read_every_email(request.user):
        raise PermissionDenied("Réservé aux administrateurs.")
    page = Paginator(every_notification(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/sent.html", {
        "page": page, "title": "E-mails envoyés"})
