from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: ``parcours backup`` and ``parcours restore`` (no models, no URLs), and the
    project-wide runtime settings every app shares (the fast choice labels)."""

    name = "parcours.ops"
    label = "ops"
    verbose_name = "Exploitation"

    def ready(self) -> None:
        from parcours import choice_labels

        choice_labels.install()
