"""共享交换: sharing requests (供需对接), the grants they produce, and the exchange log.

A request names a published catalog resource and the fields a department wants, with the
purpose, legal basis, scope and period. Unconditional resources are granted at once,
conditional ones wait for the owner, `不予共享` ones are refused at once. A grant is what the
exchange API checks on every call. Every exchange call (answered or refused) appends an
entry to the exchange log: hash-chained and signed, with the SM3 digests of the ID numbers
whose records it read in a child table ("谁用了我的数据")."""

from __future__ import annotations

from django.db import models


class SharingRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        PARTIAL = "partial", "部分同意"
        REFUSED = "refused", "不予同意"
        WITHDRAWN = "withdrawn", "已撤回"

    class DecisionMode(models.TextChoices):
        NONE = "", "—"
        AUTO = "auto", "系统自动（按共享属性）"
        OWNER = "owner", "提供单位审批"

    requester_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="需求单位",
        on_delete=models.PROTECT,
        related_name="sharing_requests",
    )
    resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="数据资源",
        on_delete=models.PROTECT,
        related_name="sharing_requests",
    )
    # The share condition when the request was made: the decision and indicator 11 count
    # against it, even if the catalog entry is reclassified later.
    share_condition = models.CharField("申请时共享属性", max_length=14)
    fields = models.JSONField("申请数据项", default=list)
    purpose = models.CharField("用途", max_length=300)
    legal_basis = models.CharField("依据", max_length=300)
    scope = models.CharField("使用范围", max_length=300)
    period_end = models.DateField("申请使用期限至")
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    requested_by = models.CharField("申请人", max_length=160)
    requested_by_label = models.CharField("申请人姓名", max_length=160, blank=True, default="")
    submitted_at = models.DateTimeField("提交时间", db_index=True)
    decision_mode = models.CharField(
        "决定方式", max_length=6, choices=DecisionMode.choices, blank=True, default=""
    )
    approved_fields = models.JSONField("同意数据项", default=list, blank=True)
    unmasked_fields = models.JSONField("不脱敏数据项", default=list, blank=True)
    may_export = models.BooleanField("允许批量导出", default=False)
    refusal_reason = models.CharField("不予同意理由", max_length=300, blank=True, default="")
    decided_by = models.CharField("审批人", max_length=160, blank=True, default="")
    decided_by_label = models.CharField("审批人姓名", max_length=160, blank=True, default="")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    class Meta:
        verbose_name = "共享申请"
        verbose_name_plural = "需求清单"
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("request_data", "为本单位申请共享数据"),
            ("approve_request", "审批对本单位数据资源的共享申请"),
        ]
        indexes = [
            models.Index(fields=["resource", "state"], name="sharing_req_resource_idx"),
            models.Index(fields=["requester_organization", "state"], name="sharing_req_org_idx"),
        ]

    def __str__(self) -> str:
        return f"共享申请 #{self.pk}"


class Grant(models.Model):
    """What an organization may read of a resource through the exchange, and until when."""

    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        EXPIRED = "expired", "已到期"
        REVOKED = "revoked", "已撤销"

    request = models.OneToOneField(
        SharingRequest, verbose_name="共享申请", on_delete=models.PROTECT, related_name="grant"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="被授权单位",
        on_delete=models.PROTECT,
        related_name="sharing_grants",
    )
    resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="数据资源",
        on_delete=models.PROTECT,
        related_name="sharing_grants",
    )
    fields = models.JSONField("授权数据项", default=list)
    unmasked_fields = models.JSONField("不脱敏数据项", default=list, blank=True)
    may_export = models.BooleanField("允许批量导出", default=False)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("有效期至")
    status = models.CharField(
        "状态", max_length=8, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    revoke_reason = models.CharField("撤销理由", max_length=300, blank=True, default="")
    revoked_by = models.CharField("撤销人", max_length=160, blank=True, default="")
    ended_at = models.DateTimeField("终止时间", null=True, blank=True)
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "共享授权"
        verbose_name_plural = "共享授权"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "resource", "status"], name="sharing_grant_lookup_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"共享授权 #{self.pk}"


class ExchangeLogEntry(models.Model):
    """One exchange call. Append-only; `entry_hash` = SM3(prev_hash || canonical entry), and
    `signature` is the platform's exchange key (SM2) over `seq:entry_hash`."""

    class Operation(models.TextChoices):
        RECORD = "record", "按主键查询"
        QUERY = "query", "条件查询"
        EXPORT = "export", "批量导出"
        VERIFY_PERSON = "verify_person", "自然人核验"
        VERIFY_ENTITY = "verify_entity", "法人核验"

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "已应答"
        REFUSED = "refused", "已拒绝"

    seq = models.BigAutoField("序号", primary_key=True)
    occurred_at = models.DateTimeField("时间", db_index=True)
    client_id = models.BigIntegerField("客户端", null=True, blank=True)
    client_label = models.CharField("客户端名称", max_length=160, blank=True, default="")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="调用单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="数据资源",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resource_code = models.CharField("资源代码", max_length=60, blank=True, default="")
    operation = models.CharField("操作", max_length=14, choices=Operation.choices)
    fields = models.JSONField("数据项", default=list, blank=True)
    purpose = models.CharField("用途", max_length=200, blank=True, default="")
    row_count = models.PositiveIntegerField("记录数", default=0)
    outcome = models.CharField("结果", max_length=8, choices=Outcome.choices)
    error_code = models.CharField("拒绝原因代码", max_length=40, blank=True, default="")
    source_address = models.CharField("来源地址", max_length=64, blank=True, default="")
    subjects_digest = models.CharField("当事人摘要", max_length=64, blank=True, default="")
    prev_hash = models.CharField("前一条摘要", max_length=64)
    entry_hash = models.CharField("本条摘要", max_length=64, unique=True)
    key_id = models.CharField("签名密钥", max_length=80)
    signature = models.BinaryField("签名")

    class Meta:
        verbose_name = "交换日志"
        verbose_name_plural = "交换日志"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["resource", "occurred_at"], name="sharing_log_resource_idx"),
            models.Index(fields=["organization", "occurred_at"], name="sharing_log_org_idx"),
        ]

    def __str__(self) -> str:
        return f"交换日志 #{self.seq}"


class ExchangeSubject(models.Model):
    """A person whose record an exchange call read, by the SM3 digest of the ID number."""

    entry = models.ForeignKey(
        ExchangeLogEntry, on_delete=models.PROTECT, related_name="subjects", db_index=False
    )
    digest = models.CharField("身份证号摘要", max_length=64)

    class Meta:
        verbose_name = "交换当事人"
        verbose_name_plural = "交换当事人"
        indexes = [
            models.Index(fields=["digest", "entry"], name="sharing_subject_digest_idx"),
            models.Index(fields=["entry"], name="sharing_subject_entry_idx"),
        ]
