from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "digigov.data.opendata"
    label = "opendata"
    verbose_name = "开放广东"
    default_auto_field = "django.db.models.BigAutoField"
