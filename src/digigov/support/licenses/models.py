"""Tables of the licenses app. A license's signed document (`signed_payload`) never changes
after issuance; status lives beside it (and in the published status lists), so a change of
status never needs a new signature over the license itself."""

from __future__ import annotations

from django.db import models


class HolderKind(models.TextChoices):
    PERSON = "person", "自然人"
    ENTITY = "entity", "法人和其他组织"


class LicenseType(models.Model):
    """证照目录: one kind of license, e.g. 营业执照 (YYZZ)."""

    code = models.CharField("证照类型代码", max_length=40, unique=True)
    name = models.CharField("证照名称", max_length=80)
    # The department line (Organization.function) that issues it, e.g. "scjg".
    issuing_function = models.CharField("颁发部门条线", max_length=40, db_index=True)
    issuing_level = models.CharField("颁发层级", max_length=10, blank=True, default="")
    holder_kind = models.CharField("持证主体", max_length=8, choices=HolderKind.choices)
    # [{"key","label","type": "string|date|number|enum|boolean","required": bool,
    #   "choices": [...], "source": "holder.name|holder.key|entity.legal_rep_name|form.<key>|"}]
    fields = models.JSONField("照面信息字段", default=list, blank=True)
    validity_years = models.PositiveSmallIntegerField(
        "有效期（年）", null=True, blank=True, help_text="留空表示长期有效"
    )
    # {"title": "...", "color": "#b71c1c", "rows": ["key", ...], "footer": "..."}
    template = models.JSONField("版式模板", default=dict, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照目录"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class License(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂停使用"
        REVOKED = "revoked", "已吊销/注销"
        REPLACED = "replaced", "已换发"

    class Source(models.TextChoices):
        CASE = "case", "办件办结自动制证"
        STAFF = "staff", "部门人员制证"
        API = "api", "部门系统接口制证"
        DEMO = "demo", "演示数据"

    # <issuer organization code>-<type code>-<number>, stable for the license's life
    address = models.CharField("证照地址", max_length=160, unique=True)
    license_type = models.ForeignKey(
        LicenseType, verbose_name="证照类型", on_delete=models.PROTECT, related_name="licenses"
    )
    number = models.CharField("证照编号", max_length=60)
    issuer = models.ForeignKey(
        "organizations.Organization",
        verbose_name="颁发单位",
        on_delete=models.PROTECT,
        related_name="licenses",
    )
    holder_kind = models.CharField("持证主体类型", max_length=8, choices=HolderKind.choices)
    holder_key = models.CharField("持证主体证件号", max_length=18)  # ID number or USCC
    holder_name = models.CharField("持证主体名称", max_length=120)
    data = models.JSONField("照面信息", default=dict)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True)  # None: 长期
    issued_at = models.DateTimeField("签发时间")
    # The signed document: the canonical (RFC 8785) JSON text, its detached signature
    # (base64) and the signing key id; verification recomputes nothing from the columns.
    signed_payload = models.TextField("签名原文")
    signature = models.TextField("签名值")
    key_id = models.CharField("签名密钥标识", max_length=80)
    algorithm = models.CharField("签名算法", max_length=16)
    # W3C Bitstring Status List position (the same index in the issuer's revocation and
    # suspension lists of this sequence).
    status_sequence = models.PositiveIntegerField("状态列表序号", default=1)
    status_index = models.PositiveIntegerField("状态列表位置")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.VALID, db_index=True
    )
    suspended_until = models.DateField("暂停至", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=300, blank=True, default="")
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    source = models.CharField("制证来源", max_length=8, choices=Source.choices)
    source_reference = models.CharField(
        "来源编号", max_length=80, blank=True, default="", db_index=True
    )  # the case number for Source.CASE
    replaces = models.ForeignKey(
        "self",
        verbose_name="换发自",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "license_type", "number"], name="licenses_number_per_issuer"
            ),
            models.UniqueConstraint(
                fields=["issuer", "status_sequence", "status_index"],
                name="licenses_status_position",
            ),
        ]
        indexes = [models.Index(fields=["holder_kind", "holder_key", "status"])]
        permissions = [
            ("issue_license", "签发电子证照"),
            ("manage_license_status", "暂停、恢复、吊销、换发电子证照"),
        ]

    def __str__(self) -> str:
        return self.address


class StatusList(models.Model):
    """One issuer's W3C Bitstring Status List (a purpose and a sequence of 131,072 entries)."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", "吊销/注销"
        SUSPENSION = "suspension", "暂停"

    SIZE = 131_072  # the spec's minimum: 16 KB, so that one entry hides among many

    issuer = models.ForeignKey(
        "organizations.Organization",
        verbose_name="颁发单位",
        on_delete=models.PROTECT,
        related_name="license_status_lists",
    )
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices)
    sequence = models.PositiveIntegerField("序号", default=1)
    bits = models.BinaryField("位串")  # SIZE / 8 bytes, bit i = entry i (left-most first)
    next_index = models.PositiveIntegerField("下一个可用位置", default=0)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "证照状态列表"
        verbose_name_plural = "证照状态列表"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "purpose", "sequence"], name="licenses_status_list_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.purpose}/{self.sequence}"


class Authorization(models.Model):
    """授权用证: a registered third party (bank, hospital) asks to see a holder's license of
    a type, for a purpose, for a time; the holder grants (choosing the license) or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", "待持证人授权"
        GRANTED = "granted", "已授权"
        REFUSED = "refused", "已拒绝"
        REVOKED = "revoked", "已撤回"
        EXPIRED = "expired", "已过期"

    client = models.ForeignKey(
        "api.MachineClient",
        verbose_name="用证单位",
        on_delete=models.PROTECT,
        related_name="license_authorizations",
    )
    license_type = models.ForeignKey(
        LicenseType, verbose_name="证照类型", on_delete=models.PROTECT, related_name="+"
    )
    holder_kind = models.CharField("持证主体类型", max_length=8, choices=HolderKind.choices)
    holder_key = models.CharField("持证主体证件号", max_length=18, db_index=True)
    purpose = models.CharField("用证目的", max_length=200)
    requested_days = models.PositiveSmallIntegerField("申请授权天数", default=30)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    license = models.ForeignKey(
        License,
        verbose_name="授权的证照",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorizations",
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("授权决定时间", null=True, blank=True)
    decided_by = models.CharField("决定人", max_length=160, blank=True, default="")
    expires_at = models.DateTimeField("授权到期", null=True, blank=True)
    refusal_reason = models.CharField("拒绝原因", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "用证授权"
        verbose_name_plural = "用证授权"

    def __str__(self) -> str:
        return f"{self.client_id} → {self.license_type_id} ({self.status})"


class LicenseUse(models.Model):
    """Every use of a license, shown to its holder (用证记录) and counted for indicator 17."""

    class Kind(models.TextChoices):
        MATERIAL = "material", "办件免提交"
        THIRD_PARTY = "third_party", "授权用证"
        SHOW = "show", "亮证"
        VERIFY = "verify", "核验"
        DOWNLOAD = "download", "下载"

    license = models.ForeignKey(
        License, verbose_name="证照", on_delete=models.PROTECT, related_name="uses"
    )
    kind = models.CharField("用证方式", max_length=12, choices=Kind.choices)
    user_label = models.CharField("用证方", max_length=160)
    purpose = models.CharField("用途", max_length=200, blank=True, default="")
    reference = models.CharField("关联编号", max_length=80, blank=True, default="")
    client = models.ForeignKey(
        "api.MachineClient",
        verbose_name="用证单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    authorization = models.ForeignKey(
        Authorization,
        verbose_name="授权",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uses",
    )
    occurred_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "用证记录"
        verbose_name_plural = "用证记录"
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.license_id} {self.kind} {self.user_label}"
