"""JSON API of the yearly allocation: runs, their lines and traces, comparison and publication."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["répartitions"])
