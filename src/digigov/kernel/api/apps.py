from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "digigov.kernel.api"
    label = "api"
    verbose_name = "接口与机器客户端"
