"""Pages every part of the platform shares: the call's FAQ (the target of every rule link) and
the health check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carnot.common.faq import faq_entries


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    """Public: the rules of the call with their ids, the target of the panel's links."""
    return render(request, "faq.html", {"sections": faq_entries(), "title": "FAQ de l'appel"})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Public: the platform answers."""
    return JsonResponse({"status": "ok"})
