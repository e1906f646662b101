"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from carnot.applications.selectors import latest_call


def _latest_call_year() -> int | None:
    call = latest_call()
    return call.year if call is not None else None


def menu(request: HttpRequest) -> dict[str, Any]:
    """The year of the latest call, for the menu's funding links; read only when a page shows
    them (one query)."""
    return {"menu_call_year": SimpleLazyObject(_latest_call_year)}
