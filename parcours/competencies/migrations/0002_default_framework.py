"""Ships the default transversal framework (published, shared by every school)."""

from types import SimpleNamespace

from django.db import migrations


def load_default(apps, schema_editor):
    from parcours.competencies.loading import create_framework_rows, default_framework_data

    models = SimpleNamespace(
        **{
            name: apps.get_model("competencies", name)
            for name in ("Framework", "ScaleLevel", "Area", "Competency", "LevelDescriptor")
        }
    )
    data = default_framework_data()
    if models.Framework.objects.filter(school=None, family=data["family"]).exists():
        return
    from django.utils import timezone

    create_framework_rows(data, models=models, status="published", published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("competencies", "0001_initial")]

    operations = [migrations.RunPython(load_default, migrations.RunPython.noop)]
