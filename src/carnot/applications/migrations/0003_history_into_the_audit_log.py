"""The history of status changes (TransitionRecord) and of figures (ChangeRecord) moves into the
audit log, row for row — who, when, old → new, why kept as they were — then the two tables go.

The old rows knew only their application: every copied event points to it (its content type and
id), the unit or signature they were about kept in the label (« unité 200012345A »)."""

from django.db import migrations

TRANSITION_EVENTS = {
    "submitted": "application.submitted", "draft": "application.withdrawn",
    "admissible": "application.admissible", "inadmissible": "application.inadmissible",
    "selected": "application.selected", "rejected": "application.rejected",
    "agreement": "application.agreement",
}


def _change_event(record):
    """(kind, label, before, after) of a ChangeRecord, as the services now record them."""
    subject, field, old, new = record.subject, record.field, record.old, record.new
    if subject.startswith("unité "):
        if field == "ajout":
            return "unit.declared", subject, None, {"rnsr": new}
        if field == "retrait":
            return "unit.removed", subject, {"rnsr": old}, None
        return "unit.changed", subject, {field: old}, {field: new}
    if subject.startswith("signature "):
        if field == "retrait":
            return "signature.removed", subject, {"signatory": old}, None
        return "signature.recorded", subject, {"signatory": old} if old else None, \
            {"signatory": new}
    if field == "création":
        return "application.created", "", None, {"name": new}
    return "application.changed", "", {field: old}, {field: new}


def copy_history(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    event = apps.get_model("audit", "AuditEvent")
    application_type, _ = content_types.objects.get_or_create(app_label="applications",
                                                              model="application")
    events = []
    for record in (apps.get_model("applications", "TransitionRecord").objects
                   .select_related("application__call").order_by("at", "pk")):
        application = record.application
        events.append(event(
            at=record.at, acting_user_id=record.by_id, kind=TRANSITION_EVENTS[record.target],
            content_type=application_type, object_id=str(application.pk),
            object_label=f"{application.name} ({application.code})",
            application_code=application.code, call_year=application.call.year,
            before={"status": record.source}, after={"status": record.target},
            reason=record.reason))
    for record in (apps.get_model("applications", "ChangeRecord").objects
                   .select_related("application__call").order_by("at", "pk")):
        application = record.application
        kind, label, before, after = _change_event(record)
        events.append(event(
            at=record.at, acting_user_id=record.by_id, kind=kind,
            content_type=application_type, object_id=str(application.pk),
            object_label=label or f"{application.name} ({application.code})",
            application_code=application.code, call_year=application.call.year,
            before=before, after=after))
    event.objects.bulk_create(sorted(events, key=lambda e: e.at), batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("audit", "0001_initial"),
        ("applications", "0002_ledgerimportjob"),
    ]

    operations = [
        # The copy cannot be undone by deleting: the audit log refuses it.
        migrations.RunPython(copy_history, migrations.RunPython.noop),
        migrations.DeleteModel(name="ChangeRecord"),
        migrations.DeleteModel(name="TransitionRecord"),
    ]
