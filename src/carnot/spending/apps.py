from django.apps import AppConfig


class SpendingConfig(AppConfig):
    name = "carnot.spending"
    verbose_name = "Dépenses"
