from django.conf import settings
from django.db import models


class MachineClient(models.Model):
    """A department's system or a third party that calls the API without a person."""

    name = models.CharField("名称", max_length=120, unique=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machine_clients",
    )
    scopes = models.JSONField("授权范围", default=list, blank=True)
    oauth_application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name="OAuth2 客户端",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="machine_client",
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "机器客户端"
        verbose_name_plural = "机器客户端"

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """An API key: only its SM3 digest is stored; the prefix finds it quickly."""

    client = models.ForeignKey(MachineClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField("前缀", max_length=12, unique=True)
    digest = models.CharField("摘要", max_length=64)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 密钥"
        verbose_name_plural = "API 密钥"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client})"
