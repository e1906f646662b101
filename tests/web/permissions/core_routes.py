"""Expectations for ``src/carnot/web/urls.py`` itself and the API's built-in routes."""

from __future__ import annotations

from tests.web.permissions.core import Expect, statuses

SIGNED_IN_REDIRECTED = statuses(default=302)
"""Anonymous users go to the login page; signed-in users to their landing page."""

EXPECTATIONS = [
    Expect("home", SIGNED_IN_REDIRECTED),
    Expect("login", statuses(anonymous=200, default=302)),
    Expect("login", statuses(anonymous=200, default=302), method="POST",
           data=lambda w: {"username": "coordinator", "password": "pas le bon"},
           case="wrong password"),
    # Django's LoginView redirects signed-in users whatever the method, and its form view
    # treats PUT as POST.
    Expect("login", statuses(anonymous=200, default=302), method="PUT",
           data=lambda w: "username=coordinator&password=faux"),
    Expect("login", statuses(anonymous=405, default=302), method="PATCH"),
    Expect("login", statuses(anonymous=405, default=302), method="DELETE"),
    Expect("logout", statuses(default=302), method="POST"),
    Expect("faq", statuses(default=200)),
    Expect("health", statuses(default=200)),
    Expect("api:api-root", statuses(default=404)),
    Expect("api:openapi-json", statuses(default=200)),
    Expect("api:openapi-view", statuses(default=200)),
]

ANY_METHOD = {
    "api:api-root": "django-ninja's root: 404 to every method.",
    "api:openapi-json": "django-ninja's schema view answers every method the same, read-only.",
    "api:openapi-view": "django-ninja's documentation page answers every method the same, "
                        "read-only.",
}
"""Routes exempt from the 405 check on undeclared methods, with the reason."""
