from django.apps import AppConfig


class CityeventsConfig(AppConfig):
    name = "digigov.apps.cityevents"
    label = "cityevents"
    verbose_name = "城市事件"
    default_auto_field = "django.db.models.BigAutoField"
