"""/api/v1/licenses/verify: public verification (核验), thin: parse, call one service, render.

No credentials needed. A caller that presents an API key or bearer token is recorded under
its client name in the holder's use log; one that presents a bad credential is refused (401)
rather than treated as anonymous. Every outcome, including malformed input, answers 200 with
the outcome code and a Chinese message; only a caller past the rate limit gets an error
(429, the standard error shape). Request bodies are read by hand, after a size check, so
that an oversized or unparsable body is a verification result too (audited), not a crash."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from digigov.kernel.api.auth import ApiKeyAuth, BearerTokenAuth
from digigov.kernel.principals import Principal, client_address

from ..selectors.verification import MAX_INPUT_BYTES, OUTCOME_LABELS, VerificationResult
from ..services import verification as services

router = Router()


def _anonymous(request: HttpRequest) -> Principal | None:
    """The public fallback: only when no credential was presented at all."""
    if request.headers.get("X-API-Key") or request.headers.get("Authorization"):
        return None
    request.principal = Principal(kind="anonymous", source_address=client_address(request))
    return request.principal


PUBLIC_AUTH = [ApiKeyAuth(), BearerTokenAuth(), _anonymous]


class VerificationOut(Schema):
    outcome: str
    outcome_label: str
    message: str
    source: str
    status_checked: bool
    address: str
    license_type_name: str
    issuer_name: str
    holder_name_masked: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    suspended_until: dt.date | None
    checked_at: dt.datetime
    key_id: str
    algorithm: str


def _out(result: VerificationResult) -> dict:
    return {
        "outcome": result.outcome,
        "outcome_label": result.outcome_label,
        "message": result.message,
        "source": result.source,
        "status_checked": result.status_checked,
        "address": result.address,
        "license_type_name": result.license_type_name,
        "issuer_name": result.issuer_name,
        "holder_name_masked": result.holder_name_masked,
        "valid_from": result.valid_from,
        "valid_until": result.valid_until,
        "suspended_until": result.suspended_until,
        "checked_at": result.checked_at,
        "key_id": result.key_id,
        "algorithm": result.algorithm,
    }


def _declared_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


_OUTCOMES = "、".join(f"{code}（{label}）" for code, label in OUTCOME_LABELS.items())
_ENVELOPE_SCHEMA = {
    "type": "object",
    "description": "已签名的证照数据（钱包下载或 PDF 内嵌的 license.json），"
    "或证照导出的 W3C 可验证凭证（VC）",
    "properties": {
        "document": {"type": "object", "description": "签名覆盖的证照文档（RFC 8785 规范化）"},
        "signature": {"type": "string", "description": "颁发单位对规范化文档的签名（Base64）"},
    },
    "required": ["document", "signature"],
}


@router.post(
    "/verify",
    response=VerificationOut,
    auth=PUBLIC_AUTH,
    summary="核验已签名的证照数据或可验证凭证（JSON，可离线核验的格式）",
    description="签名按文档中 keyId 指向的颁发单位公布公钥核验；本平台保存该证照时再核对其当前状态。"
    f"请求体不超过 2 MB。outcome 取值：{_OUTCOMES}。",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ENVELOPE_SCHEMA}},
        }
    },
)
def license_verify_posted(request: HttpRequest):
    if _declared_size(request) > MAX_INPUT_BYTES:
        return _out(
            services.license_verify_oversized(principal=request.principal, source="envelope")
        )
    raw = request.read(MAX_INPUT_BYTES + 1)
    return _out(services.license_verify_json(principal=request.principal, raw=raw))


@router.post(
    "/verify/file",
    response=VerificationOut,
    auth=PUBLIC_AUTH,
    summary="上传证照 PDF 或 JSON 文件核验",
    description="multipart/form-data，字段 file：证照 PDF（核验其内嵌的 license.json）或已签名的"
    f"证照数据 JSON，不超过 2 MB。outcome 取值：{_OUTCOMES}。",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
        }
    },
)
def license_verify_upload(request: HttpRequest):
    # Checked before Django parses the multipart body (which would spool it to disk).
    if _declared_size(request) > MAX_INPUT_BYTES + 64 * 1024:
        return _out(services.license_verify_oversized(principal=request.principal))
    upload = request.FILES.get("file")
    if upload is None:
        content = b""
    elif upload.size > MAX_INPUT_BYTES:
        return _out(services.license_verify_oversized(principal=request.principal))
    else:
        content = upload.read()
    return _out(services.license_verify_file(principal=request.principal, content=content))


# Registered last: Django tries URL patterns in order and /verify/{address} would
# otherwise swallow POST /verify/file (and answer 405).
@router.get(
    "/verify/{address}",
    response=VerificationOut,
    auth=PUBLIC_AUTH,
    summary="按证照地址核验（扫码或输入）",
    description=f"核验结果 outcome 取值：{_OUTCOMES}。不返回照面信息和证件号码。",
)
def license_verify_by_address(request: HttpRequest, address: str):
    return _out(services.license_verify_address(principal=request.principal, text=address))
