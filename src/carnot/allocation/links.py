"""The allocation's link on an application's page: its published result, once there is one."""

from __future__ import annotations

from django.urls import reverse

from carnot.allocation.selectors import has_published_result
from carnot.applications.models import Application


def published_result_link(application: Application) -> tuple[str, str] | None:
    """« Abondement publié »: the result of the application's call, once published."""
    if not has_published_result(application=application):
        return None
    return "result_url", reverse("funding:result-detail", kwargs={
        "year": application.call.year, "code": application.code})
