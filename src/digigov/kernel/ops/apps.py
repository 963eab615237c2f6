from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "digigov.kernel.ops"
    label = "ops"
    verbose_name = "运维"
