from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carnot.accounts"
    verbose_name = "Comptes et rôles"
