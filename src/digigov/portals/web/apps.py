from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "digigov.portals.web"
    label = "web"
    verbose_name = "广东政务服务网"
