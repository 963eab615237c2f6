from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "digigov.apps.services"
    label = "services"
    verbose_name = "一网通办"
    default_auto_field = "django.db.models.BigAutoField"
