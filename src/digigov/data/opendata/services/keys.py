"""Developer keys for the CKAN API: a signed-in person registers keys (the secret is shown
once; only its SHA-256 digest is stored), each with a daily quota; every call is counted
per key and day, calls past the quota are refused and counted too."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import NotFound, PermissionDenied, Throttled, ValidationFailed
from digigov.kernel.principals import Principal

from ..models import DeveloperKey, KeyUsageDay
from .common import require_person

DEFAULT_QUOTA = 10_000
MAX_QUOTA = 100_000
MAX_ACTIVE_KEYS = 5
PREFIX = "gdod_"


@dataclass(frozen=True)
class IssuedKey:
    key: DeveloperKey
    secret: str  # shown once


@dataclass(frozen=True)
class KeyUse:
    key_id: int
    owner: str
    calls_today: int
    quota: int


def key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def developer_key_create(
    *, principal: Principal, name: str, daily_quota: int = DEFAULT_QUOTA
) -> IssuedKey:
    require_person(principal)
    name = str(name or "").strip()
    errors = {}
    if not 1 <= len(name) <= 100:
        errors["name"] = ["请填写用途名称（至多 100 个字符）"]
    if (
        isinstance(daily_quota, bool)
        or not isinstance(daily_quota, int)
        or not 1 <= daily_quota <= MAX_QUOTA
    ):
        errors["daily_quota"] = [f"每日调用上限应为 1 至 {MAX_QUOTA}"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    secret = PREFIX + secrets.token_urlsafe(30)
    with transaction.atomic():
        active = DeveloperKey.objects.select_for_update().filter(
            owner=principal.actor, is_active=True
        )
        if active.count() >= MAX_ACTIVE_KEYS:
            raise ValidationFailed(
                f"每人至多 {MAX_ACTIVE_KEYS} 个有效密钥，请先停用不用的密钥", code="key_limit"
            )
        key = DeveloperKey.objects.create(
            owner=principal.actor,
            owner_label=principal.label[:160],
            name=name,
            prefix=secret[: len(PREFIX) + 4],
            digest=key_digest(secret),
            daily_quota=daily_quota,
        )
        audit_as(
            principal,
            action="opendata.key.create",
            object_type="opendata.key",
            object_id=key.pk,
            detail={"quota": daily_quota},
        )
    return IssuedKey(key=key, secret=secret)


def developer_key_revoke(*, principal: Principal, key_id: int) -> DeveloperKey:
    require_person(principal)
    with transaction.atomic():
        key = (
            DeveloperKey.objects.select_for_update()
            .filter(pk=key_id, owner=principal.actor)
            .first()
        )
        if key is None:
            raise NotFound("密钥不存在", code="key_unknown")
        key.is_active = False
        key.save(update_fields=["is_active"])
        audit_as(
            principal, action="opendata.key.revoke", object_type="opendata.key", object_id=key.pk
        )
    return key


def _count(key_id: int, *, refused: bool) -> int:
    """Count one call today; returns today's accepted calls including this one."""
    today = timezone.localdate()
    column = "refused" if refused else "calls"
    updated = KeyUsageDay.objects.filter(key_id=key_id, day=today).update(**{column: F(column) + 1})
    if not updated:
        try:
            with transaction.atomic():
                KeyUsageDay.objects.create(key_id=key_id, day=today, **{column: 1})
        except IntegrityError:  # another request made today's row first
            KeyUsageDay.objects.filter(key_id=key_id, day=today).update(**{column: F(column) + 1})
    return KeyUsageDay.objects.filter(key_id=key_id, day=today).values_list("calls", flat=True)[0]


def developer_key_use(*, secret: str) -> KeyUse:
    """Authenticate a key and count the call; past the quota the call is refused."""
    secret = str(secret or "").strip()
    key = None
    if secret.startswith(PREFIX) and len(secret) < 100:
        key = (
            DeveloperKey.objects.filter(digest=key_digest(secret), is_active=True)
            .only("pk", "owner", "daily_quota")
            .first()
        )
    if key is None:
        raise PermissionDenied("API 密钥无效或已停用", code="key_invalid")
    today = timezone.localdate()
    used = (
        KeyUsageDay.objects.filter(key_id=key.pk, day=today).values_list("calls", flat=True).first()
        or 0
    )
    if used >= key.daily_quota:
        _count(key.pk, refused=True)
        raise Throttled(
            f"该密钥今日调用已达上限（{key.daily_quota} 次），请明日再试", code="key_quota"
        )
    calls = _count(key.pk, refused=False)
    DeveloperKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return KeyUse(key_id=key.pk, owner=key.owner, calls_today=calls, quota=key.daily_quota)
