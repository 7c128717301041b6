from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "parcours.schedule"
    verbose_name = "Planning et présences"
    default_auto_field = "django.db.models.BigAutoField"
