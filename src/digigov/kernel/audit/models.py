from django.db import models


class AuditEntry(models.Model):
    """One audited act. Rows are never updated or deleted (database triggers refuse it)."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        DENIED = "denied", "拒绝"
        FAILURE = "failure", "失败"

    seq = models.BigAutoField("序号", primary_key=True)
    occurred_at = models.DateTimeField("时间", db_index=True)
    actor = models.CharField("操作者", max_length=160)
    acting_for = models.CharField("代表", max_length=160, blank=True, default="")
    action = models.CharField("动作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True, default="")
    object_id = models.CharField("对象", max_length=160, blank=True, default="", db_index=True)
    source_address = models.CharField("来源地址", max_length=64, blank=True, default="")
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    entry_hash = models.CharField("本条摘要", max_length=64, unique=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        indexes = [models.Index(fields=["actor", "occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditCheckpoint(models.Model):
    """The chain head signed with the audit key: a rewrite of the whole chain after it shows."""

    seq = models.BigIntegerField("截至序号", unique=True)
    entry_hash = models.CharField("截至摘要", max_length=64)
    key_id = models.CharField("签名密钥", max_length=80)
    signature = models.BinaryField("签名")
    created_at = models.DateTimeField("签名时间", auto_now_add=True)

    class Meta:
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"
