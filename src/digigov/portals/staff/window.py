"""粤政易 · 综合窗口收件 (一窗受理): find the item, identify the applicant by ID number or USCC
(they must be in the registries), fill the prefilled form, attach materials and receive the
case on the applicant's behalf; the cases this organization received. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from digigov.apps.services.selectors.applications import case_detail, cases_received
from digigov.apps.services.selectors.prefill import form_prefill
from digigov.apps.services.services.applications import item_resolve
from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.errors import DomainError, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal
from digigov.portals.web.forms_schema import (
    apply_context,
    apply_post,
    case_page_errors,
    commitment_text_of,
)

from .views import PORTAL, staff_required

RECEIVE = "services.receive_application"
refusals = case_page_errors(PORTAL)


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    context = {**PORTAL, "nav": "window", "page_title": "无权访问", "message": message}
    return render(request, "staff/refused.html", context, status=403)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def window(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not principal.has_perm(RECEIVE):
        return _refused(request, "您没有窗口收件权限（需“窗口受理人员”角色）。")
    post = request.POST
    item_code = post.get("item_code", "").strip()
    id_number = post.get("applicant_id_number", "").strip().upper()
    uscc = post.get("applicant_uscc", "").strip().upper()
    partner = post.get("received_partner", "").strip()[:60]
    context = {
        **PORTAL,
        "nav": "window",
        "page_title": "综合窗口收件",
        "item_code": item_code,
        "applicant_id_number": id_number,
        "applicant_uscc": uscc,
        "received_partner": partner,
        "identify_errors": [],
    }
    status = 200
    action = post.get("action", "")
    if request.method == "POST" and action in ("identify", "submit"):
        try:
            item = item_resolve(item_code=item_code, region_code=principal.region_code)
        except DomainError as error:
            context["identify_errors"].append(error.message)
            item = None
        if uscc and entity_brief(uscc=uscc) is None:
            context["identify_errors"].append("基础库中没有该统一社会信用代码的记录")
        elif not uscc and (not id_number or person_brief(id_number=id_number) is None):
            context["identify_errors"].append("请填写基础库中存在的申请人公民身份号码")
        if context["identify_errors"] or item is None:
            status = 422
        else:
            try:
                prefill = form_prefill(
                    principal=principal,
                    item_version=item.published,
                    applicant_id_number=id_number or None,
                    applicant_uscc=uscc or None,
                )
            except (PermissionDenied, Unauthenticated) as error:
                return _refused(request, error.message)
            result = None
            if action == "submit":
                result = apply_post(
                    request,
                    principal=principal,
                    item=item,
                    channel="window",
                    applicant_id_number=id_number or None,
                    applicant_uscc=uscc or None,
                    received_partner=partner,
                )
                if result.application is not None:
                    number = result.application.number
                    messages.success(request, f"已收件，办件编号 {number}。")
                    return redirect("staff:window_case", number=number)
                status = 422
            context.update(
                apply_context(
                    item=item,
                    prefill=prefill,
                    holder_kind="entity" if uscc else "person",
                    holder_key=uscc or id_number,
                    values=result.values if result else None,
                    errors=result.errors if result else None,
                    chosen_licenses=result.chosen_licenses if result else None,
                    commitment_text=commitment_text_of(item.published),
                )
            )
            context.update(
                {
                    "action": request.path,
                    "submit_label": "确认收件",
                    "error_message": result.message if result else "",
                    "applicant_hidden": {
                        "item_code": item.code,
                        "applicant_id_number": id_number,
                        "applicant_uscc": uscc,
                        "received_partner": partner,
                    },
                }
            )
    context["received"] = cases_received(principal=principal, page=1, page_size=20)
    return render(request, "staff/window.html", context, status=status)


@require_safe
@staff_required
@refusals
def window_case(request: HttpRequest, number: str) -> HttpResponse:
    case = case_detail(principal=request_principal(request), number=number)
    return render(
        request,
        "staff/window_case.html",
        {**PORTAL, "nav": "window", "page_title": f"办件 {case.number}", "case": case},
    )
