from django.apps import apps
from django.contrib import admin

from carnot.audit.admin import AuditedModelAdmin

# Every edit of reference data through the admin is in the audit log, whose admin events also
# tell the kept admissibility panels to be computed again (applications.selectors.call_revision).
for model in apps.get_app_config(__package__.rsplit(".", 1)[-1]).get_models():
    admin.site.register(model, AuditedModelAdmin)
