"""JSON API of five-year spending: vintages, expenditures and their history (FAQ-4.1)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["dépenses"])
