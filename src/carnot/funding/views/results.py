"""Pages of a consortium's published allocation: its amount, the explanation, the PDF
letter and the charts."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
