"""URLs of the platform. Every view states who may use it (see tests/web/test_permissions.py)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from carnot.web import views
from carnot.web.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("faq/", views.faq, name="faq"),
    path("sante/", views.health, name="health"),
    path("candidatures/", include("carnot.applications.urls")),
    path("financement/", include("carnot.funding.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
