from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "parcours.companies"
    verbose_name = "Entreprises et stages"
    default_auto_field = "django.db.models.BigAutoField"
