from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "parcours.people"
    label = "people"
    verbose_name = "Personnes"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from . import nir

        nir.attach_validators()
        pre_save.connect(nir.refuse_nir_on_save, dispatch_uid="people.refuse_nir")
