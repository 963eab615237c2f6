"""限时办结: pauses of a case's statutory clock and the warning thresholds.

A pause (补正 correction, 特别程序 special procedure such as 听证、检验检测、专家评审) does
not count towards the time limit: when it ends, the working days it lasted are added to the
deadline."""

from django.db import models


class ClockPause(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "补正"
        SPECIAL = "special", "特别程序"

    application = models.ForeignKey(
        "Application", on_delete=models.CASCADE, related_name="clock_pauses"
    )
    kind = models.CharField("暂停类型", max_length=12, choices=Kind.choices)
    reason = models.CharField("原因", max_length=300, blank=True, default="")
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    working_days = models.PositiveIntegerField("暂停工作日数", default=0)
    started_by = models.CharField("发起人", max_length=160, blank=True, default="")
    ended_by = models.CharField("结束人", max_length=160, blank=True, default="")

    class Meta:
        verbose_name = "计时暂停"
        verbose_name_plural = "计时暂停"
        ordering = ["application", "started_at", "id"]
        indexes = [models.Index(fields=["application", "ended_at"], name="services_pause_open_idx")]


class ClockSetting(models.Model):
    """One row (pk 1), edited in the back office. A case turns yellow when the working days
    left are at most max(yellow_days, yellow_percent % of its time limit, rounded up)."""

    yellow_days = models.PositiveSmallIntegerField("黄牌预警：剩余工作日不超过", default=2)
    yellow_percent = models.PositiveSmallIntegerField(
        "黄牌预警：剩余时限占比不超过（%）", default=20
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办结时限预警设置"
        verbose_name_plural = "办结时限预警设置"

    def __str__(self) -> str:
        return f"剩余 ≤ {self.yellow_days} 个工作日或 ≤ {self.yellow_percent}% 时限"
