"""The content types of the models that left the former ``funding`` app follow them, so that
permissions granted on them (and admin history) stay attached."""

from django.db import migrations

MOVED = {
    "ledgers": ("partner", "researchcontract", "invoicedamount", "ledgerimport"),
    "applications": ("ledgerimportjob",),
    "allocation": ("allocationrun", "allocationline", "grant"),
    "spending": ("expenditure", "spendingchange"),
}


def follow_the_models(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED.items():
        for model in models:
            if not content_type.objects.filter(app_label=app_label, model=model).exists():
                content_type.objects.filter(app_label="funding", model=model).update(
                    app_label=app_label)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("ledgers", "0001_initial"),
        ("applications", "0002_ledgerimportjob"),
        ("allocation", "0001_initial"),
        ("spending", "0001_initial"),
    ]

    operations = [migrations.RunPython(follow_the_models, migrations.RunPython.noop)]
