"""Verifying a sealed PDF: pyHanko validates each signature against the platform's seal CA
as the only trust root (its own TSA for the time stamps), and the platform's records say
whether the seal was active when the time stamp says the PDF was sealed.

Verdicts: 有效 (intact, trusted, time-stamped by the platform TSA, seal active then),
签章后被修改 (the signed bytes no longer match, or the file was changed after sealing in a
way other than adding further signatures), 无效 (anything else: unknown signer, broken
signature, missing or untrusted time stamp, seal suspended or revoked at that time)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from digigov.kernel.audit.services import audit_record
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import ValidationFailed
from digigov.kernel.principals import ANONYMOUS, Principal

from ..models import Authority, Seal, SealStatus, SealStatusChange

VALID = "valid"
INVALID = "invalid"
MODIFIED = "modified"
VERDICT_LABELS = {VALID: "有效", INVALID: "无效", MODIFIED: "签章后被修改"}
MAX_PDF_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SignatureReport:
    field_name: str
    verdict: str  # valid, invalid, modified
    verdict_label: str
    reasons: list[str] = field(default_factory=list)
    seal_id: int | None = None
    seal_name: str = ""
    organization_name: str = ""
    organization_code: str = ""
    certificate_serial: str = ""
    signing_time: dt.datetime | None = None  # as the signer's system reported it
    timestamp_time: dt.datetime | None = None  # from the TSA's token (trusted time)
    reason: str = ""
    location: str = ""
    is_intact: bool = False
    is_trusted: bool = False
    is_timestamp_valid: bool = False
    covers_whole_file: bool = False
    seal_status_then: str = ""

    @property
    def is_valid(self) -> bool:
        return self.verdict == VALID


def _subject_field(certificate, name: str) -> str:
    try:
        return str(certificate.subject.native.get(name, "") or "")
    except (ValueError, AttributeError):
        return ""


def seal_status_at(*, seal: Seal, moment: dt.datetime) -> str:
    """The seal's status at a moment, from its status history ("" before it existed)."""
    change = (
        SealStatusChange.objects.filter(seal=seal, at__lte=moment).order_by("-at", "-id").first()
    )
    return change.status if change else ""


def _trust_roots() -> list:
    from asn1crypto import x509

    return [
        x509.Certificate.load(bytes(der))
        for der in Authority.objects.filter(role=Authority.Role.ROOT).values_list(
            "certificate_der", flat=True
        )
    ]


def _reader(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not isinstance(pdf, bytes | bytearray) or not pdf:
        raise ValidationFailed("请上传 PDF 文件", code="seals/pdf_missing")
    if len(pdf) > MAX_PDF_BYTES:
        raise ValidationFailed("文件超过 20 MB", code="seals/pdf_too_large")
    if b"%PDF-" not in bytes(pdf[:1024]):
        raise ValidationFailed("上传的文件不是 PDF", code="seals/pdf_invalid")
    try:
        reader = PdfFileReader(io.BytesIO(bytes(pdf)), strict=False)
        if reader.encrypted:
            raise ValidationFailed("不支持加密的 PDF", code="seals/pdf_encrypted")
        return reader, list(reader.embedded_regular_signatures)
    except ValidationFailed:
        raise
    except Exception:  # any parser failure means the same to the user: unreadable
        raise ValidationFailed("PDF 文件已损坏或无法解析", code="seals/pdf_invalid") from None


def _report(embedded, context) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    name = embedded.field_name or ""
    reason = str(embedded.sig_object.get("/Reason", "") or "")
    location = str(embedded.sig_object.get("/Location", "") or "")
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:  # a malformed signature dictionary or CMS blob: not a valid seal
        return SignatureReport(
            field_name=name,
            verdict=INVALID,
            verdict_label=VERDICT_LABELS[INVALID],
            reasons=["签名数据格式错误，无法验证"],
            reason=reason,
            location=location,
        )
    certificate = status.signing_cert
    serial = format(certificate.serial_number, "x")
    seal = (
        Seal.objects.select_related("organization").filter(certificate_serial=serial).first()
        if status.trusted
        else None
    )
    timestamp = status.timestamp_validity
    ts_ok = bool(timestamp and timestamp.intact and timestamp.valid and timestamp.trusted)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    reasons: list[str] = []
    verdict = VALID
    if not status.intact:
        verdict = MODIFIED
        reasons.append("签章覆盖的文件内容已被改动（摘要不符）")
    elif not status.valid:
        verdict = INVALID
        reasons.append("签名值无效")
    elif not whole and not status.docmdp_ok:
        verdict = MODIFIED
        reasons.append("文件在签章后被修改（追加了签章以外的改动）")
    if verdict != MODIFIED and status.intact:
        if not status.trusted:
            verdict = INVALID
            reasons.append("签章证书不是本平台电子印章 CA 签发的，或证书已失效")
        if not ts_ok:
            verdict = INVALID
            reasons.append("缺少可信时间戳，或时间戳无效")
        if status.trusted and seal is None:
            verdict = INVALID
            reasons.append("平台没有该印章的登记记录")
    status_then = ""
    if seal is not None and ts_ok:
        status_then = seal_status_at(seal=seal, moment=timestamp.timestamp)
        if status_then != SealStatus.ACTIVE and verdict != MODIFIED:
            verdict = INVALID
            label = SealStatus(status_then).label if status_then else "尚未启用"
            reasons.append(f"签章时该印章{label}")
    if verdict == VALID and not whole:
        reasons.append("签章后文件又追加了其他签章（允许的修改）")
    return SignatureReport(
        field_name=name,
        verdict=verdict,
        verdict_label=VERDICT_LABELS[verdict],
        reasons=reasons,
        seal_id=seal.pk if seal else None,
        seal_name=seal.name if seal else _subject_field(certificate, "common_name"),
        organization_name=seal.organization.name
        if seal
        else _subject_field(certificate, "organization_name"),
        organization_code=seal.organization.code
        if seal
        else _subject_field(certificate, "serial_number"),
        certificate_serial=serial,
        signing_time=status.signer_reported_dt,
        timestamp_time=timestamp.timestamp if timestamp else None,
        reason=reason,
        location=location,
        is_intact=bool(status.intact),
        is_trusted=bool(status.trusted),
        is_timestamp_valid=ts_ok,
        covers_whole_file=whole,
        seal_status_then=status_then,
    )


def pdf_verify(*, pdf: bytes, principal: Principal = ANONYMOUS) -> list[SignatureReport]:
    """One report per seal signature in the PDF (an empty list: no signature at all).
    Malformed input raises ValidationFailed. Every verification is audited (outcome,
    document digest, verdicts), a refusal too."""
    from pyhanko_certvalidator import ValidationContext

    digest = crypto.digest(bytes(pdf)).hex() if isinstance(pdf, bytes | bytearray) else ""
    try:
        _reader_obj, embedded = _reader(pdf)
    except ValidationFailed as error:
        _audit(principal, digest, outcome="failure", detail={"code": error.code})
        raise
    context = ValidationContext(
        trust_roots=_trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )
    reports = [_report(signature, context) for signature in embedded]
    _audit(
        principal,
        digest,
        outcome="success",
        detail={"verdicts": [r.verdict for r in reports], "seals": [r.seal_id for r in reports]},
    )
    return reports


def _audit(principal: Principal, digest: str, *, outcome: str, detail: dict) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        source_address=principal.source_address,
        action="seals.pdf.verify",
        object_type="seals.document",
        object_id=digest,
        outcome=outcome,
        detail=detail,
    )


def trust_root_pem() -> str:
    """The platform seal CA's root certificate (PEM), for readers that want to trust it."""
    import base64

    root = Authority.objects.filter(role=Authority.Role.ROOT, is_active=True).first()
    if root is None:
        return ""
    body = base64.encodebytes(bytes(root.certificate_der)).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
