from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "parcours.scale"
    label = "scale"
    verbose_name = "Données de charge (benchmarks)"
