from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "carnot.funding"
    verbose_name = "Abondement"
