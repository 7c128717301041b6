from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "parcours.outcomes"
    verbose_name = "Sorties et suivi"
    default_auto_field = "django.db.models.BigAutoField"
