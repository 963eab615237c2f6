"""Commands of the licenses app: issuance (signing with the issuing department's key) and
the status positions every license holds in its issuer's W3C Bitstring Status Lists.

Other areas (status changes, verification, wallet and use) add their own modules beside
this one and reuse `_issuer_signing_key`, `_status_position_allocate` and `_audit`."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.audit.services import audit_record
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.ids import resident_id_validate, uscc_validate
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..canonical import DOCUMENT_TYPE, canonical_bytes, canonical_text
from ..models import HolderKind, License, LicenseType, StatusList

KEY_PURPOSE = "license"
ISSUE_PERMISSION = "licenses.issue_license"
ISSUE_SCOPE = "licenses:issue"
# Internal callers (the 一网通办 app issuing on approval) act as this principal kind.
SYSTEM_KINDS = frozenset({"system", "operator"})


def issuer_key_owner(issuer: Organization) -> str:
    return f"org:{issuer.code}"


def _issuer_signing_key(issuer: Organization) -> str:
    """The issuer's active license-signing key id (SM2 unless the department chose Ed25519
    by rotating to it: `license_key_rotate`)."""
    return crypto.key_active(purpose=KEY_PURPOSE, owner=issuer_key_owner(issuer))


def _audit(
    principal: Principal,
    action: str,
    license: License | None = None,
    *,
    outcome: str = "success",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        source_address=principal.source_address,
        action=action,
        object_type="licenses.license",
        object_id=license.address if license is not None else object_id,
        outcome=outcome,
        detail=detail or {},
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


def _status_position_allocate(issuer: Organization) -> tuple[int, int]:
    """(sequence, index) for a new license: the next free entry of the issuer's current
    lists. Positions are handed out at random within the list, not in order, so an index
    says nothing about when or to whom a license was issued (the spec's privacy advice)."""
    for purpose in StatusList.Purpose.values:
        StatusList.objects.get_or_create(
            issuer=issuer, purpose=purpose, sequence=1, defaults={"bits": _empty_bits()}
        )
    current = (
        StatusList.objects.select_for_update()
        .filter(issuer=issuer, purpose=StatusList.Purpose.REVOCATION)
        .order_by("-sequence")
        .first()
    )
    if current.next_index >= StatusList.SIZE:
        sequence = current.sequence + 1
        for purpose in StatusList.Purpose.values:
            StatusList.objects.create(
                issuer=issuer, purpose=purpose, sequence=sequence, bits=_empty_bits()
            )
        current = StatusList.objects.select_for_update().get(
            issuer=issuer, purpose=StatusList.Purpose.REVOCATION, sequence=sequence
        )
    taken = (
        set(
            License.objects.filter(issuer=issuer, status_sequence=current.sequence).values_list(
                "status_index", flat=True
            )
        )
        if current.next_index > StatusList.SIZE // 2
        else None
    )
    while True:
        index = secrets.randbelow(StatusList.SIZE)
        if taken is not None:
            if index not in taken:
                break
        elif not License.objects.filter(
            issuer=issuer, status_sequence=current.sequence, status_index=index
        ).exists():
            break
    StatusList.objects.filter(pk=current.pk).update(next_index=current.next_index + 1)
    return current.sequence, index


def _holder_name(holder_kind: str, holder_key: str) -> str:
    if holder_kind == HolderKind.PERSON:
        resident_id_validate(holder_key)
        person = person_brief(id_number=holder_key)
        if person is None:
            raise ValidationFailed(
                "自然人基础库中没有该持证人",
                code="license_holder_unknown",
                fields={"holder_key": ["自然人基础库中没有该公民身份号码"]},
            )
        return person.name
    if holder_kind == HolderKind.ENTITY:
        uscc_validate(holder_key)
        entity = entity_brief(uscc=holder_key)
        if entity is None:
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


@transaction.atomic
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
    """Issue and sign a license, raise `licenses.license.issued`. One transaction."""
    license_type = LicenseType.objects.filter(code=type_code, is_active=True).first()
    if license_type is None:
        raise NotFound("证照类型不存在或已停用", code="license_type_unknown")
    issuer = Organization.objects.filter(pk=issuer_id, is_active=True).first()
    if issuer is None:
        raise NotFound("颁发单位不存在", code="license_issuer_unknown")
    if not may_issue(principal, issuer):
        _audit(
            principal,
            "licenses.license.issue",
            outcome="denied",
            object_id=type_code,
            detail={"issuer": issuer.code},
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
    now = timezone.now()
    valid_from = valid_from or timezone.localdate()
    valid_until = valid_until or _valid_until(license_type, valid_from)
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed("有效期至不能早于有效期起", code="license_validity_invalid")
    key_id = _issuer_signing_key(issuer)
    algorithm = crypto.public_keys(purpose=KEY_PURPOSE, owner=issuer_key_owner(issuer))
    algorithm = next(k.algorithm for k in algorithm if k.key_id == key_id)
    sequence, index = _status_position_allocate(issuer)
    for _attempt in range(5):
        number = license_number_new(license_type, valid_from)
        address = f"{issuer.code}-{license_type.code}-{number}"
        if not License.objects.filter(address=address).exists():
            break
    license = License(
        address=address,
        license_type=license_type,
        number=number,
        issuer=issuer,
        holder_kind=holder_kind,
        holder_key=holder_key,
        holder_name=holder_name,
        data=clean,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_at=now.replace(microsecond=0),
        key_id=key_id,
        algorithm=algorithm,
        status_sequence=sequence,
        status_index=index,
        source=source,
        source_reference=source_reference[:80],
        replaces=replaces,
    )
    document = license_document(license)
    license.signed_payload = canonical_text(document)
    license.signature = base64.b64encode(
        crypto.sign(key_id=key_id, data=canonical_bytes(document))
    ).decode()
    try:
        with transaction.atomic():
            license.save()
    except IntegrityError:
        raise ValidationFailed("证照编号冲突，请重试", code="license_number_conflict") from None
    _audit(
        principal,
        "licenses.license.issue",
        license,
        detail={"type": license_type.code, "source": source, "reference": source_reference},
    )
    event_publish(
        topic="licenses.license.issued",
        payload={
            "address": license.address,
            "license_type": license_type.code,
            "holder_kind": holder_kind,
            "holder_key": holder_key,
            "issuer_code": issuer.code,
            "source": source,
            "source_reference": source_reference,
        },
    )
    return license
