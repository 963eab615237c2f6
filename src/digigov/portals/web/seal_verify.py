"""广东政务服务网 · 签章文件验证 (/verify/pdf/): anyone uploads a sealed PDF and sees, per
seal, 有效 / 无效 / 签章后被修改, which seal of which organization sealed it and when (the
platform TSA's trusted time). No login; every check is audited by the seals selector."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import DomainError
from digigov.kernel.principals import request_principal
from digigov.support.seals.selectors.verification import MAX_PDF_BYTES, pdf_verify
from digigov.support.seals.services.sealing import public_throttle

from .views import PORTAL

TONES = {"valid": ("good", "✔"), "modified": ("bad", "✖"), "invalid": ("bad", "✖")}


@require_http_methods(["GET", "HEAD", "POST"])
def seal_verify(request: HttpRequest) -> HttpResponse:
    context = {
        **PORTAL,
        "page_title": "签章文件验证",
        "max_megabytes": MAX_PDF_BYTES // (1024 * 1024),
    }
    if request.method != "POST":
        return render(request, "web/seal_verify/form.html", context)
    upload = request.FILES.get("file")
    try:
        public_throttle(principal=request_principal(request), service="verify")
        if upload is None:
            raise DomainError("请选择要验证的 PDF 文件", code="seals/pdf_missing")
        if upload.size > MAX_PDF_BYTES:
            raise DomainError(f"文件超过 {context['max_megabytes']} MB", code="seals/pdf_too_large")
        pdf = upload.read()
        reports = pdf_verify(pdf=pdf, principal=request_principal(request))
    except DomainError as error:
        return render(
            request,
            "web/seal_verify/form.html",
            {**context, "error": error.message},
            status=error.status if error.status in (422, 429) else 422,
        )
    all_valid = bool(reports) and all(r.is_valid for r in reports)
    context.update(
        page_title="签章文件验证结果",
        file_name=(upload.name or "")[:200],
        file_sm3=crypto.digest(pdf).hex(),
        reports=[(r, *TONES.get(r.verdict, ("bad", "✖"))) for r in reports],
        all_valid=all_valid,
    )
    return render(request, "web/seal_verify/result.html", context)
