from django.contrib import admin

from carnot.accounts.models import Profile
from carnot.audit.admin import AuditedModelAdmin


@admin.register(Profile)
class ProfileAdmin(AuditedModelAdmin):
    """A user's role decides what they may do: each change of it is in the audit log."""

    list_display = ("user", "role", "language")
    list_filter = ("role", "language")
