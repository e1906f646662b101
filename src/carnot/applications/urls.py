"""Pages of applications, under /candidatures/. An application is named by its call's year and
its code (unique within the call); a declared unit by its RNSR; a signatory by its code."""

from django.urls import path

from carnot.applications import views

app_name = "applications"

APPLICATION = "<int:year>/<slug:code>/"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("nouvelle/", views.application_create, name="create"),
    path("nationale/", views.national_view, name="national"),
    path("nationale/candidatures.csv", views.national_csv, name="national-csv"),
    path("nationale/controles-croises.csv", views.cross_checks_csv, name="cross-checks-csv"),
    path("repertoire/unite/", views.unit_lookup, name="unit-lookup"),
    path(APPLICATION, views.application_detail, name="detail"),
    path(APPLICATION + "modifier/", views.application_edit, name="edit"),
    path(APPLICATION + "panneau/", views.application_panel, name="panel"),
    path(APPLICATION + "unites/ajouter/", views.unit_add, name="unit-add"),
    path(APPLICATION + "unites/<str:rnsr>/", views.unit_edit, name="unit-edit"),
    path(APPLICATION + "unites/<str:rnsr>/retirer/", views.unit_remove,
         name="unit-remove"),
    path(APPLICATION + "signatures/", views.signature_record, name="signature-record"),
    path(APPLICATION + "signatures/<slug:structure_code>/document/",
         views.signature_document, name="signature-document"),
    path(APPLICATION + "statut/", views.transition, name="transition"),
    path(APPLICATION + "export.xlsx", views.application_export, name="export"),
    path(APPLICATION + "import/", views.application_import, name="import"),
]
