"""Pages of the yearly allocation for programme officers: open, run, compare and publish runs."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
