from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "carnot.notifications"
    verbose_name = "Notifications"
