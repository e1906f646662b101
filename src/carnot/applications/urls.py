from django.urls import path

from carnot.applications import views

app_name = "applications"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("nationale/", views.national_view, name="national"),
]
