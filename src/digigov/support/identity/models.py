from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from digigov.kernel.principals import Principal

from .constants import REAL_NAME_LABELS


class Account(AbstractUser):
    """One login for a citizen, an enterprise agent or a civil servant (公职人员)."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", "个人"
        ENTERPRISE = "enterprise", "企业经办人"
        STAFF = "staff", "公职人员"

    class RealNameLevel(models.IntegerChoices):
        REGISTERED = 1, REAL_NAME_LABELS[1]
        VERIFIED = 2, REAL_NAME_LABELS[2]
        IN_PERSON = 3, REAL_NAME_LABELS[3]

    kind = models.CharField(
        "账号类型", max_length=12, choices=Kind.choices, default=Kind.CITIZEN, db_index=True
    )
    real_name_level = models.PositiveSmallIntegerField(
        "实名等级", choices=RealNameLevel.choices, default=RealNameLevel.REGISTERED, db_index=True
    )
    real_name = models.CharField("姓名", max_length=50, blank=True, default="")
    # Keyed by the ID number itself: person_id *is* the verified ID number, so building a
    # Principal on every API call needs no join.
    person = models.ForeignKey(
        "registries.Person",
        verbose_name="实名（自然人基础库）",
        on_delete=models.PROTECT,
        to_field="id_number",
        null=True,
        blank=True,
        related_name="+",
    )
    phone_sealed = models.TextField("手机号（密文）", blank=True, default="")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    verified_by = models.ForeignKey(
        "self",
        verbose_name="现场核验人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField("现场核验时间", null=True, blank=True)
    verified_place = models.CharField("现场核验地点", max_length=120, blank=True, default="")

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        permissions = [("verify_in_person", "现场实名核验（L3）")]
        constraints = [
            # One person, one account of each kind.
            models.UniqueConstraint(
                fields=["kind", "person"],
                condition=Q(person__isnull=False),
                name="identity_account_one_per_person_and_kind",
            )
        ]

    def get_full_name(self) -> str:
        return self.real_name or self.username

    def get_short_name(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def id_number(self) -> str:
        """The verified ID number ("" below L2)."""
        return self.person_id or ""

    def as_principal(self, *, source_address: str = "") -> Principal:
        """The Principal for this account.

        A staff account whose request has not passed the TOTP step (django-otp sets
        `is_verified` on request.user) gets no permissions: a password alone never
        carries a civil servant's powers, whatever path the session came from.
        """
        # Roles (and so permissions) belong to civil servants; citizens and enterprise
        # agents act on their own behalf and hold none (this also spares two queries).
        permissions: frozenset[str] = frozenset()
        is_verified = getattr(self, "is_verified", None)
        if (
            self.kind == self.Kind.STAFF
            and self.is_active
            and not (callable(is_verified) and not is_verified())
        ):
            permissions = frozenset(self.get_all_permissions())
        if self.kind == self.Kind.STAFF and self.organization_id:
            region_code = self.organization.region_id  # FK cache: one query per request
        elif self.person_id:
            region_code = self.person.household_region_id
        else:
            region_code = ""
        return Principal(
            kind=self.kind,
            id=str(self.pk),
            label=self.display_name,
            organization_id=self.organization_id,
            region_code=region_code,
            person_id_number=self.id_number,
            permissions=permissions,
            source_address=source_address,
            assurance_level=int(self.real_name_level),
        )


class Delegation(models.Model):
    """亲友代办: a citizen (grantor) authorises a relative (agent) to act for them."""

    grantor = models.ForeignKey(
        Account, verbose_name="委托人", on_delete=models.PROTECT, related_name="delegations_granted"
    )
    grantor_id_number = models.CharField("委托人公民身份号码", max_length=18)
    agent_id_number = models.CharField("代办人公民身份号码", max_length=18, db_index=True)
    agent_name = models.CharField("代办人姓名", max_length=50)
    scopes = models.JSONField("代办范围", default=list)
    expires_at = models.DateTimeField("有效期至")
    created_at = models.DateTimeField("授权时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        Account,
        verbose_name="撤销人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "亲友代办授权"
        verbose_name_plural = "亲友代办授权"
        indexes = [models.Index(fields=["grantor", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.grantor} → {self.agent_id_number[:4]}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class EntityBinding(models.Model):
    """An enterprise account acting for an entity: as its legal representative, or as an
    agent the legal representative authorised (授权代理) with scopes and an expiry."""

    class Role(models.TextChoices):
        LEGAL_REP = "legal_rep", "法定代表人"
        AGENT = "agent", "授权代理人"

    account = models.ForeignKey(
        Account, verbose_name="账号", on_delete=models.PROTECT, related_name="entity_bindings"
    )
    entity = models.ForeignKey(
        "registries.Entity",
        verbose_name="法人",
        on_delete=models.PROTECT,
        to_field="uscc",  # entity_id is the USCC: no lookup to bind, no join to show it
        related_name="+",
    )
    role = models.CharField("身份", max_length=12, choices=Role.choices)
    scopes = models.JSONField("授权范围", default=list, blank=True)
    granted_by = models.ForeignKey(
        Account,
        verbose_name="授权人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    created_at = models.DateTimeField("绑定时间", auto_now_add=True)
    revoked_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "企业账号绑定"
        verbose_name_plural = "企业账号绑定"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "entity"],
                condition=Q(revoked_at__isnull=True),
                name="identity_binding_one_live_per_account_entity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} @ {self.entity_id} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class OidcSigningKey(models.Model):
    """An RSA key that signs OIDC ID tokens. The private key is an SM4-GCM token from
    kernel.crypto (never stored in clear); the public half is published in the JWKS."""

    kid = models.CharField("密钥标识（JWK 指纹）", max_length=64, unique=True)
    private_key_sealed = models.TextField("私钥（密文）")
    public_jwk = models.JSONField("公钥（JWK）")
    is_active = models.BooleanField("当前签名密钥", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "OIDC 签名密钥"
        verbose_name_plural = "OIDC 签名密钥"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="identity_oidc_one_active_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kid[:12]}…{'（当前）' if self.is_active else ''}"
