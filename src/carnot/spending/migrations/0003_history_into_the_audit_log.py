"""The history of grants and expenditures (SpendingChange) moves into the audit log, row for
row — who, when, what, old → new kept as they were — then its table goes.

The old rows kept text, not figures: the copied events carry that text (``{"text": …}``), which
the spending history shows as it did; they point to the consortium's application, the grant or
expenditure they were about named in the label (« Abondement 2026 »)."""

from django.db import migrations


def _kind(record):
    if record.what.startswith("Dépense"):
        return "expenditure.recorded"
    return "grant.changed" if record.old else "grant.opened"


def copy_history(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    event = apps.get_model("audit", "AuditEvent")
    application_type, _ = content_types.objects.get_or_create(app_label="applications",
                                                              model="application")
    event.objects.bulk_create(
        (event(at=record.at, acting_user_id=record.by_id, kind=_kind(record),
               content_type=application_type, object_id=str(record.application_id),
               object_label=record.what, application_code=record.application.code,
               call_year=record.application.call.year,
               before={"text": record.old} if record.old else None,
               after={"text": record.new})
         for record in (apps.get_model("spending", "SpendingChange").objects
                        .select_related("application__call").order_by("at", "pk"))),
        batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("audit", "0001_initial"),
        ("spending", "0002_former_funding_content_types"),
    ]

    operations = [
        # The copy cannot be undone by deleting: the audit log refuses it.
        migrations.RunPython(copy_history, migrations.RunPython.noop),
        migrations.DeleteModel(name="SpendingChange"),
    ]
