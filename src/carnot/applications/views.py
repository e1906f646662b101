"""Pages of applications: thin views that check access, call a selector or a service, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carnot.applications.permissions import can_see_national_view
from carnot.applications.selectors import applications_visible_to, panels_for_call
from carnot.registry.models import Call


@require_GET
@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """Signed-in users: the applications their role lets them see."""
    applications = applications_visible_to(user=request.user)
    return render(request, "applications/list.html",
                  {"applications": applications, "title": "Candidatures"})


@require_GET
@login_required
def national_view(request: HttpRequest) -> HttpResponse:
    """Programme officers, administrators, association staff: every application of the call
    with its panel and the national cross-checks."""
    if not can_see_national_view(request.user):
        raise PermissionDenied
    call = Call.objects.first()
    applications = applications_visible_to(user=request.user, call=call) if call else []
    panels = panels_for_call(call=call) if call else {}
    return render(request, "applications/national.html",
                  {"call": call, "applications": applications, "panels": panels,
                   "title": "Vue nationale"})
