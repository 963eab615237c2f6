"""法定节假日与调休: the exceptions to "Monday to Friday are working days", per date.

A year counts as covered once it has any row: the State Council publishes each year's
arrangement (国务院办公厅关于某年部分节假日安排的通知) at the end of the year before, and an
operator enters it here when the bundled data ends."""

from django.db import models


class Holiday(models.Model):
    class Source(models.TextChoices):
        PACKAGE = "chinese_calendar", "chinese_calendar 数据包"
        MANUAL = "manual", "人工录入"

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "调休上班", default=False, help_text="勾选：周末调休上班日；不勾选：法定节假日（放假）"
    )
    name = models.CharField("节日", max_length=60)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "法定节假日与调休"
        verbose_name_plural = "法定节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}{'（调休上班）' if self.is_workday else ''}"
