"""办件: one case of one item. The applicant is a person (ID number) or an entity (USCC);
who filed it (an account, a relative acting for the person, a window clerk) is recorded
separately. Received and handling sides may differ (跨域通办, 收受分离)."""

from django.db import models

from ..constants import CHANNELS


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        ACCEPTED = "accepted", "已受理"
        CORRECTION = "correction", "待补正"
        APPROVED = "approved", "准予许可"
        REJECTED = "rejected", "不予许可"
        NOT_ACCEPTED = "not_accepted", "不予受理"
        WITHDRAWN = "withdrawn", "已撤回"

    CLOSED = ("approved", "rejected", "not_accepted", "withdrawn")

    class Warning(models.TextChoices):
        NONE = "", "正常"
        YELLOW = "yellow", "黄牌预警"
        RED = "red", "红牌超期"

    number = models.CharField("办件编号", max_length=40, unique=True)
    item = models.ForeignKey(
        "ServiceItem", verbose_name="事项", on_delete=models.PROTECT, related_name="applications"
    )
    item_version = models.ForeignKey(
        "ServiceItemVersion", verbose_name="事项版本", on_delete=models.PROTECT, related_name="+"
    )
    bundle_application = models.ForeignKey(
        "BundleApplication",
        verbose_name="所属一件事",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    status = models.CharField("状态", max_length=14, choices=Status.choices, default=Status.DRAFT)
    approval_mode = models.CharField("审批方式", max_length=12)
    # applicant (申请人) and filer (经办人)
    applicant_kind = models.CharField("申请人类型", max_length=8)  # "person" | "entity"
    applicant_id_number = models.CharField("申请人证件号码", max_length=18)
    applicant_uscc = models.CharField(
        "申请单位统一社会信用代码", max_length=18, blank=True, default=""
    )
    applicant_name = models.CharField("申请人名称", max_length=200)
    filed_by_account = models.ForeignKey(
        "identity.Account",
        verbose_name="经办账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    filed_by_actor = models.CharField("经办人（审计主体）", max_length=160)
    is_on_behalf = models.BooleanField("代办", default=False)
    channel = models.CharField("申办渠道", max_length=8, choices=list(CHANNELS.items()))
    # 收受分离
    received_region = models.ForeignKey(
        "regions.Region", verbose_name="收件地", on_delete=models.PROTECT, related_name="+"
    )
    received_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="收件机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_partner = models.CharField(
        "协作省份窗口", max_length=60, blank=True, default="", help_text="跨省通办时的外省收件方"
    )
    handling_region = models.ForeignKey(
        "regions.Region", verbose_name="办理地", on_delete=models.PROTECT, related_name="+"
    )
    handling_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="办理机构",
        on_delete=models.PROTECT,
        related_name="handled_applications",
    )
    form_data = models.JSONField("申请表", default=dict)
    prefilled_fields = models.JSONField("免填写字段", default=list, blank=True)
    # result
    decision_note = models.TextField("办理意见", blank=True, default="")
    result_reference = models.CharField("结果证照/文书编号", max_length=120, blank=True, default="")
    # statutory clock (限时办结), kept by services/clock.py
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    deadline = models.DateField("办结期限", null=True, blank=True, db_index=True)
    paused_since = models.DateTimeField("计时暂停自", null=True, blank=True)
    paused_reason = models.CharField("暂停原因", max_length=40, blank=True, default="")
    warning = models.CharField(
        "预警", max_length=8, choices=Warning.choices, default="", blank=True, db_index=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["handling_organization", "status"], name="services_app_org_idx"),
            models.Index(fields=["status", "deadline"], name="services_app_deadline_idx"),
            # an applicant's cases, and the 秒批 history rules' count of them by status (the
            # status's own lookups use services_app_deadline_idx)
            models.Index(fields=["applicant_id_number", "status"], name="services_app_person_idx"),
            models.Index(fields=["applicant_uscc", "status"], name="services_app_entity_idx"),
        ]
        permissions = [
            ("receive_application", "窗口收件（代为申办）"),
            ("handle_application", "办理办件"),
            ("supervise_application", "政务服务监督"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


class ApplicationMaterial(models.Model):
    """A required material satisfied by a license (免提交) or by an uploaded file. Files live
    under DIGIGOV_UPLOAD_ROOT (outside the web root) by their SHA-256; never served inline."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material_code = models.CharField("材料编码", max_length=40)
    material_name = models.CharField("材料名称", max_length=200)
    source = models.CharField("来源", max_length=8)  # constants.MATERIAL_SOURCES
    license_address = models.CharField("证照地址", max_length=160, blank=True, default="")
    stored_name = models.CharField("存储文件", max_length=80, blank=True, default="")
    original_name = models.CharField("原文件名", max_length=200, blank=True, default="")
    content_type = models.CharField("文件类型", max_length=80, blank=True, default="")
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, default="")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material_code"], name="services_material_once"
            )
        ]


class CaseEvent(models.Model):
    """The case's timeline as applicant and staff see it (the audit log is the tamper-
    evident record; this is its readable projection)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True)
    kind = models.CharField("环节", max_length=40)
    label = models.CharField("说明", max_length=300)
    actor_label = models.CharField("办理人", max_length=200, blank=True, default="")
    organization_name = models.CharField("办理机构", max_length=200, blank=True, default="")
    is_public = models.BooleanField("申请人可见", default=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "办件进度"
        verbose_name_plural = "办件进度"
        ordering = ["application", "at", "id"]


class IdempotencyKey(models.Model):
    """One submission per (actor, key): a double click or a retried request files one case."""

    actor = models.CharField(max_length=160)
    key = models.CharField(max_length=80)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, null=True, blank=True)
    bundle_application = models.ForeignKey(
        "BundleApplication", on_delete=models.CASCADE, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "key"], name="services_idempotency_uniq")
        ]
