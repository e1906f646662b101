from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "carnot.demo"
    verbose_name = "Démonstration"
