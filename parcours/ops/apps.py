from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: ``parcours backup`` and ``parcours restore`` (no models, no URLs)."""

    name = "parcours.ops"
    label = "ops"
    verbose_name = "Exploitation"
