"""JSON API of the what-if simulation: the effect of a change on every consortium, unstored."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["simulation"])
