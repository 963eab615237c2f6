from django.contrib.auth.models import AbstractUser
from django.db import models


class Account(AbstractUser):
    """One login for a citizen, an enterprise agent or a civil servant (公职人员)."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", "个人"
        ENTERPRISE = "enterprise", "企业经办人"
        STAFF = "staff", "公职人员"

    kind = models.CharField(
        "账号类型", max_length=12, choices=Kind.choices, default=Kind.CITIZEN, db_index=True
    )

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
