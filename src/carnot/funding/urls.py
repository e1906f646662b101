"""URLs of funding (namespace ``funding``): each area's module lists its own patterns."""

from django.urls import include, path

app_name = "funding"

urlpatterns = [
    path("", include("carnot.funding.views.ledgers")),
    path("", include("carnot.funding.views.allocation")),
    path("", include("carnot.funding.views.results")),
    path("", include("carnot.funding.views.simulation")),
    path("", include("carnot.funding.views.spending")),
]
