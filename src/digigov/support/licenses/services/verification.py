"""Verification (核验), the entry point for every caller: the public page, the public API
and other apps. One function per input (an address or QR text, a signed envelope, a PDF,
a Verifiable Credential, or an uploaded file of either kind); each returns a
`VerificationResult` and never raises on bad input: a malformed, forged or unknown input is
a result too.

Each verification is one transaction: an audit entry (anonymous callers with their network
address) and, for a license we hold, a `LicenseUse(kind=VERIFY)` naming who verified, so the
holder sees every check in the wallet's use log. No domain event: a verification changes
no license. Callers are rate-limited per network address (anonymous) or per principal."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from digigov.kernel.api.throttle import caller_key, throttle_check
from digigov.kernel.audit.services import audit_alone, audit_as, audit_entry
from digigov.kernel.errors import Throttled
from digigov.kernel.principals import Principal

from .. import rendering
from ..models import License, LicenseUse
from ..selectors.verification import (
    MALFORMED,
    MAX_INPUT_BYTES,
    NOT_FOUND,
    VerificationResult,
    address_from_text,
    envelope_parse,
    license_envelope,
    license_for_verification,
    result_refused,
    verify_credential,
    verify_document,
    verify_stored,
)

__all__ = [
    "VerificationResult",
    "license_envelope",
    "license_verify_address",
    "license_verify_credential",
    "license_verify_envelope",
    "license_verify_file",
    "license_verify_json",
    "license_verify_oversized",
    "license_verify_pdf",
    "verification_throttle",
]

ACTION = "licenses.license.verify"


def _limit_per_minute() -> int:
    return int(getattr(settings, "DIGIGOV_VERIFY_RATE_PER_MINUTE", 120))


def verification_throttle(*, principal: Principal) -> None:
    """Refuse a caller past its per-minute allowance (a per-process cache counter unless
    the deployment configures a shared cache such as Redis). The first refusal of a window
    is audited; the rest are not, so a flood cannot flood the audit log too."""
    limit = _limit_per_minute()
    throttle_check(
        bucket=f"licenses:verify:{caller_key(principal)}",
        limit=limit,
        error=Throttled("核验请求过于频繁，请一分钟后再试", code="licenses/verify_throttled"),
        on_first_refusal=lambda: audit_as(
            principal,
            action=ACTION,
            object_type="licenses.license",
            outcome="denied",
            detail={"reason": "throttled", "limit_per_minute": limit},
        ),
    )


def _verifier_label(principal: Principal) -> str:
    if principal.kind == "machine":
        return (principal.label or f"接口客户端 {principal.id}")[:160]
    if principal.kind == "staff":
        return "政务工作人员核验"
    if principal.is_authenticated:
        return "公众核验（登录用户）"
    return "公众核验"


def _record(
    principal: Principal, result: VerificationResult, license: License | None
) -> VerificationResult:
    # One transaction of its own, not waiting for the disk: if the server crashes, at most
    # the last fraction of a second of verification records is lost (never a broken chain:
    # it simply ends at the last entry written). On PostgreSQL this is one statement.
    uses = None
    if license is not None:
        uses = [
            LicenseUse(
                license_id=license.pk,
                kind=LicenseUse.Kind.VERIFY,
                user_label=_verifier_label(principal),
                purpose=f"核验结果：{result.outcome_label}"[:200],
                client_id=int(principal.id) if principal.kind == "machine" else None,
            )
        ]
    entry = audit_entry(
        actor=principal.actor,
        acting_for=principal.acting_for,
        source_address=principal.source_address,
        action=ACTION,
        object_type="licenses.license",
        object_id=result.address,
        detail={
            "source": result.source,
            "result": result.outcome,
            "key_id": result.key_id,
            "status_checked": result.status_checked,
        },
    )
    audit_alone([entry], rows=uses, wait_for_disk=False)
    return result


def license_verify_address(*, principal: Principal, text: str) -> VerificationResult:
    """An address typed in, or the text of the QR code (the verification URL)."""
    verification_throttle(principal=principal)
    address = address_from_text(text if isinstance(text, str) else "")
    if address is None:
        result = result_refused(MALFORMED, "无法识别的数据：请输入证照地址或扫描证照上的二维码")
        return _record(principal, result, None)
    license = license_for_verification(address)
    if license is None:
        result = result_refused(NOT_FOUND, "证照不存在：没有该地址的电子证照", address=address)
        return _record(principal, result, None)
    return _record(principal, verify_stored(license), license)


def license_verify_envelope(
    *, principal: Principal, envelope: Any, source: str = "envelope"
) -> VerificationResult:
    """A signed envelope {"document": {...}, "signature": "<base64>"} as parsed JSON."""
    verification_throttle(principal=principal)
    return _envelope(principal, envelope, source=source)


def _envelope(principal: Principal, envelope: Any, *, source: str) -> VerificationResult:
    if not isinstance(envelope, dict) or "document" not in envelope or "signature" not in envelope:
        result = result_refused(
            MALFORMED,
            "无法识别的数据：应为包含 document 和 signature 的已签名证照数据",
            source=source,
        )
        return _record(principal, result, None)
    result, license = verify_document(envelope["document"], envelope["signature"], source=source)
    return _record(principal, result, license)


def _is_credential(value: Any) -> bool:
    return isinstance(value, dict) and "@context" in value and "credentialSubject" in value


def _credential(principal: Principal, credential: Any) -> VerificationResult:
    result, license = verify_credential(credential)
    return _record(principal, result, license)


def license_verify_credential(*, principal: Principal, credential: Any) -> VerificationResult:
    """A W3C Verifiable Credential exported from the wallet: its proof and its status."""
    verification_throttle(principal=principal)
    return _credential(principal, credential)


def _json(principal: Principal, raw: bytes, *, source: str) -> VerificationResult:
    if len(raw) > MAX_INPUT_BYTES:
        result = result_refused(MALFORMED, "无法识别的数据：文件过大（最大 2 MB）", source=source)
        return _record(principal, result, None)
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        result = result_refused(MALFORMED, "无法识别的数据：不是有效的 JSON", source=source)
        return _record(principal, result, None)
    if _is_credential(parsed):
        return _credential(principal, parsed)
    return _envelope(principal, parsed, source=source)


def license_verify_json(
    *, principal: Principal, raw: bytes, source: str = "envelope"
) -> VerificationResult:
    """JSON text as posted or uploaded: a signed envelope or a Verifiable Credential."""
    verification_throttle(principal=principal)
    return _json(principal, raw, source=source)


def _pdf(principal: Principal, content: bytes) -> VerificationResult:
    if len(content) > MAX_INPUT_BYTES:
        result = result_refused(MALFORMED, "无法识别的数据：文件过大（最大 2 MB）", source="pdf")
        return _record(principal, result, None)
    attached = rendering.pdf_attachment(content)
    if attached is None:
        result = result_refused(
            MALFORMED,
            "无法识别的数据：该 PDF 不是本平台签发的电子证照（没有内嵌的已签名证照数据）",
            source="pdf",
        )
        return _record(principal, result, None)
    parsed = envelope_parse(attached)
    if parsed is None:
        result = result_refused(
            MALFORMED, "无法识别的数据：PDF 内嵌的证照数据无法读取", source="pdf"
        )
        return _record(principal, result, None)
    return _envelope(principal, {"document": parsed[0], "signature": parsed[1]}, source="pdf")


def license_verify_pdf(*, principal: Principal, content: bytes) -> VerificationResult:
    """A license PDF: the envelope embedded as `license.json` is what is verified."""
    verification_throttle(principal=principal)
    return _pdf(principal, content)


def license_verify_oversized(*, principal: Principal, source: str = "file") -> VerificationResult:
    """An upload refused unread because it declares more than 2 MB."""
    verification_throttle(principal=principal)
    result = result_refused(MALFORMED, "无法识别的数据：文件过大（最大 2 MB）", source=source)
    return _record(principal, result, None)


def license_verify_file(*, principal: Principal, content: bytes) -> VerificationResult:
    """An uploaded file, PDF or JSON, recognised by its content (not its name)."""
    verification_throttle(principal=principal)
    if len(content) > MAX_INPUT_BYTES:
        result = result_refused(MALFORMED, "无法识别的数据：文件过大（最大 2 MB）", source="file")
        return _record(principal, result, None)
    if content.lstrip()[:5] == b"%PDF-":
        return _pdf(principal, content)
    if not content.strip():
        return _record(
            principal, result_refused(MALFORMED, "无法识别的数据：文件为空", source="file"), None
        )
    return _json(principal, content, source="envelope")
