from django.apps import AppConfig


class BusinessConfig(AppConfig):
    name = "digigov.portals.business"
    label = "business"
    verbose_name = "粤商通"
