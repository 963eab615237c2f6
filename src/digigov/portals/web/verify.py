"""广东政务服务网 · 电子证照核验: the public verification page. Anyone may verify; nobody
sees more than the outcome, the issuer, the type, the validity and the holder's masked name.
Every check is audited by the licenses service (anonymous visitors with their address)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from digigov.kernel.errors import Throttled
from digigov.kernel.principals import request_principal
from digigov.support.licenses.selectors.verification import MAX_INPUT_BYTES, VerificationResult
from digigov.support.licenses.services import verification as services

from .views import PORTAL

SOURCE_LABELS = {
    "address": "证照地址或二维码",
    "envelope": "上传的证照数据文件（JSON）",
    "pdf": "上传的证照 PDF",
    "credential": "上传的可验证凭证（VC）",
    "file": "上传的文件",
}
# Colour class and icon per outcome: good, warning (temporarily unusable), bad, unknown.
TONES = {
    "valid": ("good", "✔"),
    "suspended": ("warn", "⏸"),
    "expired": ("warn", "⌛"),
    "not_yet_valid": ("warn", "⌛"),
    "revoked": ("bad", "✖"),
    "replaced": ("bad", "↻"),
    "tampered": ("bad", "✖"),
    "unknown_key": ("bad", "?"),
    "malformed": ("unknown", "?"),
    "not_found": ("unknown", "?"),
}


def _result_page(request: HttpRequest, result: VerificationResult) -> HttpResponse:
    tone, icon = TONES.get(result.outcome, ("unknown", "?"))
    context = {
        **PORTAL,
        "page_title": f"核验结果：{result.outcome_label}",
        "result": result,
        "tone": tone,
        "icon": icon,
        "source_label": SOURCE_LABELS.get(result.source, result.source),
        "is_upload": result.source != "address",
    }
    return render(request, "web/verify/result.html", context)


def _form_page(
    request: HttpRequest, *, error: str = "", text: str = "", status: int = 200
) -> HttpResponse:
    context = {
        **PORTAL,
        "page_title": "电子证照核验",
        "error": error,
        "text": text,
        "max_megabytes": MAX_INPUT_BYTES // (1024 * 1024),
    }
    return render(request, "web/verify/form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def verify_form(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST (multipart, CSRF): an address / QR text, or a PDF or JSON file."""
    if request.method != "POST":
        return _form_page(request)
    principal = request_principal(request)
    upload = request.FILES.get("file")
    text = request.POST.get("text", "")[:500]
    try:
        if upload is not None and upload.size > MAX_INPUT_BYTES:
            result = services.license_verify_oversized(principal=principal)
        elif upload is not None:
            result = services.license_verify_file(principal=principal, content=upload.read())
        elif text.strip():
            result = services.license_verify_address(principal=principal, text=text)
        else:
            return _form_page(
                request, error="请输入证照地址、粘贴二维码内容，或选择要上传的文件", status=400
            )
    except Throttled as exc:
        return _form_page(request, error=exc.message, text=text, status=429)
    return _result_page(request, result)


@require_safe
def verify_license(request: HttpRequest, address: str) -> HttpResponse:
    """The page the QR code on a license opens."""
    try:
        result = services.license_verify_address(principal=request_principal(request), text=address)
    except Throttled as exc:
        return _form_page(request, error=exc.message, status=429)
    return _result_page(request, result)
