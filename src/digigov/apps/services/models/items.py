"""事项管理: a service item per implementing organization, and its guide as immutable
versions. Items of different regions that share a `standard_code` follow one standard
(同事同标): their versions differ only in constants.LOCAL_FIELDS."""

from django.db import models

from ..constants import APPROVAL_MODES, ITEM_TYPES, SUBJECT_KINDS


class ServiceItem(models.Model):
    code = models.CharField("实施编码", max_length=64, unique=True)
    standard_code = models.CharField("基本编码（同事同标）", max_length=64, db_index=True)
    is_standard = models.BooleanField(
        "标准制定方", default=False, help_text="该基本编码下的标准事项，其余地区据此同步"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="实施机构",
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+"
    )
    published = models.ForeignKey(
        "ServiceItemVersion",
        verbose_name="现行版本",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]
        permissions = [
            ("edit_item_draft", "编辑事项草稿"),
            ("review_item", "审核发布事项"),
        ]

    def __str__(self) -> str:
        return self.code


class ServiceItemVersion(models.Model):
    """One version of an item's guide (办事指南). Published versions are never changed:
    an edit makes a new draft; applications pin the version they were filed under."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        IN_REVIEW = "in_review", "待审核"
        PUBLISHED = "published", "已发布"
        SUPERSEDED = "superseded", "已替代"
        REJECTED = "rejected", "审核未通过"

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # standard fields
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField(
        "事项类型", max_length=20, choices=list(ITEM_TYPES.items()), db_index=True
    )
    subject_kind = models.CharField(
        "服务对象", max_length=8, choices=list(SUBJECT_KINDS.items()), default="person"
    )
    legal_basis = models.TextField("设定依据", blank=True, default="")
    conditions = models.JSONField("受理条件", default=list, blank=True)  # list[str]
    # [{"code","name","required","license_types":[...],"formats":[...],"max_mb","note"}]
    materials = models.JSONField("申请材料", default=list, blank=True)
    process = models.JSONField("办理流程", default=list, blank=True)  # list[str]
    statutory_days = models.PositiveIntegerField("法定办结时限（工作日）")
    approval_mode = models.CharField(
        "审批方式", max_length=12, choices=list(APPROVAL_MODES.items()), default="workflow"
    )
    workflow_process = models.CharField(
        "BPMN 流程标识", max_length=80, blank=True, default="", help_text="流程审批时必填"
    )
    form_schema = models.JSONField("申请表（JSON Schema）", default=dict, blank=True)
    visits = models.PositiveSmallIntegerField("到现场次数", default=1)
    is_window_accepted = models.BooleanField("进驻综合窗口（一窗受理）", default=True)
    cross_region_scopes = models.JSONField("跨域通办范围", default=list, blank=True)
    is_online = models.BooleanField("可网上办理", default=True)
    is_single_sign_on = models.BooleanField("统一身份认证单点登录", default=True)
    life_events = models.JSONField("个人生命周期", default=list, blank=True)
    enterprise_stages = models.JSONField("企业生命周期", default=list, blank=True)
    result_name = models.CharField("办理结果", max_length=120, blank=True, default="")
    result_license_type = models.CharField(
        "结果证照类型代码", max_length=40, blank=True, default=""
    )
    # False where the result names someone other than the applicant (a newborn's birth
    # certificate, a death certificate): the department issues it by hand.
    result_for_applicant = models.BooleanField("结果证照颁发给申请人", default=True)
    # local fields (constants.LOCAL_FIELDS)
    implementing_body = models.CharField("实施主体", max_length=200, blank=True, default="")
    place = models.CharField("办理地点", max_length=300, blank=True, default="")
    office_hours = models.CharField("办理时间", max_length=200, blank=True, default="")
    consult_phone = models.CharField("咨询电话", max_length=40, blank=True, default="")
    complaint_phone = models.CharField("监督投诉电话", max_length=40, blank=True, default="")
    promised_days = models.PositiveIntegerField("承诺办结时限（工作日）")
    fees = models.JSONField("收费", default=list, blank=True)  # [] = 不收费
    # bookkeeping
    search_text = models.TextField("检索分词", blank=True, default="")
    change_note = models.CharField("修订说明", max_length=300, blank=True, default="")
    created_by = models.CharField("起草人", max_length=160, blank=True, default="")
    reviewed_by = models.CharField("审核人", max_length=160, blank=True, default="")
    review_comment = models.CharField("审核意见", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "事项版本（办事指南）"
        verbose_name_plural = "事项版本（办事指南）"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="services_version_number_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"
