from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carnot.audit"
    verbose_name = "Journal d'audit"
