from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "digigov.portals.staff"
    label = "staff"
    verbose_name = "粤政易"
