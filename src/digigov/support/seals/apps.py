from django.apps import AppConfig


class SealsConfig(AppConfig):
    name = "digigov.support.seals"
    label = "seals"
    verbose_name = "电子印章与电子签名"
    default_auto_field = "django.db.models.BigAutoField"
