"""粤政易 · 电子印章: the organization's seals (status, certificate validity, uses), the
application form (印章管理员), approve or refuse (印章审批人员, never one's own application),
suspend / resume / revoke with a reason, 用章 (upload a PDF, choose the seal and the reason,
download the sealed PDF) and the use log. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal
from digigov.support.seals.models import SealKind
from digigov.support.seals.selectors.seals import (
    APPLY,
    seal_choices_for_use,
    seal_detail,
    seal_uses_for,
    seals_for,
)
from digigov.support.seals.services import lifecycle
from digigov.support.seals.services.sealing import MAX_PDF_BYTES, pdf_seal

from .views import PORTAL, staff_required

NAV = {**PORTAL, "nav": "seals"}


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _error_text(error: DomainError) -> str:
    text = error.message
    details = [m for msgs in error.fields.values() for m in msgs if m != error.message]
    return text + ("：" + "；".join(details) if details else "")


@require_safe
@staff_required
def seal_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        seals = seals_for(principal=principal)
        uses = seal_uses_for(principal=principal, limit=20)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **NAV,
        "page_title": "电子印章",
        "seals": seals,
        "waiting": [s for s in seals if s.can_decide],
        "uses": uses,
        "can_apply": principal.has_perm(APPLY),
        "can_use": any(s.can_use for s in seals),
        "kinds": SealKind.choices,
    }
    return render(request, "staff/seals/list.html", context)


@require_safe
@staff_required
def seal_page(request: HttpRequest, seal_id: int) -> HttpResponse:
    principal = request_principal(request)
    try:
        detail = seal_detail(principal=principal, seal_id=seal_id)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound:
        messages.error(request, "电子印章不存在或不属于本单位。")
        return redirect("staff:seals")
    context = {**NAV, "page_title": detail.seal.name, "d": detail, "seal": detail.seal}
    return render(request, "staff/seals/detail.html", context)


@require_POST
@staff_required
def seal_apply(request: HttpRequest) -> HttpResponse:
    try:
        seal = lifecycle.seal_apply(
            principal=request_principal(request),
            kind=request.POST.get("kind", ""),
            purpose_note=request.POST.get("purpose_note", ""),
        )
    except DomainError as error:
        messages.error(request, f"未能提交申请：{_error_text(error)}")
        return redirect("staff:seals")
    messages.success(request, f"已提交“{seal.name}”的制章申请，待印章审批人员审批。")
    return redirect("staff:seal", seal_id=seal.pk)


@require_POST
@staff_required
def seal_decide(request: HttpRequest, seal_id: int) -> HttpResponse:
    principal = request_principal(request)
    decision = request.POST.get("decision")
    note = request.POST.get("note", "")
    try:
        if decision == "approve":
            lifecycle.seal_approve(principal=principal, seal_id=seal_id, note=note)
            messages.success(request, "已批准：印章已启用，签发了印章证书。")
        elif decision == "refuse":
            lifecycle.seal_refuse(principal=principal, seal_id=seal_id, note=note)
            messages.success(request, "已驳回该申请。")
        else:
            messages.error(request, "请选择批准或驳回。")
    except DomainError as error:
        messages.error(request, f"未能完成审批：{_error_text(error)}")
    return redirect("staff:seal", seal_id=seal_id)


_MANAGE = {
    "suspend": (lifecycle.seal_suspend, "印章已暂停，暂停期间不能用章。"),
    "resume": (lifecycle.seal_resume, "印章已恢复启用。"),
    "revoke": (lifecycle.seal_revoke, "印章已注销；此前签章的文件仍可验证。"),
}


@require_POST
@staff_required
def seal_status(request: HttpRequest, seal_id: int) -> HttpResponse:
    action = _MANAGE.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "请选择要执行的操作。")
        return redirect("staff:seal", seal_id=seal_id)
    command, success = action
    try:
        command(
            principal=request_principal(request),
            seal_id=seal_id,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        messages.error(request, f"未能完成操作：{_error_text(error)}")
    else:
        messages.success(request, success)
    return redirect("staff:seal", seal_id=seal_id)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def seal_use(request: HttpRequest) -> HttpResponse:
    """用章: the form, and on POST the sealed PDF as a download (or the form with the error)."""
    principal = request_principal(request)
    try:
        choices = seal_choices_for_use(principal=principal)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    error_text, status = "", 200
    values = {"seal_id": request.GET.get("seal", ""), "reason": "", "page": "1"}
    if request.method == "POST":
        values = {
            "seal_id": request.POST.get("seal_id", ""),
            "reason": request.POST.get("reason", "")[:200],
            "page": request.POST.get("page", "1"),
        }
        upload = request.FILES.get("pdf")
        try:
            if upload is None:
                raise DomainError("请选择要签章的 PDF 文件", code="seals/pdf_missing")
            if upload.size > MAX_PDF_BYTES:
                raise DomainError("文件超过 20 MB，不能签章", code="seals/pdf_too_large")
            page = _int(values["page"], 1)
            sealed = pdf_seal(
                principal=principal,
                seal_id=_int(values["seal_id"]),
                pdf=upload.read(),
                reason=values["reason"],
                page=page - 1 if page > 0 else page,
                file_name=upload.name or "document.pdf",
            )
        except DomainError as error:
            error_text = _error_text(error)
            status = error.status if error.status in (403, 404, 409) else 422
        else:
            stem = (upload.name or "document.pdf").rsplit(".", 1)[0][:80]
            response = HttpResponse(sealed, content_type="application/pdf")
            response["Content-Disposition"] = (
                f"attachment; filename*=UTF-8''{quote(stem + '-已签章.pdf', safe='')}"
            )
            response["X-Content-Type-Options"] = "nosniff"
            return response
    context = {
        **NAV,
        "page_title": "用章",
        "choices": choices,
        "values": values,
        "error": error_text,
        "max_mb": MAX_PDF_BYTES // (1024 * 1024),
    }
    return render(request, "staff/seals/use.html", context, status=status)
