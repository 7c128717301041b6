"""The funding lines every school uses; schools can add their own in the admin."""

from django.db import migrations

FUNDING_LINES = [
    ("plie", "PLIE", "Plan local pour l'insertion et l'emploi", True),
    ("cej", "CEJ", "Contrat d'engagement jeune", True),
    ("politique_ville", "Politique de la ville", "Habitant·e d'un quartier prioritaire (QPV)", False),
    ("fse_plus", "FSE+", "Fonds social européen plus", False),
    ("region", "Région", "Financement régional de la formation", False),
]


def create(apps, schema_editor):
    FundingLine = apps.get_model("pathways", "FundingLine")
    for code, name, description, referral_choice in FUNDING_LINES:
        FundingLine.objects.update_or_create(
            code=code,
            defaults={"name": name, "description": description, "referral_choice": referral_choice},
        )


class Migration(migrations.Migration):
    dependencies = [("pathways", "0002_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
