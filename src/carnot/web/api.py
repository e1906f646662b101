"""The JSON API (django-ninja; OpenAPI at /api/docs), with exactly the pages' permissions."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(title="Carnot", version="1", auth=django_auth,
               urls_namespace="api",
               description="API de la plateforme Carnot : candidatures, unités, signatures, "
                           "panneau de recevabilité. Authentification par session ; mêmes "
                           "droits que les pages.")

api.add_router("/candidatures", "carnot.applications.api.router")
