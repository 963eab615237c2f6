from django.db import models


class Event(models.Model):
    topic = models.CharField("主题", max_length=120, db_index=True)
    payload = models.JSONField("内容", default=dict)
    created_at = models.DateTimeField("产生时间", auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField("全部送达时间", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "领域事件"
        verbose_name_plural = "领域事件"

    def __str__(self) -> str:
        return f"#{self.pk} {self.topic}"


class Delivery(models.Model):
    """One handler's successful processing of one event (the at-least-once ledger)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField("处理器", max_length=200)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True, default="")

    class Meta:
        verbose_name = "事件投递"
        verbose_name_plural = "事件投递"
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="event_delivery_unique")
        ]
