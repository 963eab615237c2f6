from django.apps import AppConfig


class CitizenConfig(AppConfig):
    name = "digigov.portals.citizen"
    label = "citizen"
    verbose_name = "粤省事"
