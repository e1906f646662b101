from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "carnot.ledgers"
    verbose_name = "Registres de contrats"
