"""Pages of five-year spending: vintages, expenditures and their history (FAQ-4.1)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
