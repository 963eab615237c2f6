"""开放广东: open datasets published from the data catalog, their resources and datastore
tables, usage per day, conditional-access applications, data requests, showcases, ratings,
comments and developer keys.

A dataset never holds personal data: the publishing service drops the catalog's personal and
sensitive fields (or aggregates rows over public ones) before copying rows into the datastore
table `opendata_ds_<datastore id>`."""

from __future__ import annotations

import uuid

from django.db import models


class Theme(models.TextChoices):
    """CKAN groups: the portal's themes (开放广东 主题)."""

    ECONOMY = "economy", "经济建设"
    FINANCE = "finance", "财税金融"
    TRANSPORT = "transport", "交通出行"
    EDUCATION = "education", "教育文化"
    HEALTH = "health", "医疗卫生"
    SOCIAL = "social-security", "社会保障"
    ENVIRONMENT = "environment", "生态环境"
    URBAN = "urban", "城建住房"
    AGRICULTURE = "agriculture", "农业农村"
    SAFETY = "public-safety", "公共安全"
    CREDIT = "credit", "信用服务"
    MARKET = "market", "市场监管"
    LIVELIHOOD = "livelihood", "民生服务"
    GOVERNANCE = "governance", "城市治理"
    GEOGRAPHY = "geography", "地理空间"
    SCIENCE = "science", "科技创新"


class License(models.TextChoices):
    GD_OPEN = "gd-open-data", "开放广东公共数据开放许可协议"
    CC_BY = "cc-by", "Creative Commons Attribution 4.0"
    ODC_BY = "odc-by", "Open Data Commons Attribution License"
    CC_ZERO = "cc-zero", "Creative Commons CCZero"


class Frequency(models.TextChoices):
    REALTIME = "realtime", "实时"
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"
    IRREGULAR = "irregular", "不定期"


class OpenDataset(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        PUBLISHED = "published", "已发布"
        REJECTED = "rejected", "已退回"
        WITHDRAWN = "withdrawn", "已下线"

    class OpenCondition(models.TextChoices):
        UNCONDITIONAL = "unconditional", "无条件开放"
        CONDITIONAL = "conditional", "有条件开放"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField("标识（网址）", max_length=100, unique=True)
    title = models.CharField("名称", max_length=200)
    notes = models.TextField("描述", blank=True, default="")
    resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="来源数据资源",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="open_datasets",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="发布单位",
        on_delete=models.PROTECT,
        related_name="open_datasets",
    )
    region_code = models.CharField("发布单位区划", max_length=12, db_index=True)
    theme = models.CharField("主题", max_length=20, choices=Theme.choices, db_index=True)
    license_id = models.CharField(
        "许可协议", max_length=20, choices=License.choices, default=License.GD_OPEN
    )
    update_frequency = models.CharField(
        "更新频率", max_length=10, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    temporal_start = models.DateField("时间范围起", null=True, blank=True)
    temporal_end = models.DateField("时间范围止", null=True, blank=True)
    spatial = models.JSONField("空间范围（区划代码）", default=list, blank=True)
    open_condition = models.CharField("开放属性", max_length=14, choices=OpenCondition.choices)
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    fields_spec = models.JSONField("开放字段", default=list, blank=True)
    dropped_fields = models.JSONField("未开放字段（个人信息、敏感）", default=list, blank=True)
    aggregate_by = models.JSONField("汇总维度", default=list, blank=True)
    search_text = models.TextField("检索词", blank=True, default="")
    # denormalized "|"-joined tags and resource formats: facets in one cheap pass over matches
    tags_joined = models.TextField("标签（冗余）", blank=True, default="")
    formats_joined = models.CharField("格式（冗余）", max_length=40, blank=True, default="")
    view_count = models.PositiveIntegerField("浏览次数", default=0)
    download_count = models.PositiveIntegerField("下载次数", default=0)
    submitted_by = models.CharField("提交人", max_length=160, blank=True, default="")
    reviewed_by = models.CharField("审核人", max_length=160, blank=True, default="")
    review_note = models.CharField("审核意见", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    modified_at = models.DateTimeField("修改时间", auto_now=True, db_index=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "开放数据集"
        verbose_name_plural = "开放数据集"
        ordering = ["name"]
        permissions = [
            ("publish_dataset", "发布和维护本单位开放数据集，审批有条件开放申请"),
            ("review_dataset", "审核开放数据集（数据管理机构）"),
            ("answer_request", "答复数据需求（数据管理机构）"),
            ("moderate_comment", "审核开放数据评论和应用"),
        ]
        indexes = [
            models.Index(fields=["state", "-modified_at"], name="opendata_ds_state_mod_idx"),
            models.Index(fields=["organization", "state"], name="opendata_ds_org_state_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class DatasetTag(models.Model):
    dataset = models.ForeignKey(OpenDataset, on_delete=models.CASCADE, related_name="tag_rows")
    name = models.CharField("标签", max_length=60, db_index=True)

    class Meta:
        verbose_name = "标签"
        verbose_name_plural = "标签"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="opendata_tag_unique")
        ]


class DatastoreTable(models.Model):
    """A real table `opendata_ds_<id>` with typed columns: the datastore of a dataset."""

    dataset = models.OneToOneField(
        OpenDataset, on_delete=models.CASCADE, related_name="datastore", null=True, blank=True
    )
    columns = models.JSONField("列", default=list)  # [{"id", "type", "label"}]
    indexed = models.JSONField("已索引列", default=list)
    row_count = models.PositiveBigIntegerField("记录数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "数据存储表"
        verbose_name_plural = "数据存储表"

    @property
    def table_name(self) -> str:
        return f"opendata_ds_{self.pk}"


class DatasetResource(models.Model):
    class Format(models.TextChoices):
        CSV = "CSV", "CSV"
        JSON = "JSON", "JSON"
        XLSX = "XLSX", "XLSX"
        API = "API", "API"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(OpenDataset, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField("名称", max_length=200)
    description = models.CharField("说明", max_length=300, blank=True, default="")
    format = models.CharField("格式", max_length=8, choices=Format.choices, db_index=True)
    position = models.PositiveSmallIntegerField(default=0)
    datastore = models.ForeignKey(
        DatastoreTable,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "数据资源文件"
        verbose_name_plural = "数据资源文件"
        ordering = ["dataset", "position"]


class UsageDay(models.Model):
    """Views, downloads and API calls of a dataset on one day."""

    dataset = models.ForeignKey(OpenDataset, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField("日期")
    views = models.PositiveIntegerField("浏览", default=0)
    downloads = models.PositiveIntegerField("下载", default=0)
    api_calls = models.PositiveIntegerField("接口调用", default=0)

    class Meta:
        verbose_name = "使用统计"
        verbose_name_plural = "使用统计"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "day"], name="opendata_usage_unique")
        ]


class AccessApplication(models.Model):
    """有条件开放: who asks for which dataset and why; the publisher decides."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"
        WITHDRAWN = "withdrawn", "已撤回"

    dataset = models.ForeignKey(OpenDataset, on_delete=models.CASCADE, related_name="applications")
    applicant = models.CharField("申请人", max_length=160, db_index=True)  # principal actor
    applicant_label = models.CharField("申请人名称", max_length=160, blank=True, default="")
    applicant_organization = models.CharField("申请单位", max_length=200, blank=True, default="")
    contact = models.CharField("联系方式", max_length=100, blank=True, default="")
    purpose = models.TextField("用途")
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    reason = models.CharField("审批意见", max_length=300, blank=True, default="")
    decided_by = models.CharField("审批人", max_length=160, blank=True, default="")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = "有条件开放申请"
        verbose_name_plural = "有条件开放申请"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["dataset", "applicant", "state"], name="opendata_app_lookup_idx")
        ]


class DataRequest(models.Model):
    """数据需求: someone asks for a dataset; the data bureau answers."""

    class State(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"
        FULFILLED = "fulfilled", "已开放"
        DECLINED = "declined", "暂不开放"

    title = models.CharField("需求名称", max_length=200)
    description = models.TextField("需求说明")
    requester = models.CharField("提出人", max_length=160, db_index=True)
    requester_label = models.CharField("提出人名称", max_length=160, blank=True, default="")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="期望提供单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="open_data_requests",
    )
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    answer = models.TextField("答复", blank=True, default="")
    answered_by = models.CharField("答复人", max_length=160, blank=True, default="")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    dataset = models.ForeignKey(
        OpenDataset,
        verbose_name="对应数据集",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据需求"
        verbose_name_plural = "数据需求"
        ordering = ["-created_at"]


class Showcase(models.Model):
    """数据应用: an app built on open datasets (moderated before it is shown)."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        PUBLISHED = "published", "已展示"
        REJECTED = "rejected", "未通过"

    title = models.CharField("应用名称", max_length=200)
    description = models.TextField("应用简介")
    url = models.URLField("访问地址", blank=True, default="")
    author = models.CharField("提交人", max_length=160)
    author_label = models.CharField("开发者", max_length=160, blank=True, default="")
    datasets = models.ManyToManyField(OpenDataset, related_name="showcases", blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    moderated_by = models.CharField("审核人", max_length=160, blank=True, default="")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据应用"
        verbose_name_plural = "数据应用"
        ordering = ["-created_at"]


class Rating(models.Model):
    dataset = models.ForeignKey(OpenDataset, on_delete=models.CASCADE, related_name="ratings")
    rater = models.CharField("评分人", max_length=160)
    score = models.PositiveSmallIntegerField("评分")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "rater"], name="opendata_rating_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="opendata_rating_range"
            ),
        ]


class Comment(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    dataset = models.ForeignKey(OpenDataset, on_delete=models.CASCADE, related_name="comments")
    author = models.CharField("评论人", max_length=160)
    author_label = models.CharField("昵称", max_length=160, blank=True, default="")
    text = models.TextField("内容")
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    moderated_by = models.CharField("审核人", max_length=160, blank=True, default="")
    created_at = models.DateTimeField("发表时间", auto_now_add=True)

    class Meta:
        verbose_name = "评论"
        verbose_name_plural = "评论"
        ordering = ["-created_at"]


class DeveloperKey(models.Model):
    """A developer's API key for the CKAN API (`Authorization` header); only its digest is
    stored."""

    owner = models.CharField("所有人", max_length=160, db_index=True)  # principal actor
    owner_label = models.CharField("开发者", max_length=160, blank=True, default="")
    name = models.CharField("用途名称", max_length=100)
    prefix = models.CharField("前缀", max_length=12)
    digest = models.CharField("摘要", max_length=64, unique=True)
    daily_quota = models.PositiveIntegerField("每日调用上限", default=10000)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "开发者密钥"
        verbose_name_plural = "开发者密钥"
        ordering = ["-created_at"]


class KeyUsageDay(models.Model):
    key = models.ForeignKey(DeveloperKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField("日期")
    calls = models.PositiveIntegerField("调用次数", default=0)
    refused = models.PositiveIntegerField("超限拒绝", default=0)

    class Meta:
        verbose_name = "密钥用量"
        verbose_name_plural = "密钥用量"
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="opendata_keyusage_unique")
        ]
