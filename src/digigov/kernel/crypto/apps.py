from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "digigov.kernel.crypto"
    label = "crypto"
    verbose_name = "密码服务"
