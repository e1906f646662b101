from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "carnot.allocation"
    verbose_name = "Répartition de l'abondement"
