from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "parcours.reporting"
    verbose_name = "Rapports et chiffres clés"
    default_auto_field = "django.db.models.BigAutoField"
