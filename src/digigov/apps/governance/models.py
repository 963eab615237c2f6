"""一网统管 (粤治慧): the plan's 21 indicators (Table 1, Annex 1), their daily values, the
values reported by hand for inputs the platform cannot hold, and topic dashboards (专题)."""

from __future__ import annotations

from django.db import models

from .constants import CATEGORIES, DIRECTIONS, FUNCTIONS, KINDS


class Indicator(models.Model):
    number = models.PositiveSmallIntegerField("序号", unique=True)
    category = models.CharField("类别", max_length=12, choices=list(CATEGORIES.items()))
    name = models.CharField("主要指标", max_length=120)
    unit = models.CharField("单位", max_length=12)
    formula = models.CharField("计算方法（附件1）", max_length=300)
    note = models.TextField("平台口径", blank=True, default="")
    # None: the plan gives no baseline ("-")
    baseline = models.DecimalField("现状值", max_digits=14, decimal_places=4, null=True, blank=True)
    target = models.DecimalField("2025年目标值", max_digits=14, decimal_places=4)
    direction = models.CharField(
        "方向", max_length=4, choices=list(DIRECTIONS.items()), default="up"
    )
    kind = models.CharField("取得方式", max_length=10, choices=list(KINDS.items()))
    calculator = models.CharField("计算器", max_length=40, blank=True, default="")

    class Meta:
        verbose_name = "一网统管指标"
        verbose_name_plural = "一网统管指标"
        ordering = ["number"]
        permissions = [
            ("view_dashboard", "查看一网统管驾驶舱（本市）"),
            ("view_province", "查看全省驾驶舱与各市数据"),
            ("report_indicator", "填报人工指标"),
            ("manage_topics", "配置专题驾驶舱"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class IndicatorValue(models.Model):
    """One computed figure: an indicator, a day, a region (province or city) and optionally
    a department line. `value` None: the input exists but holds no records yet (暂无数据)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    day = models.DateField("日期", db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("部门条线", max_length=40, blank=True, default="")
    value = models.DecimalField("值", max_digits=18, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField("分子", max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(
        "分母", max_digits=18, decimal_places=4, null=True, blank=True
    )
    detail = models.JSONField("说明", default=dict, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "指标值"
        verbose_name_plural = "指标值"
        ordering = ["indicator", "-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "day", "region", "department"],
                name="governance_value_once",
            )
        ]
        indexes = [
            models.Index(fields=["region", "day"], name="governance_value_region_idx"),
        ]


class ReportedValue(models.Model):
    """A figure reported by an authorised civil servant, with its source and date. Never
    edited: a correction is a new report; the latest (as_of, then reported_at) is shown."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="reports")
    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField("填报值", max_digits=14, decimal_places=4)
    source = models.CharField("数据来源", max_length=200)
    as_of = models.DateField("数据截止日期")
    note = models.CharField("说明", max_length=300, blank=True, default="")
    reported_by = models.CharField("填报人（审计主体）", max_length=160)
    reported_by_label = models.CharField("填报人", max_length=160, blank=True, default="")
    reported_at = models.DateTimeField("填报时间", auto_now_add=True)

    class Meta:
        verbose_name = "人工填报指标值"
        verbose_name_plural = "人工填报指标值"
        ordering = ["-as_of", "-reported_at", "-id"]


class Topic(models.Model):
    """A topic dashboard (专题), configured, not coded: what it shows is data."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    function = models.CharField("政府职能", max_length=20, choices=list(FUNCTIONS.items()))
    description = models.CharField("说明", max_length=300, blank=True, default="")
    sectors = models.JSONField("覆盖行业（部门条线）", default=list, blank=True)
    indicators = models.ManyToManyField(Indicator, verbose_name="指标", blank=True)
    event_types = models.JSONField("城市事件类型", default=list, blank=True)
    sensor_kinds = models.JSONField("感知终端类型", default=list, blank=True)
    datasets = models.JSONField("开放数据集", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.CharField("最后修改人", max_length=160, blank=True, default="")

    class Meta:
        verbose_name = "专题驾驶舱"
        verbose_name_plural = "专题驾驶舱"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
