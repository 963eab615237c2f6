"""数据目录. A resource says what a department holds (fields, classification and grade,
share and open conditions) and where the rows live: a base registry (基础库), rows uploaded
as a topic or thematic dataset (主题库/专题库, stored in `DatasetRow`), or a department's own
API that the platform registers but does not copy."""

from __future__ import annotations

from django.db import models


class SourceSystem(models.Model):
    """系统清单: a department's information system that produces data resources."""

    code = models.CharField("系统编码", max_length=60, unique=True)
    name = models.CharField("系统名称", max_length=120)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="建设单位",
        on_delete=models.PROTECT,
        related_name="source_systems",
    )
    description = models.TextField("系统简介", blank=True, default="")
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "信息系统"
        verbose_name_plural = "系统清单"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DataResource(models.Model):
    class Layer(models.TextChoices):
        BASE = "base", "基础库"
        TOPIC = "topic", "主题库"
        THEMATIC = "thematic", "专题库"

    class Storage(models.TextChoices):
        PERSON_REGISTRY = "registry.person", "自然人基础库"
        ENTITY_REGISTRY = "registry.entity", "法人基础库"
        DATASET = "dataset", "平台存储（上传数据集）"
        API = "api", "部门接口（登记）"

    class ShareCondition(models.TextChoices):
        UNCONDITIONAL = "unconditional", "无条件共享"
        CONDITIONAL = "conditional", "有条件共享"
        NONE = "none", "不予共享"

    class OpenCondition(models.TextChoices):
        UNCONDITIONAL = "unconditional", "无条件开放"
        CONDITIONAL = "conditional", "有条件开放"
        NONE = "none", "不予开放"

    class Grade(models.TextChoices):
        GENERAL = "general", "一般数据"
        IMPORTANT = "important", "重要数据"
        CORE = "core", "核心数据"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        PUBLISHED = "published", "已发布"
        REJECTED = "rejected", "已退回"
        RETIRED = "retired", "已下线"

    class Frequency(models.TextChoices):
        REALTIME = "realtime", "实时"
        DAILY = "daily", "每日"
        WEEKLY = "weekly", "每周"
        MONTHLY = "monthly", "每月"
        QUARTERLY = "quarterly", "每季度"
        YEARLY = "yearly", "每年"
        IRREGULAR = "irregular", "不定期"

    code = models.CharField("资源代码", max_length=60, unique=True)
    name = models.CharField("资源名称", max_length=160)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="提供单位",
        on_delete=models.PROTECT,
        related_name="data_resources",
    )
    description = models.TextField("资源摘要", blank=True, default="")
    layer = models.CharField("资源层级", max_length=10, choices=Layer.choices)
    storage = models.CharField("存储方式", max_length=20, choices=Storage.choices)
    subject_class = models.CharField("主题分类", max_length=60, blank=True, default="")
    industry_class = models.CharField("行业分类", max_length=60, blank=True, default="")
    update_frequency = models.CharField(
        "更新周期", max_length=10, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    data_format = models.CharField("数据格式", max_length=40, blank=True, default="")
    source_system = models.ForeignKey(
        SourceSystem,
        verbose_name="来源系统",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
    )
    share_condition = models.CharField("共享属性", max_length=14, choices=ShareCondition.choices)
    share_terms = models.CharField("共享条件", max_length=300, blank=True, default="")
    open_condition = models.CharField(
        "开放属性", max_length=14, choices=OpenCondition.choices, default=OpenCondition.NONE
    )
    grade = models.CharField("数据分级", max_length=10, choices=Grade.choices)
    has_personal_info = models.BooleanField("含个人信息", default=False)
    key_field = models.CharField("主键字段", max_length=60, blank=True, default="")
    api_url = models.URLField("接口地址", blank=True, default="")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    review_note = models.CharField("审核意见", max_length=300, blank=True, default="")
    submitted_by = models.CharField("提交人", max_length=160, blank=True, default="")
    reviewed_by = models.CharField("审核人", max_length=160, blank=True, default="")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    row_count = models.PositiveIntegerField("记录数", default=0)
    data_updated_at = models.DateTimeField("数据更新时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "数据资源"
        verbose_name_plural = "数据目录"
        ordering = ["code"]
        permissions = [
            ("register_resource", "登记和维护本单位数据资源"),
            ("review_resource", "审核发布数据资源（数据管理机构）"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ResourceField(models.Model):
    """A column of a resource. `masking` is how the exchange shows it unless a grant says
    otherwise (kernel.ids masks): none, id_number, name, phone, address, redact."""

    class DataType(models.TextChoices):
        STRING = "string", "字符串"
        INTEGER = "integer", "整数"
        DECIMAL = "decimal", "小数"
        DATE = "date", "日期"
        DATETIME = "datetime", "日期时间"
        BOOLEAN = "boolean", "布尔"
        CODE = "code", "代码"

    class Sensitivity(models.TextChoices):
        PUBLIC = "public", "公开"
        INTERNAL = "internal", "内部"
        SENSITIVE = "sensitive", "敏感"
        PERSONAL = "personal", "个人信息"

    class Masking(models.TextChoices):
        NONE = "none", "不脱敏"
        ID_NUMBER = "id_number", "证件号码脱敏"
        NAME = "name", "姓名脱敏"
        PHONE = "phone", "电话脱敏"
        ADDRESS = "address", "地址脱敏"
        REDACT = "redact", "完全屏蔽"

    resource = models.ForeignKey(DataResource, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("字段名", max_length=60)
    label = models.CharField("中文名称", max_length=80)
    data_type = models.CharField("数据类型", max_length=10, choices=DataType.choices)
    standard_element = models.CharField("标准数据元", max_length=80, blank=True, default="")
    code_list = models.CharField(
        "代码集", max_length=40, blank=True, default="", help_text="如 GB/T 2260（行政区划）"
    )
    sensitivity = models.CharField(
        "敏感程度", max_length=10, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    masking = models.CharField(
        "默认脱敏规则", max_length=10, choices=Masking.choices, default=Masking.NONE
    )
    is_required = models.BooleanField("必填", default=False)

    class Meta:
        verbose_name = "数据项"
        verbose_name_plural = "数据项"
        ordering = ["resource", "position"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "name"], name="catalog_field_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}.{self.name}"


class DatasetRow(models.Model):
    """One row of an uploaded topic or thematic dataset; `key` is its key field's value."""

    resource = models.ForeignKey(DataResource, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField("行号")
    key = models.CharField("主键值", max_length=120, blank=True, default="")
    data = models.JSONField("数据")
    loaded_at = models.DateTimeField("载入时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据集记录"
        verbose_name_plural = "数据集记录"
        indexes = [
            models.Index(fields=["resource", "key"], name="catalog_row_key_idx"),
            models.Index(fields=["resource", "row_number"], name="catalog_row_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}#{self.row_number}"
