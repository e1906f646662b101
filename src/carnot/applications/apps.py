from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "carnot.applications"
    verbose_name = "Candidatures"
