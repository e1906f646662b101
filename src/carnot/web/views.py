"""Pages that belong to no domain app: home, FAQ, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from carnot.applications.permissions import can_see_national_view
from carnot.web.faq import faq_entries


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Anyone signed in: officers land on the national view, others on their applications."""
    if can_see_national_view(request.user):
        return redirect("applications:national")
    return redirect("applications:list")


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    """Public: the rules of the call with their ids, the target of the panel's links."""
    return render(request, "faq.html", {"sections": faq_entries(), "title": "FAQ de l'appel"})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Public: the platform answers."""
    return JsonResponse({"status": "ok"})
