from django.contrib import admin

from carnot.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "role", "language")
    list_filter = ("role", "language")
