"""电子签名: a citizen's personal signing key (SM2, in kernel.crypto, bound to the account and
to the SM3 digest of the real-name ID number) and the signatures made with it.

Creating the key and each signature need a recent step-up: the citizen re-entered the
password within STEP_UP_SECONDS (the portal keeps the time of the last step-up in the
session and passes it in). Password failures are audited and throttled."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import rfc8785
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.kernel.audit.selectors import audit_entries
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import (
    Conflict,
    DomainError,
    PermissionDenied,
    Throttled,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import PersonalSignature, SignatureKey
from .lifecycle import audit, refuse

KEY_PURPOSE = "personal-signature"
KEY_ALGORITHM = "sm2"
STEP_UP_SECONDS = 5 * 60
STEP_UP_FAILURES = 5  # within STEP_UP_WINDOW
STEP_UP_WINDOW = dt.timedelta(minutes=15)
DOCUMENT_TYPE = "digigov.signature/1"
MAX_PAYLOAD_BYTES = 64 * 1024
OBJECT_TYPE = "seals.signature"
OBJECT_REF = re.compile(r"^[a-z][a-z0-9_.]{0,40}:[A-Za-z0-9_.\-]{1,78}$")


def key_owner(principal: Principal) -> str:
    return f"account:{principal.id}"


def canonical_bytes(document: dict[str, Any]) -> bytes:
    """RFC 8785 (JCS), as licenses sign: any JCS implementation rebuilds the same bytes."""
    return rfc8785.dumps(document)


def _audit(principal: Principal, action: str, object_id: str, **more: Any) -> None:
    audit(principal, action, object_id, object_type=OBJECT_TYPE, **more)


def _refuse(principal: Principal, action: str, object_id: str, error: DomainError) -> DomainError:
    return refuse(principal, action, object_id, error, object_type=OBJECT_TYPE)


def _citizen(principal: Principal, action: str, object_id: str = "") -> None:
    """A citizen account verified to real-name level L2 or above (its principal carries the
    verified ID number only then)."""
    if not principal.is_authenticated:
        raise _refuse(principal, action, object_id, Unauthenticated())
    if principal.kind != "citizen":
        raise _refuse(
            principal,
            action,
            object_id,
            PermissionDenied("只有个人账号可以使用电子签名", code="seals/citizen_only"),
        )
    if not principal.person_id_number:
        raise _refuse(
            principal,
            action,
            object_id,
            PermissionDenied(
                "请先完成实名核验（L2 及以上）再使用电子签名", code="seals/realname_required"
            ),
        )


def step_up_is_recent(step_up_at: dt.datetime | None, *, now: dt.datetime | None = None) -> bool:
    if step_up_at is None:
        return False
    age = (now or timezone.now()) - step_up_at
    return dt.timedelta(0) <= age <= dt.timedelta(seconds=STEP_UP_SECONDS)


def _step_up_required(principal: Principal, action: str, step_up_at: dt.datetime | None) -> None:
    if not step_up_is_recent(step_up_at):
        raise _refuse(
            principal,
            action,
            "",
            PermissionDenied("请重新输入登录密码以确认本人操作", code="seals/step_up_required"),
        )


def signature_step_up(*, principal: Principal, password: str) -> dt.datetime:
    """Check the citizen's password again (step-up). Returns the time of the step-up, which
    the caller keeps (the session) and passes to the signing commands. At most
    STEP_UP_FAILURES wrong passwords per STEP_UP_WINDOW; each attempt is audited."""
    action = "seals.signature.step_up"
    _citizen(principal, action)
    since = timezone.now() - STEP_UP_WINDOW
    failures = (
        audit_entries(actor=principal.actor, action=action)
        .filter(outcome="denied", occurred_at__gte=since, detail__code="seals/step_up_failed")
        .count()
    )
    if failures >= STEP_UP_FAILURES:
        raise _refuse(
            principal,
            action,
            "",
            Throttled("密码错误次数过多，请 15 分钟后再试", code="seals/step_up_throttled"),
        )
    account = get_user_model().objects.filter(pk=principal.id, is_active=True).first()
    if account is None or not password or not account.check_password(password):
        raise _refuse(
            principal,
            action,
            "",
            PermissionDenied(
                "密码不正确",
                code="seals/step_up_failed",
                fields={"password": ["密码不正确"]},
            ),
        )
    _audit(principal, action, "")
    return timezone.now()


def _active_key(principal: Principal) -> SignatureKey | None:
    return SignatureKey.objects.filter(account_id=principal.id, revoked_at__isnull=True).first()


def signature_key_create(*, principal: Principal, step_up_at: dt.datetime | None) -> SignatureKey:
    """The citizen's signing key (SM2) and its binding record."""
    action = "seals.signature_key.create"
    _citizen(principal, action)
    _step_up_required(principal, action, step_up_at)
    if _active_key(principal) is not None:
        raise _refuse(
            principal,
            action,
            "",
            Conflict("您已有有效的签名密钥", code="seals/key_exists"),
        )
    try:
        with transaction.atomic():
            crypto_key = crypto.key_create(
                purpose=KEY_PURPOSE, owner=key_owner(principal), algorithm=KEY_ALGORITHM
            )
            key = SignatureKey.objects.create(
                account_id=principal.id,
                key_id=crypto_key.key_id,
                algorithm=crypto_key.algorithm,
                id_number_sm3=crypto.digest(principal.person_id_number.encode()).hex(),
                holder_name=principal.label[:50],
            )
            _audit(principal, action, key.key_id, detail={"algorithm": key.algorithm})
            event_publish(
                topic="seals.signature_key.created",
                payload={"account_id": int(principal.id), "key_id": key.key_id},
            )
    except IntegrityError:  # created at the same moment in another tab
        raise _refuse(
            principal, action, "", Conflict("您已有有效的签名密钥", code="seals/key_exists")
        ) from None
    return key


def signature_key_revoke(*, principal: Principal, reason: str = "") -> SignatureKey:
    """Revoke the citizen's key: it signs nothing more; signatures made before stay valid."""
    action = "seals.signature_key.revoke"
    _citizen(principal, action)
    with transaction.atomic():
        key = (
            SignatureKey.objects.select_for_update()
            .filter(account_id=principal.id, revoked_at__isnull=True)
            .first()
        )
        if key is None:
            raise Conflict("没有可撤销的签名密钥", code="seals/no_key")
        key.revoked_at = timezone.now()
        key.revoke_reason = (reason or "").strip()[:300] or "本人撤销"
        key.save(update_fields=["revoked_at", "revoke_reason"])
        _audit(principal, action, key.key_id, detail={"reason": key.revoke_reason})
        event_publish(
            topic="seals.signature_key.revoked",
            payload={"account_id": int(principal.id), "key_id": key.key_id},
        )
    return key


def signature_envelope(
    *, object_ref: str, document: dict[str, Any], key: SignatureKey, signed_at: dt.datetime
) -> dict[str, Any]:
    """What is signed: the document inside an envelope that binds it to the object, the
    signer's key and the time."""
    return {
        "type": DOCUMENT_TYPE,
        "objectRef": object_ref,
        "document": document,
        "signer": {
            "keyId": key.key_id,
            "algorithm": key.algorithm,
            "name": key.holder_name,
            "idNumberSm3": key.id_number_sm3,
        },
        "signedAt": signed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def signature_create(
    *,
    principal: Principal,
    object_ref: str,
    document: dict[str, Any],
    step_up_at: dt.datetime | None,
    title: str = "",
) -> PersonalSignature:
    """Sign the RFC 8785 canonical JSON of the document (in its envelope) with the citizen's
    key. One signature per key and object."""
    action = "seals.signature.create"
    _citizen(principal, action, object_ref)
    _step_up_required(principal, action, step_up_at)
    if not isinstance(object_ref, str) or not OBJECT_REF.match(object_ref):
        raise _refuse(
            principal,
            action,
            str(object_ref)[:80],
            ValidationFailed("签署对象标识无效", code="seals/object_ref_invalid"),
        )
    key = _active_key(principal)
    if key is None:
        raise _refuse(
            principal,
            action,
            object_ref,
            Conflict("请先创建签名密钥", code="seals/no_key"),
        )
    if not isinstance(document, dict):
        raise _refuse(
            principal,
            action,
            object_ref,
            ValidationFailed("签署内容应为 JSON 对象", code="seals/document_invalid"),
        )
    signed_at = timezone.now().replace(microsecond=0)
    envelope = signature_envelope(
        object_ref=object_ref, document=document, key=key, signed_at=signed_at
    )
    try:
        payload = canonical_bytes(envelope)
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        raise _refuse(
            principal,
            action,
            object_ref,
            ValidationFailed("签署内容无法规范化为 JSON", code="seals/document_invalid"),
        ) from None
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise _refuse(
            principal,
            action,
            object_ref,
            ValidationFailed("签署内容过大", code="seals/document_too_large"),
        )
    if PersonalSignature.objects.filter(key=key, object_ref=object_ref).exists():
        raise _refuse(
            principal,
            action,
            object_ref,
            Conflict("您已签署过该事项", code="seals/already_signed"),
        )
    try:
        with transaction.atomic():
            signature = PersonalSignature.objects.create(
                key=key,
                object_ref=object_ref,
                title=(title or "")[:200],
                signed_payload=payload.decode("utf-8"),
                digest_sm3=crypto.digest(payload).hex(),
                signature=base64.b64encode(crypto.sign(key_id=key.key_id, data=payload)).decode(),
                signed_at=signed_at,
            )
            _audit(
                principal,
                action,
                object_ref,
                detail={"signature_id": signature.pk, "digest_sm3": signature.digest_sm3},
            )
            event_publish(
                topic="seals.signature.created",
                payload={
                    "signature_id": signature.pk,
                    "object_ref": object_ref,
                    "account_id": int(principal.id),
                },
            )
    except IntegrityError:
        raise _refuse(
            principal, action, object_ref, Conflict("您已签署过该事项", code="seals/already_signed")
        ) from None
    return signature
