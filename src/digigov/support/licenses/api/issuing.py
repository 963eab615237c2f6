"""/api/v1/licenses (POST) and /api/v1/licenses/{address}...: a department's system (machine
client of the issuing organization, scopes licenses:issue / licenses:manage) or its staff
(session with the permissions) issue licenses, read them and change their status; the holder
and the issuer export a license as a W3C Verifiable Credential. Thin: parse, call one
service or selector, render. Mounted last: /{address} would shadow other areas' paths."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from digigov.kernel.api.auth import require_scope
from digigov.kernel.principals import Principal

from ..canonical import document_parse
from ..models import License
from ..selectors.licenses import license_for_issuer
from ..selectors.status import STATUS_LABELS, license_effective_status
from ..services import credentials, status
from ..services.issuance import license_issue, source_for
from .schemas import (
    IssuedLicenseOut,
    LicenseIssueIn,
    LicenseReasonIn,
    LicenseRenewIn,
    LicenseResumeIn,
    LicenseSuspendIn,
)

router = Router()
ISSUE_SCOPE = "licenses:issue"
MANAGE_SCOPE = "licenses:manage"


def _license_out(license: License, *, status: str, replaced_by: list[str]) -> dict:
    return {
        "address": license.address,
        "number": license.number,
        "type_code": license.license_type.code,
        "type_name": license.license_type.name,
        "issuer_code": license.issuer.code,
        "issuer_name": license.issuer.name,
        "holder_kind": license.holder_kind,
        "holder_key": license.holder_key,
        "holder_name": license.holder_name,
        "data": license.data,
        "valid_from": license.valid_from,
        "valid_until": license.valid_until,
        "issued_at": license.issued_at,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "suspended_until": license.suspended_until,
        "status_reason": license.status_reason,
        "source": license.source,
        "source_reference": license.source_reference,
        "replaces": license.replaces.address if license.replaces_id else None,
        "replaced_by": replaced_by,
        "document": document_parse(license.signed_payload),
        "signed_payload": license.signed_payload,
        "signature": license.signature,
        "key_id": license.key_id,
        "algorithm": license.algorithm,
        "status_list": {"sequence": license.status_sequence, "index": license.status_index},
    }


def _out(principal: Principal, address: str) -> dict:
    """The license as its issuer reads it (an audited read)."""
    detail = license_for_issuer(principal=principal, address=address)
    return _license_out(detail.license, status=detail.status, replaced_by=detail.replaced_by)


def _new_out(license: License) -> dict:
    """A license the caller has just issued: no second read."""
    return _license_out(license, status=license_effective_status(license), replaced_by=[])


ISSUE_SUMMARY = "签发电子证照（颁发单位的系统或制证人员）"


# Mounted as POST /api/v1/licenses by the package's router (see api/__init__.py).
def license_issue_api(request: HttpRequest, payload: LicenseIssueIn):
    principal = require_scope(request, ISSUE_SCOPE)
    license = license_issue(
        principal=principal,
        type_code=payload.type_code,
        issuer_id=principal.organization_id or 0,
        holder_kind=payload.holder_kind,
        holder_key=payload.holder_key,
        data=payload.data,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        source=source_for(principal),
        source_reference=payload.reference,
    )
    return Status(201, _new_out(license))


@router.get("/{address}", response=IssuedLicenseOut, summary="证照详情（颁发单位）")
def license_detail_api(request: HttpRequest, address: str):
    return _out(request.principal, address)


@router.get(
    "/{address}/credential",
    response=dict,
    summary="导出 W3C 可验证凭证 2.0（持证人或颁发单位）",
    description="Data Integrity 证明：Ed25519 密钥用 eddsa-jcs-2022；SM2 密钥用 sm2-jcs-2025（本平台的"
    "国密版 JCS 套件：SM3 摘要、SM2 签名，非 W3C 注册套件）。credentialStatus 含吊销与暂停两个"
    "BitstringStatusListEntry。",
)
def license_credential_api(request: HttpRequest, address: str):
    return credentials.license_credential(principal=request.principal, address=address)


@router.post("/{address}/suspend", response=IssuedLicenseOut, summary="暂停使用至指定日期")
def license_suspend_api(request: HttpRequest, address: str, payload: LicenseSuspendIn):
    principal = require_scope(request, MANAGE_SCOPE)
    status.license_suspend(
        principal=principal, address=address, until=payload.until, reason=payload.reason
    )
    return _out(principal, address)


@router.post("/{address}/resume", response=IssuedLicenseOut, summary="恢复使用")
def license_resume_api(request: HttpRequest, address: str, payload: LicenseResumeIn):
    principal = require_scope(request, MANAGE_SCOPE)
    status.license_resume(principal=principal, address=address, reason=payload.reason)
    return _out(principal, address)


@router.post("/{address}/revoke", response=IssuedLicenseOut, summary="吊销/注销")
def license_revoke_api(request: HttpRequest, address: str, payload: LicenseReasonIn):
    principal = require_scope(request, MANAGE_SCOPE)
    status.license_revoke(principal=principal, address=address, reason=payload.reason)
    return _out(principal, address)


@router.post(
    "/{address}/renew",
    response={201: IssuedLicenseOut},
    summary="延续换证：同一持证人与照面信息、新的有效期（返回新证，原证标记为已换发）",
)
def license_renew_api(request: HttpRequest, address: str, payload: LicenseRenewIn):
    principal = require_scope(request, MANAGE_SCOPE)
    new = status.license_renew(principal=principal, address=address, valid_from=payload.valid_from)
    return Status(201, _new_out(new))


@router.post(
    "/{address}/replace",
    response={201: IssuedLicenseOut},
    summary="补发/换发：新编号、照面信息与有效期不变（返回新证，原证标记为已换发）",
)
def license_replace_api(request: HttpRequest, address: str, payload: LicenseReasonIn):
    principal = require_scope(request, MANAGE_SCOPE)
    new = status.license_replace(principal=principal, address=address, reason=payload.reason)
    return Status(201, _new_out(new))
