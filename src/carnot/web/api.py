"""The JSON API (django-ninja; OpenAPI at /api/openapi.json, docs at /api/docs), with exactly
the pages' permissions.

Session authentication (the platform's login), CSRF checked on unsafe methods. Every refusal is
JSON ``{"detail": "<French message>", "errors": {field: [messages]}}``:

- 401 not signed in; 403 signed in but not allowed (or CSRF token missing);
- 404 not found, or not visible to the user (existence is never revealed);
- 422 input refused, by the schemas or by a service (``ServiceError``, French message naming
  the field and the FAQ rule).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.operation import Operation
from ninja.security import django_auth


class CarnotApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """Operation ids are the endpoints' names (``get_panel``), as their URL names."""
        return operation.view_func.__name__


api = CarnotApi(title="Carnot", version="1", auth=django_auth,
               urls_namespace="api",
               description="API de la plateforme Carnot : candidatures, unités, signatures, "
                           "panneau de recevabilité, vue nationale. Authentification par "
                           "session (la connexion du site) ; jeton CSRF (en-tête X-CSRFToken) "
                           "exigé pour POST, PATCH et DELETE ; mêmes droits que les pages.")

api.add_router("/candidatures", "carnot.applications.api.router")
api.add_router("/financement", "carnot.applications.ledgers.api.router")
api.add_router("/financement", "carnot.allocation.api.allocation.router")
api.add_router("/financement", "carnot.allocation.api.results.router")
api.add_router("/financement", "carnot.allocation.api.simulation.router")
api.add_router("/financement", "carnot.spending.api.router")

FORBIDDEN = "Accès refusé : votre rôle ne permet pas cette action."
NOT_FOUND = "Introuvable (ou non visible avec votre compte)."
HTTP_ERRORS = {
    "CSRF check Failed": "Jeton CSRF absent ou invalide : requête refusée.",
    "Unauthorized": "Authentification requise : connectez-vous.",
}
SCHEMA_MESSAGES = {
    "missing": "champ requis",
    "string_pattern_mismatch": "format invalide",
    "string_too_short": "trop court",
    "string_too_long": "trop long",
    "decimal_parsing": "nombre décimal attendu",
    "int_parsing": "nombre entier attendu",
    "bool_parsing": "booléen attendu",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "list_type": "liste attendue",
    "string_type": "texte attendu",
    "json_invalid": "JSON invalide",
}


def _refusal(request: HttpRequest, status: int, detail: str,
             errors: dict[str, list[str]] | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or {}},
                               status=status)


@api.exception_handler(ValidationError)
def refused_by_service(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service refused the write (ServiceError) or a model check failed: 422."""
    errors: dict[str, list[str]] = (exc.message_dict if hasattr(exc, "error_dict")
                                    else {NON_FIELD_ERRORS: exc.messages})
    detail = " ".join(message for messages in errors.values() for message in messages)
    return _refusal(request, 422, detail, errors)


@api.exception_handler(SchemaValidationError)
def refused_by_schema(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    """The request does not match the schema (OpenAPI): 422, by location."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()))
        errors.setdefault(where, []).append(_schema_message(error))
    detail = "Données invalides : " + " ; ".join(
        f"{where} ({', '.join(messages)})" for where, messages in errors.items()) + "."
    return _refusal(request, 422, detail, errors)


def _schema_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "enum":
        return f"valeur non autorisée (attendu : {error.get('ctx', {}).get('expected', '')})"
    return SCHEMA_MESSAGES.get(kind, str(error.get("msg", "valeur invalide")))


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """Signed in, allowed to see (or not concerned), not allowed to do: 403."""
    return _refusal(request, 403, str(exc) or FORBIDDEN)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Unknown, or not visible to this user (the same answer, so nothing leaks): 404."""
    return _refusal(request, 404, NOT_FOUND)


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _refusal(request, 401, HTTP_ERRORS["Unauthorized"])


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Errors raised by django-ninja itself (CSRF refused…), in French."""
    return _refusal(request, exc.status_code, HTTP_ERRORS.get(exc.message, exc.message))
