from django.db import migrations


def load(apps, schema_editor):
    from parcours.outcomes.defaults import DEFAULT_DEFINITIONS

    OutcomeDefinition = apps.get_model("outcomes", "OutcomeDefinition")
    for data in DEFAULT_DEFINITIONS:
        OutcomeDefinition.objects.get_or_create(
            code=data["code"], version=1, defaults={**data, "is_current": True}
        )


def unload(apps, schema_editor):
    from parcours.outcomes.defaults import DEFAULT_DEFINITIONS

    OutcomeDefinition = apps.get_model("outcomes", "OutcomeDefinition")
    codes = [d["code"] for d in DEFAULT_DEFINITIONS]
    OutcomeDefinition.objects.filter(code__in=codes, school__isnull=True, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
