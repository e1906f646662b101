"""The audit log in the admin, read only; and the admin of the other apps' models recording
each addition, change and deletion in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from carnot.audit.models import AuditEvent, EventKind
from carnot.audit.services import audit_record

if TYPE_CHECKING:
    from django import forms
    from django.db.models import QuerySet
    from django.http import HttpRequest


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shown, never added, changed or deleted — by anyone, superusers included."""

    list_display = ("at", "acting_user", "kind", "object_label", "application_code",
                    "call_year")
    list_filter = ("kind", "call_year")
    search_fields = ("object_label", "application_code", "reason")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _plain(value: Any) -> Any:
    """A form or model value as JSON data: an object as its primary key, several sorted, a file
    as its name, anything else not JSON as text (decimals ``12.50``, dates ``2026-01-05``)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        return sorted((_plain(item) for item in value), key=str)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A model edited through the admin, each addition, change and deletion an audit event
    (the fields changed, before and after), in the transaction of the edit."""

    def concerns(self, obj: Any) -> tuple[str, int | None]:
        """The code and call year of the application ``obj`` belongs to, if any."""
        return "", None

    def _record(self, request: HttpRequest, obj: Any, kind: EventKind,
                before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        code, year = self.concerns(obj)
        audit_record(acting_user=request.user, kind=kind,  # type: ignore[arg-type]
                     target=obj, before=before, after=after, application_code=code,
                     call_year=year)

    def save_related(self, request: HttpRequest, form: forms.ModelForm[Any],
                     formsets: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            if not change:
                self._record(request, form.instance, EventKind.ADMIN_ADDED, None,
                             {name: _plain(value) for name, value in form.cleaned_data.items()})
            elif form.changed_data:
                self._record(request, form.instance, EventKind.ADMIN_CHANGED,
                             {name: _plain(form.initial.get(name)) for name in form.changed_data},
                             {name: _plain(form.cleaned_data.get(name))
                              for name in form.changed_data})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._record_deletion(request, obj)
            super().delete_queryset(request, queryset)

    def _record_deletion(self, request: HttpRequest, obj: Any) -> None:
        self._record(request, obj, EventKind.ADMIN_DELETED,
                     {name: _plain(value) for name, value in model_to_dict(obj).items()}, None)

