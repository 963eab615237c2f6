"""用证: every use of a license, recorded for its holder (用证记录) and for indicator 17.

- 亮证: the holder makes a short-lived signed token (5 minutes) naming the license and the
  face fields they choose to show; whoever opens /verify/s/<token>/ sees the verification
  result and those fields, and the opening is recorded (kind SHOW).
- Downloads of the signed JSON envelope or the PDF (kind DOWNLOAD).
- 免提交: a case of 一网通办 filed with the license as a material (kind MATERIAL).
- 授权用证: a registered third party (scope licenses:use) asks for a view of a holder's
  license of a type, for a purpose and up to 90 days; it learns nothing until the holder
  grants (choosing the license) — or refuses. Each read while granted and unexpired is
  recorded (kind THIRD_PARTY); the holder can withdraw at any time; a sweep marks grants
  past their end as expired (they already read as expired before it runs).

Each command is one transaction with its audit entry and domain event."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.ids import mask_name, resident_id_validate, uscc_validate
from digigov.kernel.principals import Principal
from digigov.support.seals.services.sealing import pdf_seal_official

from ..canonical import document_parse
from ..models import Authorization, HolderKind, License, LicenseType, LicenseUse
from ..rendering import license_pdf
from ..selectors.status import license_effective_status
from ..selectors.use import USE_SCOPE, client_authorization_get
from ..selectors.verification import VerificationResult, license_envelope, verify_stored
from ..selectors.wallet import (
    FaceRow,
    authorization_effective_status,
    face_rows,
    holder_allows,
    wallet_license_get,
)

SHOW_SALT = "digigov.licenses.show"
SHOW_MAX_AGE = 5 * 60  # seconds: a 亮证 QR is good for five minutes
MAX_AUTHORIZATION_DAYS = 90
A = Authorization.Status


# --- helpers -------------------------------------------------------------------------------


def _audit(
    principal: Principal,
    action: str,
    object_type: str,
    object_id: str,
    *,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        source_address=principal.source_address,
        detail=detail or {},
    )


def _use_record(
    *,
    principal: Principal,
    license: License,
    kind: str,
    user_label: str,
    purpose: str = "",
    reference: str = "",
    client_id: int | None = None,
    authorization: Authorization | None = None,
) -> LicenseUse:
    """The use row, its audit entry and `licenses.license.used`, in the caller's
    transaction."""
    use = LicenseUse.objects.create(
        license=license,
        kind=kind,
        user_label=user_label[:160],
        purpose=purpose[:200],
        reference=reference[:80],
        client_id=client_id,
        authorization=authorization,
    )
    _audit(
        principal,
        f"licenses.license.use.{kind}",
        "licenses.license",
        license.address,
        detail={"purpose": use.purpose, "reference": use.reference, "user": use.user_label},
    )
    event_publish(
        topic="licenses.license.used",
        payload={
            "address": license.address,
            "license_type": license.license_type.code,
            "kind": kind,
            "reference": use.reference,
            "use_id": use.pk,
        },
    )
    return use


# --- 亮证 (show by QR) ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShowToken:
    token: str
    address: str
    fields: list[str]
    expires_at: dt.datetime


@dataclass(frozen=True)
class ShowView:
    address: str
    type_name: str
    number: str
    issuer_name: str
    holder_name_masked: str
    valid_from: str
    valid_until: str
    verification: VerificationResult
    face: list[FaceRow]
    shown_at: dt.datetime


def license_show_token(
    *, principal: Principal, address: str, fields: Iterable[str], uscc: str = ""
) -> ShowToken:
    """A 5-minute token showing the license and the chosen face fields (unknown field
    names are dropped). Only the holder (or the entity's agent) makes one."""
    license = wallet_license_get(principal=principal, address=address, uscc=uscc)
    known = [row.key for row in face_rows(license)]
    chosen = [key for key in known if key in set(fields)]
    token = signing.dumps({"a": license.address, "f": chosen}, salt=SHOW_SALT, compress=True)
    _audit(
        principal,
        "licenses.license.show_token",
        "licenses.license",
        license.address,
        detail={"fields": chosen},
    )
    return ShowToken(
        token=token,
        address=license.address,
        fields=chosen,
        expires_at=timezone.now() + dt.timedelta(seconds=SHOW_MAX_AGE),
    )


def license_show_open(*, principal: Principal, token: str) -> ShowView:
    """Open a 亮证 token: the verification result and the chosen face fields; the opening is
    recorded as a use shown to the holder. Expired or forged tokens: ValidationFailed."""
    try:
        content = signing.loads(token, salt=SHOW_SALT, max_age=SHOW_MAX_AGE)
    except signing.SignatureExpired:
        _audit(
            principal,
            "licenses.license.show",
            "licenses.license",
            "",
            outcome="denied",
            detail={"reason": "expired"},
        )
        raise ValidationFailed(
            "亮证二维码已过期（有效期 5 分钟），请持证人重新出示", code="licenses/show_expired"
        ) from None
    except signing.BadSignature:
        _audit(
            principal,
            "licenses.license.show",
            "licenses.license",
            "",
            outcome="denied",
            detail={"reason": "bad_token"},
        )
        raise ValidationFailed(
            "二维码无效，无法识别的亮证码", code="licenses/show_invalid"
        ) from None
    if not isinstance(content, dict) or not isinstance(content.get("a"), str):
        raise ValidationFailed("二维码无效，无法识别的亮证码", code="licenses/show_invalid")
    license = (
        License.objects.select_related("license_type", "issuer").filter(address=content["a"])
    ).first()
    if license is None:
        raise NotFound("证照不存在", code="licenses/license_not_found")
    chosen = set(content.get("f") or [])
    verification = verify_stored(license)
    viewer = (
        principal.label or principal.actor if principal.is_authenticated else "扫码查看（未登录）"
    )
    with transaction.atomic():
        _use_record(
            principal=principal,
            license=license,
            kind=LicenseUse.Kind.SHOW,
            user_label=viewer,
            purpose="亮证",
            reference=principal.source_address,
        )
    return ShowView(
        address=license.address,
        type_name=license.license_type.name,
        number=license.number,
        issuer_name=license.issuer.name,
        holder_name_masked=mask_name(license.holder_name)
        if license.holder_kind == HolderKind.PERSON
        else license.holder_name,
        valid_from=license.valid_from.isoformat(),
        valid_until=license.valid_until.isoformat() if license.valid_until else "长期",
        verification=verification,
        # A record whose signature fails shows no face data: it may not be what was issued.
        face=[row for row in face_rows(license) if row.key in chosen]
        if verification.outcome != "tampered"
        else [],
        shown_at=timezone.now(),
    )


# --- downloads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    content: bytes


DOWNLOAD_FORMATS = {"json": "签名 JSON", "pdf": "PDF"}


def license_download(
    *, principal: Principal, address: str, file_format: str, uscc: str = ""
) -> Download:
    """The holder's signed JSON envelope or PDF of their license, recorded as a use."""
    if file_format not in DOWNLOAD_FORMATS:
        raise ValidationFailed("下载格式只能是 json 或 pdf", code="licenses/download_format")
    license = wallet_license_get(principal=principal, address=address, uscc=uscc)
    if file_format == "pdf":
        content = license_pdf(license)
        # 免用实物印章: the issuer's official seal signs the PDF (PAdES) when it has one;
        # the embedded signed JSON verifies the license either way.
        sealed = pdf_seal_official(
            organization_id=license.issuer_id,
            pdf=content,
            reason=f"电子证照：{license.license_type.name}",
            file_name=f"{license.address}.pdf",
        )
        download = Download(f"{license.address}.pdf", "application/pdf", sealed or content)
    else:
        body = json.dumps(license_envelope(license), ensure_ascii=False, indent=2)
        download = Download(f"{license.address}.json", "application/json", body.encode("utf-8"))
    with transaction.atomic():
        _use_record(
            principal=principal,
            license=license,
            kind=LicenseUse.Kind.DOWNLOAD,
            user_label=principal.label or principal.actor,
            purpose=f"下载{DOWNLOAD_FORMATS[file_format]}",
        )
    return download


# --- 免提交 (material reuse by 一网通办) --------------------------------------------------------


@transaction.atomic
def license_material_use(
    *,
    principal: Principal,
    address: str,
    holder_kind: str,
    holder_key: str,
    reference: str,
    purpose: str,
    user_label: str,
) -> LicenseUse:
    """Record that a case (`reference` = its number) used the license as a material. The
    caller checked the holder's consent (the applicant chose it); this checks again that
    the license is the holder's and usable, so no record points at someone else's."""
    license = (
        License.objects.select_related("license_type")
        .filter(address=address, holder_kind=holder_kind, holder_key=holder_key)
        .first()
    )
    if license is None or license_effective_status(license) != License.Status.VALID:
        _audit(
            principal,
            "licenses.license.use.material",
            "licenses.license",
            address[:160],
            outcome="denied",
            detail={"reference": reference},
        )
        raise ValidationFailed("电子证照不存在、已失效或不属于申请人", code="licenses/not_usable")
    return _use_record(
        principal=principal,
        license=license,
        kind=LicenseUse.Kind.MATERIAL,
        user_label=user_label,
        purpose=purpose,
        reference=reference,
    )


# --- 授权用证 (third parties) ----------------------------------------------------------------


def _authorization_event(authorization: Authorization, what: str) -> None:
    event_publish(
        topic=f"licenses.authorization.{what}",
        payload={
            "authorization_id": authorization.pk,
            "client_id": authorization.client_id,
            "license_type": authorization.license_type.code,
            "holder_kind": authorization.holder_kind,
            "holder_key": authorization.holder_key,
            "status": authorization.status,
        },
    )


def _holder_key_clean(holder_kind: str, holder_key: str) -> str:
    if holder_kind == HolderKind.PERSON:
        return resident_id_validate(holder_key).number
    if holder_kind == HolderKind.ENTITY:
        return uscc_validate(holder_key)
    raise ValidationFailed(
        "持证主体类型只能是 person 或 entity",
        code="licenses/holder_kind_invalid",
        fields={"holder_kind": ["只能是 person（自然人）或 entity（法人）"]},
    )


def authorization_request(
    *,
    principal: Principal,
    holder_kind: str,
    holder_key: str,
    license_type: str,
    purpose: str,
    days: int,
) -> Authorization:
    """A third party's request for a view of the holder's license of a type. It is pending
    whether or not the holder exists or holds such a license: the answer tells the client
    nothing. A repeat while one of the same client, holder and type is pending returns it."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "machine" or not principal.has_scope(USE_SCOPE):
        _audit(
            principal,
            "licenses.authorization.request",
            "licenses.authorization",
            "",
            outcome="denied",
            detail={"reason": "not_use_client"},
        )
        raise PermissionDenied("仅具有用证授权范围的接入单位可以申请用证", code="scope_missing")
    errors: dict[str, list[str]] = {}
    try:
        holder_key = _holder_key_clean(holder_kind, (holder_key or "").strip().upper())
    except ValidationFailed as error:
        errors.update(error.fields or {"holder_key": [error.message]})
    type_row = LicenseType.objects.filter(code=(license_type or "").strip(), is_active=True).first()
    if type_row is None:
        errors["license_type"] = ["证照类型不存在或已停用"]
    elif holder_kind in HolderKind.values and type_row.holder_kind != holder_kind:
        errors["license_type"] = [
            f"“{type_row.name}”的持证主体为{HolderKind(type_row.holder_kind).label}"
        ]
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > 200:
        errors["purpose"] = ["请填写用证目的（200 字以内）"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 90:
        errors["days"] = [f"授权天数应为 1 至 {MAX_AUTHORIZATION_DAYS} 天"]
    if errors:
        raise ValidationFailed("用证申请有误", code="licenses/authorization_invalid", fields=errors)
    client_id = int(principal.id)
    with transaction.atomic():
        return _authorization_create(
            principal=principal,
            client_id=client_id,
            holder_kind=holder_kind,
            holder_key=holder_key,
            type_row=type_row,
            purpose=purpose,
            days=days,
        )


def _authorization_create(
    *,
    principal: Principal,
    client_id: int,
    holder_kind: str,
    holder_key: str,
    type_row: LicenseType,
    purpose: str,
    days: int,
) -> Authorization:
    existing = (
        Authorization.objects.select_related("license_type")
        .filter(
            client_id=client_id,
            holder_kind=holder_kind,
            holder_key=holder_key,
            license_type=type_row,
            status=A.PENDING,
        )
        .first()
    )
    if existing is not None:
        return existing
    authorization = Authorization.objects.create(
        client_id=client_id,
        license_type=type_row,
        holder_kind=holder_kind,
        holder_key=holder_key,
        purpose=purpose,
        requested_days=days,
    )
    _audit(
        principal,
        "licenses.authorization.request",
        "licenses.authorization",
        str(authorization.pk),
        detail={"type": type_row.code, "purpose": purpose, "days": days},
    )
    _authorization_event(authorization, "requested")
    return authorization


def _holder_check(principal: Principal, authorization_id: int, action: str) -> int:
    """The id when the principal is the request's holder; NotFound (audited) otherwise,
    so nobody learns of requests addressed to others."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    holder = (
        Authorization.objects.filter(pk=authorization_id)
        .values_list("holder_kind", "holder_key")
        .first()
    )
    if holder is None or not holder_allows(
        principal=principal, holder_kind=holder[0], holder_key=holder[1]
    ):
        # Outside the transaction: the refusal's audit entry must survive the error.
        _audit(
            principal,
            action,
            "licenses.authorization",
            str(authorization_id),
            outcome="denied",
            detail={"reason": "not_holder"},
        )
        raise NotFound("授权申请不存在", code="licenses/authorization_not_found")
    return authorization_id


def _locked(authorization_id: int) -> Authorization:
    return (
        Authorization.objects.select_for_update(of=("self",))
        .select_related("license_type", "client", "license")
        .get(pk=authorization_id)
    )


def _decided(authorization: Authorization, principal: Principal, status: str) -> None:
    authorization.status = status
    authorization.decided_at = timezone.now()
    authorization.decided_by = (principal.label or principal.actor)[:160]


def authorization_grant(
    *, principal: Principal, authorization_id: int, address: str
) -> Authorization:
    """The holder grants a pending request with one of their valid licenses of the type;
    the grant runs for the requested days from now."""
    _holder_check(principal, authorization_id, "licenses.authorization.grant")
    with transaction.atomic():
        authorization = _locked(authorization_id)
        if authorization.status != A.PENDING:
            raise Conflict(
                f"该申请{A(authorization.status).label}，不能再授权",
                code="licenses/authorization_decided",
            )
        license = (
            License.objects.select_related("license_type")
            .filter(
                address=(address or "").strip(),
                holder_kind=authorization.holder_kind,
                holder_key=authorization.holder_key,
                license_type=authorization.license_type,
            )
            .first()
        )
        if license is None or license_effective_status(license) != License.Status.VALID:
            raise ValidationFailed(
                f"请选择一张有效的“{authorization.license_type.name}”",
                code="licenses/authorization_license_invalid",
                fields={"address": ["证照不存在、已失效或类型不符"]},
            )
        _decided(authorization, principal, A.GRANTED)
        authorization.license = license
        authorization.expires_at = authorization.decided_at + dt.timedelta(
            days=authorization.requested_days
        )
        authorization.save()
        _audit(
            principal,
            "licenses.authorization.grant",
            "licenses.authorization",
            str(authorization.pk),
            detail={"license": license.address, "expires_at": authorization.expires_at.isoformat()},
        )
        _authorization_event(authorization, "granted")
    return authorization


def authorization_refuse(
    *, principal: Principal, authorization_id: int, reason: str = ""
) -> Authorization:
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationFailed("拒绝原因至多 300 字", fields={"reason": ["过长"]})
    _holder_check(principal, authorization_id, "licenses.authorization.refuse")
    with transaction.atomic():
        authorization = _locked(authorization_id)
        if authorization.status != A.PENDING:
            raise Conflict(
                f"该申请{A(authorization.status).label}，不能再拒绝",
                code="licenses/authorization_decided",
            )
        _decided(authorization, principal, A.REFUSED)
        authorization.refusal_reason = reason
        authorization.save()
        _audit(
            principal,
            "licenses.authorization.refuse",
            "licenses.authorization",
            str(authorization.pk),
            detail={"reason": reason},
        )
        _authorization_event(authorization, "refused")
    return authorization


def authorization_withdraw(*, principal: Principal, authorization_id: int) -> Authorization:
    """The holder withdraws a grant at any time; the client's next read is refused."""
    _holder_check(principal, authorization_id, "licenses.authorization.withdraw")
    with transaction.atomic():
        authorization = _locked(authorization_id)
        if authorization_effective_status(authorization) != A.GRANTED:
            raise Conflict("只能撤回生效中的授权", code="licenses/authorization_not_granted")
        authorization.status = A.REVOKED
        authorization.save(update_fields=["status"])
        _audit(
            principal,
            "licenses.authorization.withdraw",
            "licenses.authorization",
            str(authorization.pk),
        )
        _authorization_event(authorization, "withdrawn")
    return authorization


@dataclass(frozen=True)
class ThirdPartyView:
    authorization_id: int
    address: str
    license_type: str
    license_type_name: str
    number: str
    issuer_code: str
    issuer_name: str
    holder_kind: str
    holder_key: str
    holder_name: str
    valid_from: str
    valid_until: str | None
    status: str
    data: dict[str, Any]
    envelope: dict[str, Any]
    authorization_expires_at: dt.datetime


def authorization_license_read(*, principal: Principal, authorization_id: int) -> ThirdPartyView:
    """The granted license's view for the client that asked, while the grant lasts; each
    read is a use the holder sees. Refusals change nothing and are audited."""
    authorization = client_authorization_get(principal=principal, authorization_id=authorization_id)
    status = authorization_effective_status(authorization)
    if status != A.GRANTED:
        _audit(
            principal,
            "licenses.authorization.read",
            "licenses.authorization",
            str(authorization.pk),
            outcome="denied",
            detail={"status": status},
        )
        if status == A.EXPIRED:
            raise Conflict("授权已过期，请重新申请", code="licenses/authorization_expired")
        raise Conflict(
            f"持证人尚未授权或授权已终止（{A(status).label}）",
            code="licenses/authorization_not_granted",
        )
    license = License.objects.select_related("license_type", "issuer").get(
        pk=authorization.license_id
    )
    with transaction.atomic():
        _use_record(
            principal=principal,
            license=license,
            kind=LicenseUse.Kind.THIRD_PARTY,
            user_label=authorization.client.name,
            purpose=authorization.purpose,
            reference=f"授权{authorization.pk}",
            client_id=authorization.client_id,
            authorization=authorization,
        )
    document = document_parse(license.signed_payload)
    return ThirdPartyView(
        authorization_id=authorization.pk,
        address=license.address,
        license_type=license.license_type.code,
        license_type_name=license.license_type.name,
        number=license.number,
        issuer_code=license.issuer.code,
        issuer_name=license.issuer.name,
        holder_kind=license.holder_kind,
        holder_key=license.holder_key,
        holder_name=license.holder_name,
        valid_from=license.valid_from.isoformat(),
        valid_until=license.valid_until.isoformat() if license.valid_until else None,
        status=license_effective_status(license),
        data=document.get("data") or {},
        envelope=license_envelope(license),
        authorization_expires_at=authorization.expires_at,
    )


def authorizations_expire(*, principal: Principal) -> int:
    """Mark grants past their end as expired (they already read as expired); returns how
    many. For operators and the system's scheduler."""
    if principal.kind not in ("operator", "system"):
        raise PermissionDenied("仅运维人员或系统可以执行", code="licenses/operator_only")
    now = timezone.now()
    count = 0
    with transaction.atomic():
        due = (
            Authorization.objects.select_for_update()
            .select_related("license_type")
            .filter(status=A.GRANTED, expires_at__lte=now)
        )
        for authorization in due:
            authorization.status = A.EXPIRED
            authorization.save(update_fields=["status"])
            _authorization_event(authorization, "expired")
            count += 1
        _audit(
            principal,
            "licenses.authorization.expire",
            "licenses.authorization",
            "",
            detail={"count": count},
        )
    return count
