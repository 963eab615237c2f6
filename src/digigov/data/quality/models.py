"""数据治理: quality rules per catalog resource, the runs that check a resource's rows
against them (a report and a score), the issues a run finds (assigned to the owning
department), and the analytics workspace (DuckDB snapshots of datasets with personal
fields masked, and the log of every query run on them)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class QualityRule(models.Model):
    """One check on a resource. Rules are data: the owning department's catalog staff and
    the data bureau edit them; a rule is switched off rather than deleted, so the issues it
    found keep their history."""

    class Kind(models.TextChoices):
        COMPLETENESS = "completeness", "完整性"
        VALIDITY = "validity", "有效性"
        UNIQUENESS = "uniqueness", "唯一性"
        TIMELINESS = "timeliness", "及时性"
        REFERENCE = "reference", "关联一致性"

    class Check(models.TextChoices):
        """What a validity rule checks a value against."""

        ID_NUMBER = "id_number", "公民身份号码（GB 11643）"
        USCC = "uscc", "统一社会信用代码（GB 32100）"
        REGION = "region", "行政区划代码（GB/T 2260）"
        DATE = "date", "日期（YYYY-MM-DD）"
        INTEGER = "integer", "整数"
        DECIMAL = "decimal", "数值"
        ENUM = "enum", "取值范围（枚举）"
        REGEX = "regex", "正则表达式"

    class Registry(models.TextChoices):
        ENTITY = "entity", "法人基础库（统一社会信用代码）"
        PERSON = "person", "自然人基础库（公民身份号码）"

    resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="数据资源",
        on_delete=models.CASCADE,
        related_name="quality_rules",
    )
    kind = models.CharField("规则类型", max_length=14, choices=Kind.choices)
    # completeness / validity / reference: one field; uniqueness: one or more (empty: the
    # resource's key field); timeliness: none.
    field_names = models.JSONField("数据项", default=list, blank=True)
    check_type = models.CharField(
        "校验方式", max_length=10, choices=Check.choices, blank=True, default=""
    )
    registry = models.CharField(
        "关联基础库", max_length=8, choices=Registry.choices, blank=True, default=""
    )
    # enum: {"values": [...]}; regex: {"pattern": "..."}; timeliness: {"max_age_days": n}
    params = models.JSONField("参数", default=dict, blank=True)
    weight = models.PositiveSmallIntegerField("权重", default=1)
    is_active = models.BooleanField("启用", default=True)
    created_by = models.CharField("创建人", max_length=160, blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "质量规则"
        verbose_name_plural = "质量规则"
        ordering = ["resource", "id"]
        permissions = [("manage_rules", "维护本单位数据资源的质量规则并发起检查")]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.get_kind_display()}"


class QualityRun(models.Model):
    """One check of a resource: what each rule found and the score (see services/runs.py
    for the formula). Written in one transaction at the end of the scan."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "人工发起"
        SCHEDULED = "scheduled", "定时检查"
        SEED = "seed", "演示数据"

    resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="数据资源",
        on_delete=models.CASCADE,
        related_name="quality_runs",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    trigger = models.CharField("触发方式", max_length=10, choices=Trigger.choices)
    triggered_by = models.CharField("发起人", max_length=160, blank=True, default="")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间")
    rows_checked = models.PositiveIntegerField("检查行数", default=0)
    rule_count = models.PositiveIntegerField("规则数", default=0)
    score = models.DecimalField("质量评分", max_digits=5, decimal_places=2, null=True)
    report = models.JSONField("检查报告", default=list)
    issues_opened = models.PositiveIntegerField("新发现问题", default=0)
    issues_closed = models.PositiveIntegerField("已消除问题", default=0)

    class Meta:
        verbose_name = "质量检查"
        verbose_name_plural = "质量检查"
        ordering = ["-id"]
        indexes = [models.Index(fields=["resource", "-id"], name="quality_run_latest_idx")]

    def __str__(self) -> str:
        return f"{self.resource_id}#{self.pk}"


class QualityIssue(models.Model):
    """A row that fails a rule (row_ref "#12" for a dataset row, the key for a registry,
    "" for the resource as a whole), worked on by the owning department's staff."""

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        RESOLVED = "resolved", "已解决"
        IGNORED = "ignored", "已忽略"

    resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="数据资源",
        on_delete=models.CASCADE,
        related_name="quality_issues",
    )
    rule = models.ForeignKey(
        QualityRule, verbose_name="规则", on_delete=models.PROTECT, related_name="issues"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="责任单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    row_ref = models.CharField("记录", max_length=130, blank=True, default="")
    message = models.CharField("问题描述", max_length=300)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    note = models.CharField("处理说明", max_length=300, blank=True, default="")
    handled_by = models.CharField("处理人", max_length=160, blank=True, default="")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    first_run = models.ForeignKey(
        QualityRun, verbose_name="首次发现", on_delete=models.PROTECT, related_name="+"
    )
    last_run = models.ForeignKey(
        QualityRun, verbose_name="最近发现", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    class Meta:
        verbose_name = "质量问题"
        verbose_name_plural = "质量问题"
        ordering = ["-id"]
        permissions = [("handle_issue", "处理本单位的数据质量问题")]
        constraints = [
            # one live issue per row and rule; resolved ones are history
            models.UniqueConstraint(
                fields=["rule", "row_ref"],
                condition=Q(state__in=["open", "ignored"]),
                name="quality_issue_live_unique",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "state"], name="quality_issue_org_idx"),
            models.Index(fields=["resource", "state"], name="quality_issue_resource_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.row_ref or '整体'}"


class WorkspaceSnapshot(models.Model):
    """A DuckDB copy of a topic or thematic dataset's rows, personal fields masked by their
    catalog masking rule, in VAR_DIR/workspace/. Analysts query these, never live data."""

    resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="数据资源",
        on_delete=models.CASCADE,
        related_name="workspace_snapshots",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="提供单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField("文件名", max_length=80, unique=True)
    table_name = models.CharField("表名", max_length=60)
    columns = models.JSONField("列", default=list)  # [{"name", "label", "masking"}]
    row_count = models.PositiveIntegerField("记录数", default=0)
    data_updated_at = models.DateTimeField("数据更新时间", null=True, blank=True)
    created_by = models.CharField("创建人", max_length=160)
    created_at = models.DateTimeField("快照时间", auto_now_add=True)

    class Meta:
        verbose_name = "分析快照"
        verbose_name_plural = "分析快照"
        ordering = ["-id"]
        permissions = [("use_workspace", "使用数据分析工作台（脱敏快照上的只读查询）")]

    def __str__(self) -> str:
        return f"{self.table_name}@{self.created_at:%Y-%m-%d %H:%M}"


class WorkspaceQuery(models.Model):
    """Every query an analyst ran or tried: its text, outcome and rows returned."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        REFUSED = "refused", "已拒绝"
        FAILED = "failed", "执行出错"

    snapshot = models.ForeignKey(
        WorkspaceSnapshot,
        verbose_name="快照",
        on_delete=models.SET_NULL,
        null=True,
        related_name="queries",
    )
    actor = models.CharField("查询人", max_length=160, db_index=True)
    sql = models.TextField("查询语句")
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    message = models.CharField("说明", max_length=300, blank=True, default="")
    rows_returned = models.PositiveIntegerField("返回行数", default=0)
    is_truncated = models.BooleanField("结果已截断", default=False)
    created_at = models.DateTimeField("查询时间", auto_now_add=True)

    class Meta:
        verbose_name = "分析查询"
        verbose_name_plural = "分析查询记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.actor}#{self.pk}"
