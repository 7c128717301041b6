from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "parcours.api"
    label = "api"
    verbose_name = "API"
