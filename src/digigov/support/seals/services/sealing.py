"""用章: seal a PDF with a department's seal (PAdES B-T with the seal's appearance and a time
stamp from the platform TSA), and the platform TSA answering RFC 3161 requests.

Every refusal (who asks, the seal's status, the file) is audited before the error is raised;
a successful use is logged (SealUse), audited and published as `seals.seal.used`."""

from __future__ import annotations

import io
import logging
import os

from django.db import transaction
from django.utils import timezone

from digigov.kernel.api.throttle import caller_key, throttle_check
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    Throttled,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..appearance import seal_pdf
from ..models import Seal, SealKind, SealStatus, SealUse
from . import pki
from .lifecycle import USE, USE_SCOPE, audit, refuse

log = logging.getLogger(__name__)
MAX_PDF_BYTES = 20 * 1024 * 1024
STAMP_SIZE = 120  # points, as drawn by appearance.SIZE
ACTION = "seals.seal.use"


def _invalid(message: str, code: str, field: str = "pdf") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def may_use(principal: Principal, seal: Seal) -> bool:
    """Staff of the seal's organization holding 用章 permission, or that organization's own
    system (a machine client of the organization with the scope seals:use)."""
    if principal.kind == "staff":
        return principal.has_perm(USE) and principal.organization_id == seal.organization_id
    if principal.kind == "machine":
        return principal.has_scope(USE_SCOPE) and principal.organization_id == seal.organization_id
    if principal.kind == "system":  # pdf_seal_official: the platform acting for the department
        return principal.organization_id == seal.organization_id
    return False


def _writer(pdf: bytes):
    """An incremental writer over the PDF, or a ValidationFailed saying what is wrong."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    if not isinstance(pdf, bytes | bytearray) or not pdf:
        raise _invalid("请上传 PDF 文件", "seals/pdf_missing")
    if len(pdf) > MAX_PDF_BYTES:
        raise _invalid("文件超过 20 MB，不能签章", "seals/pdf_too_large")
    if b"%PDF-" not in bytes(pdf[:1024]):
        raise _invalid("上传的文件不是 PDF", "seals/pdf_invalid")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(pdf)), strict=False)
        encrypted = writer.prev.encrypted
        pages = int(writer.prev.root["/Pages"]["/Count"])
    except Exception:  # any parser failure means the same to the user: unreadable
        raise _invalid("PDF 文件已损坏或无法解析", "seals/pdf_invalid") from None
    if encrypted:
        raise _invalid("不支持加密的 PDF，请先取消密码保护", "seals/pdf_encrypted")
    if pages < 1:
        raise _invalid("PDF 文件没有页面", "seals/pdf_invalid")
    return writer, pages


def _page_box(writer, page: int) -> tuple[float, float, float, float]:
    """The page's MediaBox (inherited from the page tree when the page has none)."""
    node = writer.prev.find_page_for_modification(page)[0].get_object()
    for _depth in range(32):
        if "/MediaBox" in node:
            x1, y1, x2, y2 = (float(v) for v in node["/MediaBox"])
            return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
        if "/Parent" not in node:
            break
        node = node["/Parent"]
    return 0.0, 0.0, 595.0, 842.0  # A4, what a page without a MediaBox is taken to be


def _placement(
    writer, pages: int, page: int, box: tuple[int, int, int, int] | None
) -> tuple[int, tuple[int, int, int, int]]:
    if page < 0:
        page = pages + page
    if not 0 <= page < pages:
        raise _invalid(f"页码超出范围（共 {pages} 页）", "seals/page_invalid", "page")
    try:
        left, bottom, right, top = _page_box(writer, page)
    except Exception:  # a broken page tree: fall back to A4, pyHanko refuses it if unusable
        left, bottom, right, top = 0.0, 0.0, 595.0, 842.0
    if box is None:
        # bottom right, where a seal goes on a Chinese official document
        x2 = int(right - 56)
        y1 = int(bottom + 72)
        return page, (x2 - STAMP_SIZE, y1, x2, y1 + STAMP_SIZE)
    try:
        x1, y1, x2, y2 = (int(v) for v in box)
    except (TypeError, ValueError):
        raise _invalid("签章位置应为四个整数：左、下、右、上", "seals/box_invalid", "box") from None
    if not (left <= x1 < x2 <= right and bottom <= y1 < y2 <= top):
        raise _invalid("签章位置超出页面范围", "seals/box_invalid", "box")
    if not (40 <= x2 - x1 <= 300 and 40 <= y2 - y1 <= 300):
        raise _invalid("签章大小应在 40 至 300 磅之间", "seals/box_invalid", "box")
    return page, (x1, y1, x2, y2)


def _material(seal: Seal):
    from .pades import SealMaterial

    root, tsa = pki.authorities_ensure()
    return SealMaterial(
        key_id=seal.key_id,
        certificate_der=bytes(seal.certificate_der),
        root_der=bytes(root.certificate_der),
        tsa_key_id=tsa.key_id,
        tsa_certificate_der=bytes(tsa.certificate_der),
        appearance_pdf=seal_pdf(
            organization_name=seal.organization.name,
            bottom_text="" if seal.kind == SealKind.OFFICIAL else SealKind(seal.kind).label,
            code=seal.organization.code,
        ),
        signer_name=seal.name,
    )


def pdf_seal(
    *,
    principal: Principal,
    seal_id: int,
    pdf: bytes,
    reason: str,
    location: str = "广东省",
    page: int = 0,
    box: tuple[int, int, int, int] | None = None,
    file_name: str = "document.pdf",
) -> bytes:
    """The PDF with a visible PAdES B-T seal signature appended (incremental update)."""
    object_id = str(seal_id)
    if not principal.is_authenticated:
        raise refuse(principal, ACTION, object_id, Unauthenticated())
    seal = Seal.objects.select_related("organization").filter(pk=seal_id).first()
    if seal is None:
        raise refuse(principal, ACTION, object_id, NotFound("电子印章不存在"))
    if not may_use(principal, seal):
        raise refuse(
            principal,
            ACTION,
            object_id,
            PermissionDenied("只有本单位的用章人员或本单位的系统可以使用该印章"),
        )
    file_name = os.path.basename((file_name or "").replace("\\", "/"))[:200] or "document.pdf"
    try:
        if seal.status != SealStatus.ACTIVE:
            raise Conflict(
                f"电子印章“{seal.name}”{seal.get_status_display()}，不能用章",
                code=f"seals/seal_{seal.status}",
            )
        if seal.valid_until is None or seal.valid_until <= timezone.now():
            raise Conflict("印章证书已过期，不能用章", code="seals/certificate_expired")
        reason = (reason or "").strip()
        if not reason:
            raise _invalid("请填写用章事由", "seals/reason_required", "reason")
        writer, pages = _writer(pdf)
        page, box = _placement(writer, pages, page, box)
        sealed = _sign(
            writer, seal, reason=reason[:200], location=(location or "")[:100], page=page, box=box
        )
    except DomainError as error:
        raise refuse(principal, ACTION, object_id, error) from None
    with transaction.atomic():
        locked = (
            Seal.objects.select_for_update()
            .filter(pk=seal.pk)
            .values_list("status", flat=True)
            .first()
        )
        if locked != SealStatus.ACTIVE:  # suspended while we were signing: discard
            raise Conflict("电子印章刚被暂停或注销，不能用章", code="seals/seal_not_active")
        use = SealUse.objects.create(
            seal=seal,
            document_sm3=crypto.digest(bytes(pdf)).hex(),
            sealed_sm3=crypto.digest(sealed).hex(),
            file_name=file_name,
            actor=principal.actor,
            actor_label=principal.label,
            purpose=reason[:300],
        )
        audit(
            principal,
            ACTION,
            object_id,
            detail={
                "use_id": use.pk,
                "file_name": file_name,
                "document_sm3": use.document_sm3,
                "sealed_sm3": use.sealed_sm3,
                "purpose": use.purpose,
            },
        )
        event_publish(
            topic="seals.seal.used",
            payload={
                "seal_id": seal.pk,
                "use_id": use.pk,
                "organization_code": seal.organization.code,
                "document_sm3": use.document_sm3,
            },
        )
    return sealed


def _sign(writer, seal: Seal, *, reason: str, location: str, page: int, box) -> bytes:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.general import SigningError

    from .pades import pdf_sign

    try:
        return pdf_sign(
            writer=writer,
            material=_material(seal),
            reason=reason,
            location=location,
            page=page,
            box=box,
        )
    except (PdfError, SigningError, KeyError, ValueError) as error:
        raise _invalid(f"无法在该 PDF 上签章：{error}", "seals/pdf_unsignable") from None
    except DomainError:
        raise
    except Exception:  # a malformed file must never crash the caller: log it, refuse it
        log.exception("sealing failed for seal %s", seal.pk)
        raise _invalid("无法在该 PDF 上签章：文件结构异常", "seals/pdf_unsignable") from None


def timestamp_respond(*, query: bytes) -> bytes:
    """An RFC 3161 TimeStampResp (DER) for a TimeStampReq (DER) from the platform TSA; a
    malformed request gets a "rejection" response, as the RFC says (never an exception)."""
    from asn1crypto import core, tsp

    from .pades import timestamper_for

    root, tsa = pki.authorities_ensure()
    try:
        request = tsp.TimeStampReq.load(bytes(query))
        request.native  # noqa: B018 (parse it all now: asn1crypto parses lazily)
        if request["version"].native != "v1":
            raise ValueError("version")
        stamper = timestamper_for(
            tsa_key_id=tsa.key_id,
            tsa_der=bytes(tsa.certificate_der),
            root_der=bytes(root.certificate_der),
        )
        return stamper.request_tsa_response(request).dump()
    except (ValueError, TypeError, KeyError):
        # TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }:
        # asn1crypto's schema makes the token mandatory, so wrap the status by hand
        status = tsp.PKIStatusInfo(
            {"status": "rejection", "fail_info": tsp.PKIFailureInfo({"bad_data_format"})}
        ).dump()
        return core.Sequence.load(b"\x30" + _der_length(len(status)) + status).dump()


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def pdf_seal_official(
    *, organization_id: int, pdf: bytes, reason: str, file_name: str = "document.pdf"
) -> bytes | None:
    """For the platform's own documents of a department (a license it issued, downloaded by
    its holder): seal with the department's active official seal (单位公章), acting as the
    department's system. None when the department has no active official seal, so the
    caller serves the document unsealed rather than failing."""
    seal_id = (
        Seal.objects.filter(
            organization_id=organization_id,
            kind=SealKind.OFFICIAL,
            status=SealStatus.ACTIVE,
            valid_until__gt=timezone.now(),
        )
        .values_list("pk", flat=True)
        .first()
    )
    if seal_id is None:
        return None
    system = Principal(
        kind="system", id="document-sealing", label="平台制发文书", organization_id=organization_id
    )
    return pdf_seal(principal=system, seal_id=seal_id, pdf=pdf, reason=reason, file_name=file_name)


def public_throttle(*, principal: Principal, service: str) -> None:
    """The public verify and time-stamp endpoints: a per-caller allowance per minute
    (`DIGIGOV_SEALS_PUBLIC_RATE_PER_MINUTE`, 0 = off), so neither becomes a free signing or
    PDF-parsing service for floods. The first refusal of a window is audited."""
    from django.conf import settings

    limit = int(getattr(settings, "DIGIGOV_SEALS_PUBLIC_RATE_PER_MINUTE", 60))
    throttle_check(
        bucket=f"seals:{service}:{caller_key(principal)}",
        limit=limit,
        error=Throttled("请求过于频繁，请一分钟后再试", code="seals/throttled"),
        on_first_refusal=lambda: audit(
            principal,
            f"seals.{service}",
            "",
            outcome="denied",
            detail={"reason": "throttled", "limit_per_minute": limit},
        ),
    )
