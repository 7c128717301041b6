from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "parcours.demo"
    label = "demo"
    verbose_name = "Démonstration"
