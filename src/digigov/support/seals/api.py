"""/api/v1/seals: 电子印章. Thin: parse, call one service or selector, render.

GET the caller's organization's seals (staff session or a machine client with seals:use),
POST a PDF to seal it (that organization's 用章人员 or system), POST a PDF to verify it
(public), and the platform's RFC 3161 time-stamping authority."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router
from ninja.files import UploadedFile

from digigov.kernel.api.auth import require_scope
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import ValidationFailed
from digigov.kernel.principals import request_principal

from .schemas import CoverageOut, SealOut, VerifyOut
from .selectors.seals import seal_coverage, seals_for
from .selectors.verification import MAX_PDF_BYTES, pdf_verify
from .services.sealing import pdf_seal, public_throttle, timestamp_respond

router = Router(tags=["电子印章"])
USE = "seals:use"


def _pdf_bytes(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > MAX_PDF_BYTES:
        raise ValidationFailed(
            "文件超过 20 MB", code="seals/pdf_too_large", fields={"file": ["文件超过 20 MB"]}
        )
    return file.read()


@router.get("", response=list[SealOut], summary="本单位的电子印章（含状态、证书有效期、用章次数）")
def seal_list(request: HttpRequest, status: str = ""):
    principal = require_scope(request, USE)
    return [asdict(row) for row in seals_for(principal=principal, status=status)]


@router.get("/coverage", response=CoverageOut, summary="电子印章覆盖率（指标 18）", auth=None)
def coverage(request: HttpRequest, region_code: str = ""):
    return asdict(seal_coverage(region_code=region_code or None))


@router.post(
    "/verify",
    response=VerifyOut,
    auth=None,
    summary="验证已签章的 PDF：有效、无效或签章后被修改（公开）",
)
def verify(request: HttpRequest, file: File[UploadedFile]):
    public_throttle(principal=request_principal(request), service="verify")
    pdf = _pdf_bytes(file)
    reports = pdf_verify(pdf=pdf, principal=request_principal(request))
    return {
        "file_sm3": crypto.digest(pdf).hex(),
        "signatures": [asdict(r) for r in reports],
        "is_valid": bool(reports) and all(r.is_valid for r in reports),
    }


@router.post(
    "/tsa",
    auth=None,
    summary="时间戳服务（RFC 3161）：application/timestamp-query → application/timestamp-reply",
    response={200: None},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/timestamp-query": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
def tsa(request: HttpRequest):
    public_throttle(principal=request_principal(request), service="tsa")
    if request.content_type != "application/timestamp-query":
        raise ValidationFailed(
            "请求类型应为 application/timestamp-query", code="seals/tsa_content_type"
        )
    if len(request.body) > 16 * 1024:
        raise ValidationFailed("时间戳请求过大", code="seals/tsa_request_too_large")
    return HttpResponse(
        timestamp_respond(query=request.body), content_type="application/timestamp-reply"
    )


@router.post(
    "/{seal_id}/seal",
    summary="对 PDF 文件签章（PAdES B-T，带印章外观与时间戳），返回签章后的 PDF",
    response={200: None},
)
def seal(
    request: HttpRequest,
    seal_id: int,
    file: File[UploadedFile],
    reason: Form[str],
    location: Form[str] = "广东省",
    page: Form[int] = 0,
):
    principal = require_scope(request, USE)
    sealed = pdf_seal(
        principal=principal,
        seal_id=seal_id,
        pdf=_pdf_bytes(file),
        reason=reason,
        location=location,
        page=page,
        file_name=file.name or "document.pdf",
    )
    name = (file.name or "document.pdf").rsplit(".", 1)[0][:80] + "-sealed.pdf"
    response = HttpResponse(sealed, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
