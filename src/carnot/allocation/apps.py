from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "carnot.allocation"
    verbose_name = "Répartition de l'abondement"

    def ready(self) -> None:
        from carnot.allocation.links import published_result_link  # noqa: PLC0415
        from carnot.applications.links import add_application_link  # noqa: PLC0415

        add_application_link(published_result_link)
