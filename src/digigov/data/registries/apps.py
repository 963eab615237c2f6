from django.apps import AppConfig


class RegistriesConfig(AppConfig):
    name = "digigov.data.registries"
    label = "registries"
    verbose_name = "基础库"
