from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "carnot.registry"
    verbose_name = "Référentiel"
