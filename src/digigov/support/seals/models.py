"""电子印章 and 电子签名: department seals (key, X.509 certificate, status history, use log),
the platform's seal CA and time-stamping authority, and citizens' personal signing keys with
the signatures made with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SealKind(models.TextChoices):
    OFFICIAL = "official", "单位公章"
    APPROVAL = "approval", "行政审批专用章"
    CONTRACT = "contract", "合同专用章"
    FINANCE = "finance", "财务专用章"


class SealStatus(models.TextChoices):
    APPLIED = "applied", "申请中"
    ACTIVE = "active", "已启用"
    REFUSED = "refused", "已驳回"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已注销"


# The statuses in which a seal still occupies its (organization, kind) slot.
LIVE_STATUSES = (SealStatus.APPLIED, SealStatus.ACTIVE, SealStatus.SUSPENDED)


class Seal(models.Model):
    """One electronic seal of an organization. Its private key lives in kernel.crypto
    (purpose "seal", owner "seal:<id>") and is made when the seal is approved."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="用章单位",
        on_delete=models.PROTECT,
        related_name="seals",
    )
    kind = models.CharField("印章类型", max_length=12, choices=SealKind.choices)
    name = models.CharField("印章名称", max_length=160)
    status = models.CharField(
        "状态", max_length=12, choices=SealStatus.choices, default=SealStatus.APPLIED
    )
    purpose_note = models.CharField("申请事由", max_length=300, blank=True, default="")
    applied_by = models.CharField("申请人", max_length=160)
    applied_by_label = models.CharField("申请人姓名", max_length=160, blank=True, default="")
    applied_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.CharField("审批人", max_length=160, blank=True, default="")
    decided_by_label = models.CharField("审批人姓名", max_length=160, blank=True, default="")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True, default="")
    key_id = models.CharField("签名密钥", max_length=80, blank=True, default="")
    certificate_der = models.BinaryField("印章证书（DER）", null=True, blank=True)
    certificate_serial = models.CharField(
        "证书序列号（十六进制）", max_length=64, blank=True, default="", db_index=True
    )
    valid_from = models.DateTimeField("证书有效期起", null=True, blank=True)
    valid_until = models.DateTimeField("证书有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "电子印章"
        verbose_name_plural = "电子印章"
        ordering = ["organization_id", "kind", "-applied_at"]
        permissions = [
            ("apply_seal", "申请电子印章"),
            ("approve_seal", "审批电子印章"),
            ("manage_seal", "暂停、恢复、注销电子印章"),
            ("use_seal", "使用电子印章（用章）"),
        ]
        constraints = [
            # One live seal of each kind per organization (a revoked one may be replaced).
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=Q(status__in=["applied", "active", "suspended"]),
                name="seals_one_live_seal_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_status_display()}）"


class SealStatusChange(models.Model):
    """The seal's status history: answers "was it active when this PDF was sealed?"."""

    seal = models.ForeignKey(
        Seal, verbose_name="印章", on_delete=models.PROTECT, related_name="status_changes"
    )
    status = models.CharField("新状态", max_length=12, choices=SealStatus.choices)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.CharField("操作人", max_length=160)
    actor_label = models.CharField("操作人姓名", max_length=160, blank=True, default="")
    reason = models.CharField("原因", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "印章状态变更"
        verbose_name_plural = "印章状态变更"
        ordering = ["seal_id", "at", "id"]


class SealUse(models.Model):
    """用章记录: every document sealed."""

    seal = models.ForeignKey(
        Seal, verbose_name="印章", on_delete=models.PROTECT, related_name="uses"
    )
    document_sm3 = models.CharField("原文摘要（SM3）", max_length=64)
    sealed_sm3 = models.CharField("签章后文件摘要（SM3）", max_length=64)
    file_name = models.CharField("文件名", max_length=200)
    actor = models.CharField("用章人", max_length=160)
    actor_label = models.CharField("用章人姓名", max_length=160, blank=True, default="")
    used_at = models.DateTimeField("用章时间", auto_now_add=True, db_index=True)
    purpose = models.CharField("用章事由", max_length=300)

    class Meta:
        verbose_name = "用章记录"
        verbose_name_plural = "用章记录"
        ordering = ["-used_at", "-id"]


class Authority(models.Model):
    """The platform's seal CA (self-signed root) and its time-stamping authority (TSA):
    their keys live in kernel.crypto, their certificates here."""

    class Role(models.TextChoices):
        ROOT = "root", "电子印章根证书（CA）"
        TSA = "tsa", "时间戳服务（TSA）"

    role = models.CharField("角色", max_length=8, choices=Role.choices)
    key_id = models.CharField("签名密钥", max_length=80)
    certificate_der = models.BinaryField("证书（DER）")
    subject = models.CharField("主体", max_length=300)
    valid_from = models.DateTimeField("有效期起")
    valid_until = models.DateTimeField("有效期至")
    is_active = models.BooleanField("当前使用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "印章 CA 与时间戳服务"
        verbose_name_plural = "印章 CA 与时间戳服务"
        constraints = [
            models.UniqueConstraint(
                fields=["role"], condition=Q(is_active=True), name="seals_one_active_authority"
            )
        ]

    def __str__(self) -> str:
        return self.subject


class SignatureKey(models.Model):
    """A citizen's personal signing key bound to the account (a certificate-like binding):
    the key (kernel.crypto, purpose "personal-signature", owner "account:<id>", SM2) and the
    SM3 digest of the ID number it was bound to (not the number itself)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.PROTECT,
        related_name="signature_keys",
    )
    key_id = models.CharField("签名密钥", max_length=80, unique=True)
    algorithm = models.CharField("算法", max_length=16)
    id_number_sm3 = models.CharField("身份号码摘要（SM3）", max_length=64)
    holder_name = models.CharField("持有人姓名", max_length=50)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "个人签名密钥"
        verbose_name_plural = "个人签名密钥"
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(revoked_at__isnull=True),
                name="seals_one_live_signature_key_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} · {self.key_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PersonalSignature(models.Model):
    """One personal e-signature: the RFC 8785 canonical JSON that was signed (a small
    envelope naming the object, the signer's key and the time around the document)."""

    key = models.ForeignKey(
        SignatureKey, verbose_name="签名密钥", on_delete=models.PROTECT, related_name="signatures"
    )
    object_ref = models.CharField("签署对象", max_length=120, db_index=True)
    title = models.CharField("标题", max_length=200, blank=True, default="")
    signed_payload = models.TextField("签署内容（RFC 8785 规范化 JSON）")
    digest_sm3 = models.CharField("摘要（SM3）", max_length=64)
    signature = models.TextField("签名值（Base64）")
    signed_at = models.DateTimeField("签署时间")

    class Meta:
        verbose_name = "电子签名"
        verbose_name_plural = "电子签名"
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "object_ref"], name="seals_one_signature_per_key_and_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_ref} · {self.signed_at:%Y-%m-%d %H:%M}"
