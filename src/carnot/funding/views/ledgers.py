"""Pages of the contract ledgers: contracts per unit and per consortium, each with its
eligibility (FAQ-3.1 to 3.3), and ledger imports."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
