"""Reading personal e-signatures: the citizen's own key and signatures, and verification
(the stored canonical payload against its signature, key and binding)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal

from ..models import PersonalSignature, SignatureKey


@dataclass(frozen=True)
class KeyView:
    key_id: str
    algorithm: str
    holder_name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    signatures: int

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class SignatureRow:
    id: int
    object_ref: str
    title: str
    signed_at: dt.datetime
    key_id: str
    digest_sm3: str


@dataclass(frozen=True)
class SignatureCheck:
    signature: SignatureRow
    is_valid: bool
    problems: list[str]
    document: dict[str, Any]
    signer_name: str
    algorithm: str
    key_revoked_at: dt.datetime | None


def _own(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "citizen":
        raise PermissionDenied("只有个人账号可以查看电子签名", code="seals/citizen_only")


def signature_key_for(*, principal: Principal) -> KeyView | None:
    """The citizen's current key, or the latest revoked one, or None."""
    _own(principal)
    keys = SignatureKey.objects.filter(account_id=principal.id)
    key = keys.filter(revoked_at__isnull=True).first() or keys.order_by("-created_at").first()
    if key is None:
        return None
    return KeyView(
        key_id=key.key_id,
        algorithm=key.algorithm,
        holder_name=key.holder_name,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
        signatures=key.signatures.count(),
    )


def _row(signature: PersonalSignature) -> SignatureRow:
    return SignatureRow(
        id=signature.pk,
        object_ref=signature.object_ref,
        title=signature.title,
        signed_at=signature.signed_at,
        key_id=signature.key.key_id,
        digest_sm3=signature.digest_sm3,
    )


def signatures_for(*, principal: Principal, object_ref: str = "") -> list[SignatureRow]:
    """The citizen's own signatures (of one object when object_ref is given)."""
    _own(principal)
    query = PersonalSignature.objects.filter(key__account_id=principal.id).select_related("key")
    if object_ref:
        query = query.filter(object_ref=object_ref)
    return [_row(s) for s in query.order_by("-signed_at", "-id")[:200]]


def signature_payload_verify(
    *, payload: str, signature_b64: str, algorithm: str, public_der: bytes
) -> bool:
    """Offline check of a signed payload with a published public key."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        return crypto.verify_with_public_key(
            algorithm=algorithm,
            public_der=public_der,
            data=payload.encode("utf-8"),
            signature=signature,
        )
    except (binascii.Error, ValueError, CryptoError):
        return False


def signature_verify(*, principal: Principal, signature_id: int) -> SignatureCheck:
    """Verify one of the citizen's signatures: the signature over the stored canonical
    payload, the payload naming this object and key, and the key's binding being in force
    when it signed (a later revocation does not undo earlier signatures)."""
    _own(principal)
    signature = (
        PersonalSignature.objects.select_related("key")
        .filter(pk=signature_id, key__account_id=principal.id)
        .first()
    )
    if signature is None:
        raise NotFound("电子签名不存在", code="seals/signature_not_found")
    key = signature.key
    problems: list[str] = []
    payload = signature.signed_payload.encode("utf-8")
    try:
        raw = base64.b64decode(signature.signature, validate=True)
        if not crypto.verify(key_id=key.key_id, data=payload, signature=raw):
            problems.append("签名值与签署内容不符（内容可能被篡改）")
    except (binascii.Error, ValueError, CryptoError):
        problems.append("签名值格式错误或密钥不存在")
    if crypto.digest(payload).hex() != signature.digest_sm3:
        problems.append("签署内容摘要不符")
    try:
        envelope = json.loads(signature.signed_payload)
    except ValueError:
        envelope = {}
        problems.append("签署内容不是有效的 JSON")
    if envelope.get("objectRef") != signature.object_ref:
        problems.append("签署对象与记录不符")
    if (envelope.get("signer") or {}).get("keyId") != key.key_id:
        problems.append("签名密钥与记录不符")
    if key.revoked_at is not None and key.revoked_at <= signature.signed_at:
        problems.append("签署时签名密钥已撤销")
    return SignatureCheck(
        signature=_row(signature),
        is_valid=not problems,
        problems=problems,
        document=envelope.get("document") or {},
        signer_name=key.holder_name,
        algorithm=key.algorithm,
        key_revoked_at=key.revoked_at,
    )
