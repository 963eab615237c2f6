from django.apps import AppConfig


class SensorsConfig(AppConfig):
    name = "digigov.apps.sensors"
    label = "sensors"
    verbose_name = "感知终端"
    default_auto_field = "django.db.models.BigAutoField"
