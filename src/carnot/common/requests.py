"""What the views and the API read from a request, the same way everywhere."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.http import HttpRequest


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user (for views behind ``login_required`` and API operations behind the
    session authentication: anonymous requests never reach them)."""
    return cast("User", request.user)


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (it then wants a fragment, not a whole page)."""
    return request.headers.get("HX-Request") == "true"
