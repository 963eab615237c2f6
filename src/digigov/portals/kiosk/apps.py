from django.apps import AppConfig


class KioskConfig(AppConfig):
    name = "digigov.portals.kiosk"
    label = "kiosk"
    verbose_name = "政务服务一体机"
