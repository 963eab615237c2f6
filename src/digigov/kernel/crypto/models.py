from django.db import models


class CryptoKey(models.Model):
    """A key named by its key id. Secrets are stored wrapped by the master key (SM4-GCM)."""

    class Kind(models.TextChoices):
        SIGNING = "signing", "签名密钥对"
        SYMMETRIC = "symmetric", "对称密钥"

    key_id = models.CharField("密钥标识", max_length=80, primary_key=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    algorithm = models.CharField("算法", max_length=16)
    purpose = models.CharField("用途", max_length=80, db_index=True)
    owner = models.CharField("持有者", max_length=120, blank=True, default="")
    public_der = models.BinaryField("公钥", null=True, blank=True)
    wrapped_secret = models.BinaryField("封装的私钥或密钥")
    is_active = models.BooleanField("当前使用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "密钥"
        verbose_name_plural = "密钥"
        indexes = [models.Index(fields=["purpose", "owner", "is_active"])]

    def __str__(self) -> str:
        return f"{self.key_id} ({self.algorithm})"
