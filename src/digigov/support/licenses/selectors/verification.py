"""Checking a license (核验): the pure part, without the audit entry and the use record
(those are written by `services.verification`, the entry point every caller uses).

The signed envelope (what the holder downloads from the wallet and what the PDF embeds as
`license.json`) is

    {"document": {...the signed JSON document...}, "signature": "<base64>"}

`document` is the object whose RFC 8785 canonical bytes the issuing department signed;
`document.keyId` names the key. A verifier checks the signature against the public key that
the issuer published under that key id (`kernel.crypto.services.public_keys`, the keys
endpoint), never against our database row, so a copy can be checked offline by anyone who
holds the published keys. The current status (suspended, revoked, replaced) is then looked
up by address when the license is ours.

A document whose signature verifies but whose address we do not hold (a license issued on
another node with a key this node publishes) is reported `valid` with `status_checked=False`
and a message saying that its current status could not be checked here: the signature
proves who issued it and that it is unchanged, nothing more."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from django.utils import timezone

from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.ids import mask_name
from digigov.kernel.prepared import Prepared

from .. import vc
from ..canonical import DOCUMENT_TYPE, canonical_bytes, document_parse
from ..models import HolderKind, License
from .keys import issuer_url
from .status import EXPIRED, license_effective_status

KEY_PURPOSE = "license"  # the same purpose issuance signs with

VALID = "valid"
NOT_YET_VALID = "not_yet_valid"
SUSPENDED = "suspended"
REVOKED = "revoked"
REPLACED = "replaced"
TAMPERED = "tampered"
UNKNOWN_KEY = "unknown_key"
MALFORMED = "malformed"
NOT_FOUND = "not_found"

OUTCOME_LABELS: dict[str, str] = {
    VALID: "有效",
    EXPIRED: "已过期",
    NOT_YET_VALID: "尚未生效",
    SUSPENDED: "暂停使用",
    REVOKED: "已吊销/注销",
    REPLACED: "已换发",
    TAMPERED: "内容被篡改",
    UNKNOWN_KEY: "签名密钥未公布",
    MALFORMED: "无法识别的数据",
    NOT_FOUND: "证照不存在",
}
# Outcomes after which the license (or the copy) must not be relied upon.
TRUSTED_OUTCOMES = frozenset({VALID})
SIGNED_OUTCOMES = frozenset({VALID, EXPIRED, NOT_YET_VALID, SUSPENDED, REVOKED, REPLACED})

MAX_INPUT_BYTES = 2 * 1024 * 1024  # uploads and posted bodies; larger is refused unread
# <organization code>-<type code>-<number>: letters, digits, "-" and "_", bounded length
ADDRESS_PATTERN = re.compile(r"^[0-9]{6}(?:-[A-Za-z0-9_]+){2,6}$")
_QR_PATH = re.compile(r"/verify/l/([^/?#\s]+)/?")


@dataclass(frozen=True)
class VerificationResult:
    """What a verifier learns. Never the face data nor the holder's ID number."""

    outcome: str
    message: str
    address: str = ""
    license_type_name: str = ""
    issuer_name: str = ""
    holder_name_masked: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    suspended_until: dt.date | None = None
    checked_at: dt.datetime = field(default_factory=timezone.now)
    key_id: str = ""
    algorithm: str = ""
    # how the license came in: address, envelope, pdf, credential
    source: str = "address"
    # False when the signature was checked but the current status was not (not ours)
    status_checked: bool = True

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def is_trusted(self) -> bool:
        return self.outcome in TRUSTED_OUTCOMES

    @property
    def is_signature_verified(self) -> bool:
        """The issuer's signature over the document checked out (whatever its status)."""
        return self.outcome in SIGNED_OUTCOMES

    @property
    def is_copy_tampered(self) -> bool:
        return self.outcome == TAMPERED and self.source != "address"


def result_refused(
    outcome: str, message: str, *, address: str = "", source: str = "address", **extra: Any
) -> VerificationResult:
    """A result that shows nothing of the license (malformed, tampered, unknown key...)."""
    return VerificationResult(
        outcome=outcome, message=message, address=address[:160], source=source, **extra
    )


# Published public keys by owner, cached per process: verification runs on every QR scan,
# and a published key never changes (rotation adds a key, it does not alter one).
_KEY_CACHE_SECONDS = 30.0
_key_cache: dict[str, tuple[dict[str, crypto.PublicKey], float]] = {}
_key_lock = threading.Lock()


def issuer_key_owner(issuer_code: str) -> str:
    return f"org:{issuer_code}"


def published_key(*, issuer_code: str, key_id: str) -> crypto.PublicKey | None:
    """The license-signing key `key_id` as published by the issuer, or None. A key of
    another owner or purpose is None too: a department can only vouch for its own licenses."""
    owner = issuer_key_owner(issuer_code)
    now = time.monotonic()
    hit = _key_cache.get(owner)
    if hit is not None and now - hit[1] < _KEY_CACHE_SECONDS and key_id in hit[0]:
        return hit[0][key_id]
    keys = {k.key_id: k for k in crypto.public_keys(purpose=KEY_PURPOSE, owner=owner)}
    with _key_lock:
        _key_cache[owner] = (keys, now)
    return keys.get(key_id)


def published_key_cache_clear() -> None:
    _key_cache.clear()


def license_envelope(license: License) -> dict[str, Any]:
    """The signed envelope of a license, exactly what the holder downloads."""
    return {"document": document_parse(license.signed_payload), "signature": license.signature}


def address_from_text(text: str) -> str | None:
    """An address typed in or read from the QR code (the verification URL or the bare
    address); None when the text is neither."""
    text = (text or "").strip()
    if not text or len(text) > 500:
        return None
    match = _QR_PATH.search(text)
    if match:
        text = match.group(1)
    return text if ADDRESS_PATTERN.match(text) else None


@dataclass(frozen=True)
class _Named:
    name: str
    code: str = ""


@dataclass(frozen=True)
class StoredLicense:
    """What verification reads of a license we hold: the attributes of `License` it uses,
    read with one query into plain values (building model instances costs more than the
    signature check on this path)."""

    pk: int
    address: str
    holder_kind: str
    holder_name: str
    valid_from: dt.date
    valid_until: dt.date | None
    status: str
    suspended_until: dt.date | None
    signed_payload: str
    signature: str
    key_id: str
    algorithm: str
    license_type: _Named
    issuer: _Named


_STORED_COLUMNS = (
    "pk",
    "address",
    "holder_kind",
    "holder_name",
    "valid_from",
    "valid_until",
    "status",
    "suspended_until",
    "signed_payload",
    "signature",
    "key_id",
    "algorithm",
    "license_type__name",
    "issuer__name",
    "issuer__code",
)


# every scan of a QR code runs this: compiled once (kernel.prepared)
_STORED = Prepared(
    lambda address: License.objects.filter(address=address).values_list(*_STORED_COLUMNS)[:1],
    address="",
)


def license_for_verification(address: str) -> StoredLicense | None:
    """One indexed query: the license with its type's and issuer's names."""
    row = _STORED.first(address=address)
    if row is None:
        return None
    *values, type_name, issuer_name, issuer_code = row
    return StoredLicense(*values, _Named(type_name), _Named(issuer_name, issuer_code))


def _masked_holder(holder_kind: str, name: str) -> str:
    # An entity's name is public (it is printed on its business license and in the credit
    # publicity system); a person's is masked to the family name.
    return name if holder_kind == HolderKind.ENTITY else mask_name(name)


def _signature_bytes(signature: Any) -> bytes | None:
    if not isinstance(signature, str) or not signature or len(signature) > 1024:
        return None
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None


def _document_fields(document: dict[str, Any]) -> dict[str, Any] | None:
    """The public fields of a signed document, or None when its shape is wrong."""
    try:
        issuer = document["issuer"]
        holder = document["holder"]
        license_type = document["licenseType"]
        valid_until = document.get("validUntil")
        return {
            "address": str(document["address"]),
            "license_type_name": str(license_type["name"]),
            "issuer_name": str(issuer["name"]),
            "holder_name_masked": _masked_holder(str(holder["kind"]), str(holder["name"])),
            "valid_from": dt.date.fromisoformat(document["validFrom"]),
            "valid_until": dt.date.fromisoformat(valid_until) if valid_until else None,
        }
    except (KeyError, TypeError, ValueError):
        return None


def signature_check(document: Any, signature: Any, *, source: str) -> VerificationResult:
    """Offline check of a signed document against the issuer's published key. Returns a
    `valid` result (before any status) or the reason it cannot be trusted."""
    if not isinstance(document, dict) or document.get("type") != DOCUMENT_TYPE:
        return result_refused(MALFORMED, "无法识别的数据：不是本平台的电子证照文档", source=source)
    fields = _document_fields(document)
    issuer = document.get("issuer")
    key_id = document.get("keyId")
    if fields is None or not isinstance(key_id, str) or not isinstance(issuer.get("code"), str):
        return result_refused(MALFORMED, "无法识别的数据：证照文档缺少必要的字段", source=source)
    address = fields["address"]
    signature_bytes = _signature_bytes(signature)
    if signature_bytes is None:
        return result_refused(
            MALFORMED, "无法识别的数据：签名值不是有效的 Base64", address=address, source=source
        )
    key = published_key(issuer_code=issuer["code"], key_id=key_id[:80])
    if key is None:
        return result_refused(
            UNKNOWN_KEY,
            "签名密钥未公布：颁发单位没有公布该签名密钥，无法确认证照真伪",
            address=address,
            source=source,
            key_id=key_id[:80],
        )
    try:
        data = canonical_bytes(document)
        good = crypto.verify_with_public_key(
            algorithm=key.algorithm,
            public_der=key.public_der,
            data=data,
            signature=signature_bytes,
        )
    except (CryptoError, ValueError, TypeError, OverflowError):
        # rfc8785 refuses values JSON cannot carry exactly (huge integers, NaN)
        good = False
    if not good:
        return result_refused(
            TAMPERED,
            "内容被篡改：签名不符，该证照内容与颁发单位签发的不一致",
            address=address,
            source=source,
            key_id=key.key_id,
            algorithm=key.algorithm,
        )
    return VerificationResult(
        outcome=VALID,
        message="签名有效",
        key_id=key.key_id,
        algorithm=key.algorithm,
        source=source,
        **fields,
    )


def _status_result(
    license: License, base: VerificationResult, *, today: dt.date
) -> VerificationResult:
    status = license_effective_status(license, today=today)
    suspended_until = None
    if status == License.Status.VALID and license.valid_from > today:
        status = NOT_YET_VALID
    if status == License.Status.VALID:
        message = "证照有效：签名验证通过，状态正常"
    elif status == SUSPENDED:
        suspended_until = license.suspended_until
        message = (
            f"暂停使用至 {suspended_until:%Y年%m月%d日}"
            if suspended_until
            else "暂停使用，恢复日期未定"
        )
    elif status == REVOKED:
        message = "已吊销/注销：该证照不再有效"
    elif status == REPLACED:
        message = "已换发：该证照已被新证照取代，请核验新证照"
    elif status == EXPIRED:
        message = f"已过期：有效期至 {license.valid_until:%Y年%m月%d日}"
    else:
        message = f"尚未生效：有效期自 {license.valid_from:%Y年%m月%d日} 起"
    return replace(base, outcome=status, message=message, suspended_until=suspended_until)


@lru_cache(maxsize=4096)
def _stored_signature_check(signed_payload: str, signature: str) -> VerificationResult:
    """signature_check of a stored document, remembered: the answer depends only on these
    two strings and the published key they name (published keys are never withdrawn, only
    retired, and retired keys still verify), so a license checked again — a QR scanned at
    every counter — costs a dictionary lookup instead of a parse, a canonicalisation and an
    SM2 verification. A row changed in the database is a different key here."""
    try:
        document = document_parse(signed_payload)
    except ValueError:
        document = None
    return signature_check(document, signature, source="address")


def verify_stored(license: License, *, today: dt.date | None = None) -> VerificationResult:
    """A license we hold, found by its address: its stored signed document is checked
    against the published key too (a row changed in the database reads as tampered)."""
    today = today or timezone.localdate()
    base = _stored_signature_check(license.signed_payload, license.signature)
    if base.outcome != VALID or base.address != license.address:
        return result_refused(
            TAMPERED,
            "内容被篡改：本平台保存的证照与其签名不符，请联系颁发单位",
            address=license.address,
        )
    return _status_result(license, base, today=today)


def verify_document(
    document: Any, signature: Any, *, source: str
) -> tuple[VerificationResult, License | None]:
    """A signed document presented by someone (envelope, PDF attachment): signature first,
    then the status when we hold the address. Returns the license too when we hold it."""
    base = signature_check(document, signature, source=source)
    if base.outcome != VALID:
        license = license_for_verification(base.address) if base.address else None
        return base, license
    license = license_for_verification(base.address)
    if license is None:
        return replace(
            base,
            message="签名有效：证照由颁发单位签发且内容未被改动；本平台没有该证照的状态记录，"
            "无法确认其当前是否被暂停或吊销",
            status_checked=False,
        ), None
    if license.signed_payload.encode() != canonical_bytes(document):
        # Signed with the issuer's key but not the document issued under this address.
        return result_refused(
            TAMPERED,
            "内容被篡改：该文档与颁发单位登记的证照不一致",
            address=base.address,
            source=source,
            key_id=base.key_id,
            algorithm=base.algorithm,
        ), license
    return _status_result(license, base, today=timezone.localdate()), license


def envelope_parse(raw: bytes | str) -> tuple[Any, Any] | None:
    """(document, signature) from an envelope's JSON text, or None when it is not one."""
    try:
        parsed = document_parse(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if "document" not in parsed or "signature" not in parsed:
        return None
    return parsed["document"], parsed["signature"]


# Proof check codes of vc.credential_verify -> outcomes.
_PROOF_OUTCOMES = {
    "malformed": MALFORMED,
    "cryptosuite_unsupported": MALFORMED,
    "key_unknown": UNKNOWN_KEY,
    "key_mismatch": UNKNOWN_KEY,
    "issuer_mismatch": UNKNOWN_KEY,
    "signature_invalid": TAMPERED,
}


def _credential_fields(credential: dict[str, Any]) -> dict[str, Any] | None:
    try:
        subject = credential["credentialSubject"]
        holder_kind = str(subject.get("id", "")).split(":")[3]
        valid_until = credential.get("validUntil")
        issuer = credential["issuer"]
        return {
            "address": str(credential["licenseAddress"])[:160],
            "license_type_name": str(credential.get("name", "")),
            "issuer_name": str(issuer.get("name", "")) if isinstance(issuer, dict) else "",
            "holder_name_masked": _masked_holder(holder_kind, str(subject.get("name", ""))),
            "valid_from": dt.date.fromisoformat(str(credential["validFrom"])[:10]),
            "valid_until": dt.date.fromisoformat(valid_until[:10]) if valid_until else None,
        }
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def verify_credential(credential: Any) -> tuple[VerificationResult, License | None]:
    """A W3C Verifiable Credential exported from the wallet: its Data Integrity proof with
    the issuer's published key (`vc.credential_verify`), then the license's status.

    The key must be one the credential's issuer published: the proof's verification method
    names the issuer and the key id, and the key is looked up among that issuer's own keys,
    so one department's key cannot vouch for a credential in another's name."""
    source = "credential"
    if not isinstance(credential, dict):
        return result_refused(MALFORMED, "无法识别的数据：凭证应为 JSON 对象", source=source), None
    proof = credential.get("proof")
    proof = proof[0] if isinstance(proof, list) and len(proof) == 1 else proof
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    issuer_id = vc.issuer_id_of(credential)
    prefix = issuer_url("")
    if not isinstance(method, str) or "#" not in method or not issuer_id.startswith(prefix):
        return result_refused(
            UNKNOWN_KEY, "签名密钥未公布：凭证的颁发单位或签名密钥不是本平台公布的", source=source
        ), None
    issuer_code = issuer_id.removeprefix(prefix)
    key_id = method.rpartition("#")[2][:80]
    key = published_key(issuer_code=issuer_code, key_id=key_id) if issuer_code else None
    keys = (
        {key.key_id: vc.VerificationKey(key.key_id, key.algorithm, key.public_der, issuer_code)}
        if key is not None
        else {}
    )
    check = vc.credential_verify(credential, keys=keys)
    fields = _credential_fields(credential)
    if not check.is_valid or fields is None:
        outcome = _PROOF_OUTCOMES.get(check.code, MALFORMED) if not check.is_valid else MALFORMED
        messages = {
            MALFORMED: f"无法识别的数据：{check.message if not check.is_valid else '凭证缺少证照字段'}",
            UNKNOWN_KEY: f"签名密钥未公布：{check.message}",
            TAMPERED: "内容被篡改：签名不符，该凭证内容与颁发单位签发的不一致",
        }
        address = fields["address"] if fields else ""
        return result_refused(
            outcome, messages[outcome], address=address, source=source, key_id=key_id
        ), (license_for_verification(address) if address else None)
    base = VerificationResult(
        outcome=VALID,
        message="签名有效",
        key_id=key.key_id,
        algorithm=key.algorithm,
        source=source,
        **fields,
    )
    license = license_for_verification(base.address)
    if license is None or license.issuer.code != issuer_code:
        return replace(
            base,
            message="签名有效：凭证由颁发单位签发且内容未被改动；本平台没有该证照的状态记录，"
            "无法确认其当前是否被暂停或吊销",
            status_checked=False,
        ), None
    return _status_result(license, base, today=timezone.localdate()), license
