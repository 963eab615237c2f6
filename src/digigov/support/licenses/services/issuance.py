"""Commands of the licenses app: issuance (signing with the issuing department's key) and
the status positions every license holds in its issuer's W3C Bitstring Status Lists.

Other areas (status changes, verification, wallet and use) add their own modules beside
this one and reuse `_issuer_signing_key`, `issuer_sign`, `_status_position_allocate` and
`_audit`.

Speed (bench/licenses_issue.py): the issuer's (key id, algorithm) is cached per process for
as long as kernel.crypto caches the key itself, and a signature that fails because the key
was retired meanwhile (rotation on another host) refreshes the cache and signs again."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.audit.services import audit_as, audit_batch
from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.ids import resident_id_validate, uscc_validate
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..canonical import DOCUMENT_TYPE, canonical_bytes
from ..models import HolderKind, License, LicenseType, StatusList

KEY_PURPOSE = "license"
ISSUE_PERMISSION = "licenses.issue_license"
ISSUE_SCOPE = "licenses:issue"
# Internal callers (the 一网通办 app issuing on approval) act as this principal kind.
SYSTEM_KINDS = frozenset({"system", "operator"})


def issuer_key_owner(issuer: Organization) -> str:
    return f"org:{issuer.code}"


# issuer pk -> (key id, algorithm, loaded at): as long as kernel.crypto trusts its own cache
_SIGNER_CACHE_SECONDS = 30.0
_signers: dict[int, tuple[str, str, float]] = {}


def signer_cache_clear(issuer_id: int | None = None) -> None:
    """Forget the cached signing key of one issuer (after a rotation) or of all."""
    if issuer_id is None:
        _signers.clear()
    else:
        _signers.pop(issuer_id, None)


def issuer_signer(issuer: Organization) -> tuple[str, str]:
    """(key id, algorithm) of the issuer's active license-signing key, created on first use
    (SM2 unless the department chose Ed25519 by rotating to it: `license_key_rotate`)."""
    hit = _signers.get(issuer.pk)
    if hit is not None and time.monotonic() - hit[2] < _SIGNER_CACHE_SECONDS:
        return hit[0], hit[1]
    owner = issuer_key_owner(issuer)
    key_id = crypto.key_active(purpose=KEY_PURPOSE, owner=owner)
    algorithm = next(
        k.algorithm
        for k in crypto.public_keys(purpose=KEY_PURPOSE, owner=owner)
        if k.key_id == key_id
    )
    _signers[issuer.pk] = (key_id, algorithm, time.monotonic())
    return key_id, algorithm


def _issuer_signing_key(issuer: Organization) -> str:
    """The issuer's active license-signing key id."""
    return issuer_signer(issuer)[0]


def issuer_sign(issuer: Organization, data: bytes) -> tuple[str, str, bytes]:
    """Sign with the issuer's active key: (key id, algorithm, signature). A cached key that
    has since been retired or removed is looked up again once."""
    key_id, algorithm = issuer_signer(issuer)
    try:
        return key_id, algorithm, crypto.sign(key_id=key_id, data=data)
    except CryptoError:
        signer_cache_clear(issuer.pk)
        crypto.cache_clear()
        key_id, algorithm = issuer_signer(issuer)
        return key_id, algorithm, crypto.sign(key_id=key_id, data=data)


def _audit(
    principal: Principal,
    action: str,
    license: License | None = None,
    *,
    outcome: str = "success",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    audit_as(
        principal,
        action=action,
        object_type="licenses.license",
        object_id=license.address if license is not None else object_id,
        outcome=outcome,
        detail=detail,
    )


def may_issue(principal: Principal, issuer: Organization) -> bool:
    """Staff of the issuing department with the permission, the department's own system
    (machine client of that organization with the scope), or an internal system caller."""
    if principal.kind in SYSTEM_KINDS:
        return True
    if principal.kind == "staff":
        return principal.has_perm(ISSUE_PERMISSION) and principal.organization_id == issuer.pk
    if principal.kind == "machine":
        return principal.has_scope(ISSUE_SCOPE) and principal.organization_id == issuer.pk
    return False


def _empty_bits() -> bytes:
    return bytes(StatusList.SIZE // 8)


# A list is closed (new licenses go to the next sequence) once this full: random positions
# then still mostly hit a free entry at the first try, and a list keeps enough entries set
# and unset that one entry hides among many (the spec's herd privacy).
STATUS_LIST_FILL_LIMIT = StatusList.SIZE * 3 // 4


def _status_lists_open(issuer: Organization, sequence: int) -> StatusList:
    """Both lists (revocation, suspension) of a sequence, created if missing; concurrent
    callers get the same rows."""
    for purpose in StatusList.Purpose.values:
        StatusList.objects.get_or_create(
            issuer=issuer, purpose=purpose, sequence=sequence, defaults={"bits": _empty_bits()}
        )
    return (
        StatusList.objects.filter(
            issuer=issuer, purpose=StatusList.Purpose.REVOCATION, sequence=sequence
        )
        .only("pk", "sequence", "next_index")
        .get()
    )


def _status_position_allocate(issuer: Organization) -> tuple[int, int]:
    """(sequence, index) for a new license: a random free entry of the issuer's current
    lists. Random, not in order, so that an index says nothing about when or to whom a
    license was issued (the spec's privacy advice).

    No lock is taken: concurrent issues of one department would otherwise queue behind each
    other's whole transaction. Two of them picking the same entry at the same moment is left
    to the unique constraint (the caller retries, see _license_create). The list's fill is
    counted only when a random pick hits a taken entry, which is rare until the list fills
    up; `next_index` keeps the last count."""
    current = (
        StatusList.objects.filter(issuer=issuer, purpose=StatusList.Purpose.REVOCATION)
        .order_by("-sequence")
        .only("pk", "sequence", "next_index")
        .first()
    )
    if current is None:
        current = _status_lists_open(issuer, 1)
    elif current.next_index >= STATUS_LIST_FILL_LIMIT:
        current = _status_lists_open(issuer, current.sequence + 1)
    taken = License.objects.filter(issuer=issuer, status_sequence=current.sequence)
    for attempt in range(64):
        index = secrets.randbelow(StatusList.SIZE)
        if not taken.filter(status_index=index).exists():
            return current.sequence, index
        if attempt == 0:
            used = taken.count()
            StatusList.objects.filter(pk=current.pk).update(next_index=used)
            if used >= STATUS_LIST_FILL_LIMIT:
                current = _status_lists_open(issuer, current.sequence + 1)
                taken = License.objects.filter(issuer=issuer, status_sequence=current.sequence)
    raise ValidationFailed("证照状态列表繁忙，请重试", code="license_status_busy")


def _holder_name(holder_kind: str, holder_key: str) -> str:
    """The holder's name from the registries. The number's own checks (slower than the
    lookup) only run when the registries do not know it, to say precisely what is wrong."""
    if holder_kind == HolderKind.PERSON:
        person = person_brief(id_number=holder_key)
        if person is None:
            resident_id_validate(holder_key)
            raise ValidationFailed(
                "自然人基础库中没有该持证人",
                code="license_holder_unknown",
                fields={"holder_key": ["自然人基础库中没有该公民身份号码"]},
            )
        return person.name
    if holder_kind == HolderKind.ENTITY:
        entity = entity_brief(uscc=holder_key)
        if entity is None:
            uscc_validate(holder_key)
            raise ValidationFailed(
                "法人基础库中没有该持证主体",
                code="license_holder_unknown",
                fields={"holder_key": ["法人基础库中没有该统一社会信用代码"]},
            )
        return entity.name
    raise ValidationFailed("持证主体类型无效", code="license_holder_kind_invalid")


def _field_value(field: dict[str, Any], value: Any) -> tuple[Any, str]:
    """(normalised value, error message or "")."""
    kind = field.get("type", "string")
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat(), ""
        except ValueError:
            return value, "日期格式应为 YYYY-MM-DD"
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return value, "应为数字"
        try:
            number = float(value)
        except ValueError:
            return value, "应为数字"
        return (int(number) if number.is_integer() else number), ""
    if kind == "boolean":
        if isinstance(value, bool):
            return value, ""
        return value, "应为是或否"
    text = str(value).strip()
    if len(text) > 500:
        return value, "内容过长（最多 500 字）"
    if kind == "enum" and text not in field.get("choices", []):
        return value, "不在可选范围内：" + "、".join(field.get("choices", []))
    return text, ""


def license_data_validate(license_type: LicenseType, data: dict[str, Any]) -> dict[str, Any]:
    """The face data (照面信息) checked against the type's fields: required fields present,
    values of the declared type, no unknown keys. Raises ValidationFailed listing each field."""
    if not isinstance(data, dict):
        raise ValidationFailed("照面信息应为对象", code="license_data_invalid")
    known = {field["key"]: field for field in license_type.fields}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key in data:
        if key not in known:
            errors[key] = [f"证照类型“{license_type.name}”没有该字段"]
    for key, field in known.items():
        value = data.get(key)
        if value is None or value == "":
            if field.get("required"):
                errors[key] = [f"{field.get('label', key)}为必填项"]
            continue
        normalised, error = _field_value(field, value)
        if error:
            errors[key] = [f"{field.get('label', key)}{error}"]
        else:
            clean[key] = normalised
    if errors:
        raise ValidationFailed("照面信息不完整或有误", code="license_data_invalid", fields=errors)
    return clean


def license_number_new(license_type: LicenseType, issued_on: dt.date) -> str:
    """A printed number: year, then 10 random digits (unguessable, so an address alone
    cannot be enumerated)."""
    return f"{issued_on:%Y}{secrets.randbelow(10**10):010d}"


def license_document(license: License) -> dict[str, Any]:
    """The JSON document the signature covers (also what a holder downloads)."""
    return {
        "type": DOCUMENT_TYPE,
        "address": license.address,
        "licenseType": {"code": license.license_type.code, "name": license.license_type.name},
        "number": license.number,
        "issuer": {"code": license.issuer.code, "name": license.issuer.name},
        "holder": {
            "kind": license.holder_kind,
            "key": license.holder_key,
            "name": license.holder_name,
        },
        "data": license.data,
        "validFrom": license.valid_from.isoformat(),
        "validUntil": license.valid_until.isoformat() if license.valid_until else None,
        "issuedAt": license.issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": {"sequence": license.status_sequence, "index": license.status_index},
        "keyId": license.key_id,
        "algorithm": license.algorithm,
    }


def _valid_until(license_type: LicenseType, valid_from: dt.date) -> dt.date | None:
    if not license_type.validity_years:
        return None
    try:
        end = valid_from.replace(year=valid_from.year + license_type.validity_years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + license_type.validity_years, day=28)
    return end - dt.timedelta(days=1)


def source_for(principal: Principal) -> str:
    """How a license made by this principal came to be (staff page, department system)."""
    if principal.kind == "machine":
        return License.Source.API
    if principal.kind == "staff":
        return License.Source.STAFF
    return License.Source.CASE


def license_issue(
    *,
    principal: Principal,
    type_code: str,
    issuer_id: int,
    holder_kind: str,
    holder_key: str,
    data: dict[str, Any],
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    source: str = License.Source.STAFF,
    source_reference: str = "",
    replaces: License | None = None,
) -> License:
    """Issue and sign a license, raise `licenses.license.issued`. One transaction; a refusal
    is audited (and kept even though nothing is issued)."""
    license_type = LicenseType.objects.filter(code=type_code, is_active=True).first()
    if license_type is None:
        raise NotFound("证照类型不存在或已停用", code="license_type_unknown")
    issuer = Organization.objects.filter(pk=issuer_id, is_active=True).first()
    if issuer is None and principal.kind in SYSTEM_KINDS:
        raise NotFound("颁发单位不存在", code="license_issuer_unknown")
    if issuer is None or not may_issue(principal, issuer):
        _audit(
            principal,
            "licenses.license.issue",
            outcome="denied",
            object_id=type_code,
            detail={"issuer": issuer.code if issuer else ""},
        )
        raise PermissionDenied("只有颁发单位的制证人员或其系统可以签发该证照")
    if license_type.issuing_function and issuer.function != license_type.issuing_function:
        raise ValidationFailed(
            f"“{issuer.name}”不是“{license_type.name}”的颁发部门", code="license_issuer_mismatch"
        )
    holder_key = (holder_key or "").strip().upper()
    if holder_kind != license_type.holder_kind:
        raise ValidationFailed(
            f"“{license_type.name}”的持证主体应为{HolderKind(license_type.holder_kind).label}",
            code="license_holder_kind_invalid",
        )
    holder_name = _holder_name(holder_kind, holder_key)
    clean = license_data_validate(license_type, data)
    valid_from = valid_from or timezone.localdate()
    valid_until = valid_until or _valid_until(license_type, valid_from)
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(
            "有效期至不能早于有效期起",
            code="license_validity_invalid",
            fields={"valid_until": ["不能早于有效期起"]},
        )
    with transaction.atomic(), audit_batch():
        license = _license_create(
            license_type=license_type,
            issuer=issuer,
            holder_kind=holder_kind,
            holder_key=holder_key,
            holder_name=holder_name,
            data=clean,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source,
            source_reference=source_reference,
            replaces=replaces,
        )
        _issued(principal, license)
    return license


def _issued(principal: Principal, license: License) -> None:
    """The issue's audit entry and event (also for renewals and replacements)."""
    _audit(
        principal,
        "licenses.license.issue",
        license,
        detail={
            "type": license.license_type.code,
            "source": license.source,
            "reference": license.source_reference,
            "replaces": license.replaces.address if license.replaces_id else "",
        },
    )
    event_publish(
        topic="licenses.license.issued",
        payload={
            "address": license.address,
            "license_type": license.license_type.code,
            "holder_kind": license.holder_kind,
            "holder_key": license.holder_key,
            "issuer_code": license.issuer.code,
            "source": license.source,
            "source_reference": license.source_reference,
            "replaces": license.replaces.address if license.replaces_id else "",
        },
    )


def _license_signed(
    *,
    license_type: LicenseType,
    issuer: Organization,
    holder_kind: str,
    holder_key: str,
    holder_name: str,
    data: dict[str, Any],
    valid_from: dt.date,
    valid_until: dt.date | None,
    source: str,
    source_reference: str,
    replaces: License | None,
) -> License:
    """An unsaved license with its number, status position and signature."""
    key_id, algorithm = issuer_signer(issuer)
    sequence, index = _status_position_allocate(issuer)
    # 10 random digits per year: a clash is left to the unique constraint.
    number = license_number_new(license_type, valid_from)
    license = License(
        address=f"{issuer.code}-{license_type.code}-{number}",
        license_type=license_type,
        number=number,
        issuer=issuer,
        holder_kind=holder_kind,
        holder_key=holder_key,
        holder_name=holder_name,
        data=data,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_at=timezone.now().replace(microsecond=0),
        key_id=key_id,
        algorithm=algorithm,
        status_sequence=sequence,
        status_index=index,
        source=source,
        source_reference=source_reference[:80],
        replaces=replaces,
    )
    payload = canonical_bytes(license_document(license))
    signed_key_id, signed_algorithm, signature = issuer_sign(issuer, payload)
    if signed_key_id != key_id:  # the key was rotated meanwhile: the document names the key
        license.key_id, license.algorithm = signed_key_id, signed_algorithm
        payload = canonical_bytes(license_document(license))
        signature = crypto.sign(key_id=signed_key_id, data=payload)
    license.signed_payload = payload.decode("utf-8")
    license.signature = base64.b64encode(signature).decode()
    return license


def _license_create(
    *,
    license_type: LicenseType,
    issuer: Organization,
    holder_kind: str,
    holder_key: str,
    holder_name: str,
    data: dict[str, Any],
    valid_from: dt.date,
    valid_until: dt.date | None,
    source: str,
    source_reference: str = "",
    replaces: License | None = None,
) -> License:
    """Number, status position, signature and row of an already checked license. Call
    inside the caller's transaction (after its permission checks); no audit, no event."""
    for attempt in range(3):
        license = _license_signed(
            license_type=license_type,
            issuer=issuer,
            holder_kind=holder_kind,
            holder_key=holder_key,
            holder_name=holder_name,
            data=data,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source,
            source_reference=source_reference,
            replaces=replaces,
        )
        try:
            with transaction.atomic():
                license.save(force_insert=True)
            break
        except IntegrityError:
            # another issue took the same status entry (or number) a moment ago: new ones
            if attempt == 2:
                raise ValidationFailed(
                    "证照编号冲突，请重试", code="license_number_conflict"
                ) from None
    return license
