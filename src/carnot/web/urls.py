"""URLs of the platform. Every view states who may use it (see tests/web/test_permissions.py).

The money side keeps one URL namespace, ``funding`` (« /financement/ »), over the pages of three
apps: the ledgers (kept with the applications that decide who reads them), the allocation and
the spending.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from carnot.applications.views import home
from carnot.common.views import faq, health
from carnot.web.api import api

FUNDING = [
    path("", include("carnot.applications.ledgers.views")),
    path("", include("carnot.allocation.views.allocation")),
    path("", include("carnot.allocation.views.results")),
    path("", include("carnot.allocation.views.simulation")),
    path("", include("carnot.spending.views")),
]

urlpatterns = [
    path("", home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("faq/", faq, name="faq"),
    path("sante/", health, name="health"),
    path("candidatures/", include("carnot.applications.urls")),
    path("financement/", include((FUNDING, "funding"))),
    path("notifications/", include("carnot.notifications.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
