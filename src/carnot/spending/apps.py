from django.apps import AppConfig


class SpendingConfig(AppConfig):
    name = "carnot.spending"
    verbose_name = "Dépenses"

    def ready(self) -> None:
        from carnot.applications.links import add_application_link  # noqa: PLC0415
        from carnot.spending.links import spending_link  # noqa: PLC0415

        add_application_link(spending_link)
