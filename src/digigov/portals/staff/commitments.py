"""粤政易 · 告知承诺核查: the commitment checks of cases handled by the staff member's
organization, each confirmed or found violated (with a finding)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from digigov.apps.services.selectors.decisions import commitment_checks_for
from digigov.apps.services.services.commitment import commitment_verify
from digigov.kernel.errors import DomainError, PermissionDenied
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

LIST_LIMIT = 200
STATUSES = {"pending": "待核查", "confirmed": "核查属实", "violated": "承诺不实"}


def _refused(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    context = {**PORTAL, "nav": "commitments", "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


@require_safe
@staff_required
def commitments_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    status = request.GET.get("status", "pending")
    if status not in STATUSES:
        status = "pending"
    try:
        checks = list(commitment_checks_for(principal=principal, status=status)[:LIST_LIMIT])
    except PermissionDenied as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": "commitments",
        "page_title": "告知承诺核查",
        "checks": checks,
        "status": status,
        "statuses": STATUSES.items(),
    }
    return render(request, "staff/commitments/list.html", context)


@require_POST
@staff_required
def commitment_verify_view(request: HttpRequest, check_id: int) -> HttpResponse:
    principal = request_principal(request)
    outcome = request.POST.get("outcome")
    try:
        commitment_verify(
            principal=principal,
            check_id=check_id,
            is_confirmed=outcome == "confirmed",
            finding=request.POST.get("finding", ""),
        )
    except PermissionDenied as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, f"未能保存核查结果：{error.message}")
    else:
        messages.success(request, "已记录核查结果。")
    return redirect("staff:commitments")
