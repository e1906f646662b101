from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "carnot.common"
    verbose_name = "Commun"
