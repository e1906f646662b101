"""JSON API of a consortium's published allocation and its explanation."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["abondements"])
