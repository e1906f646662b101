"""The what-if simulation page: the effect of a change on every consortium, nothing stored."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
