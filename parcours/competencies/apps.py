from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "parcours.competencies"
    verbose_name = "Compétences"
    default_auto_field = "django.db.models.BigAutoField"
