from typing import Any

from django.apps import apps
from django.contrib import admin

from carnot.applications.models import Application, LedgerImportJob
from carnot.audit.admin import AuditedModelAdmin


class ApplicationDataAdmin(AuditedModelAdmin):
    """Edits through the admin are audit events filed under their application, so that its
    history shows them; they also tell the kept panels to be computed again
    (``selectors.call_revision``)."""

    def concerns(self, obj: Any) -> tuple[str, int | None]:
        application = obj if isinstance(obj, Application) else getattr(obj, "application", None)
        if application is None:
            return "", None
        return application.code, application.call.year


class ApplicationAdmin(ApplicationDataAdmin):
    """An application's status changes only through the workflow (its guards, its transition
    event, its notifications), never by an edit here."""

    readonly_fields = ("status",)


# Import jobs are the worker's state: not edited by hand (the job page shows them).
for model in apps.get_app_config(__package__.rsplit(".", 1)[-1]).get_models():
    if model is not LedgerImportJob:
        admin.site.register(model, ApplicationAdmin if model is Application
                            else ApplicationDataAdmin)
