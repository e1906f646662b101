"""JSON API of the contract ledgers: contracts per unit and per consortium, with their
eligibility, and imports."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["registres"])
