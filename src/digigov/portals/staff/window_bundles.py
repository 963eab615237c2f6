"""粤政易 · 综合窗口受理一件事: the window clerk chooses a bundle, identifies the applicant by
ID number or USCC (they must be in the registries, as for one item), fills the merged
prefilled form, attaches the materials once and files the bundle on the applicant's
behalf (channel "window", the clerk as filer); the result lists the component cases.
Same permission as the single-item window flow. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from digigov.apps.services.selectors.bundles import (
    bundle_application_get,
    bundle_applications_received,
    bundle_form,
    bundle_search,
)
from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.errors import DomainError, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal
from digigov.portals.web.bundles import bundle_apply_context, bundle_apply_post, result_rows
from digigov.portals.web.forms_schema import case_page_errors

from .views import PORTAL, staff_required
from .window import RECEIVE, _refused

refusals = case_page_errors(PORTAL)


def _identify_errors(bundle, id_number: str, uscc: str) -> list[str]:
    if bundle is None:
        return ["请选择要受理的一件事"]
    if bundle.subject_kind == "entity" and not uscc:
        return ["该一件事的服务对象为法人，请填写申请单位统一社会信用代码"]
    if bundle.subject_kind == "person" and uscc:
        return ["该一件事的服务对象为自然人，请不要填写统一社会信用代码"]
    if uscc:
        if entity_brief(uscc=uscc) is None:
            return ["基础库中没有该统一社会信用代码的记录"]
        if id_number and person_brief(id_number=id_number) is None:
            return ["基础库中没有该经办人公民身份号码的记录"]
        return []
    if not id_number or person_brief(id_number=id_number) is None:
        return ["请填写基础库中存在的申请人公民身份号码"]
    return []


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def window_bundles(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not principal.has_perm(RECEIVE):
        return _refused(request, "您没有窗口收件权限（需“窗口受理人员”角色）。")
    data = request.POST if request.method == "POST" else request.GET
    bundles = bundle_search()
    bundle_code = data.get("bundle_code", "").strip()
    bundle = next((b for b in bundles if b.code == bundle_code), None)
    id_number = data.get("applicant_id_number", "").strip().upper()
    uscc = data.get("applicant_uscc", "").strip().upper()
    context = {
        **PORTAL,
        "nav": "window",
        "page_title": "综合窗口受理一件事",
        "bundles": bundles,
        "bundle_code": bundle_code,
        "applicant_id_number": id_number,
        "applicant_uscc": uscc,
        "identify_errors": [],
    }
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST" and action in ("identify", "submit"):
        context["identify_errors"] = _identify_errors(bundle, id_number, uscc)
        if context["identify_errors"]:
            status = 422
        else:
            try:
                detail = bundle_form(
                    principal=principal,
                    bundle_code=bundle.code,
                    applicant_id_number=id_number or None,
                    applicant_uscc=uscc or None,
                )
            except (PermissionDenied, Unauthenticated) as error:
                return _refused(request, error.message)
            except DomainError as error:
                context["identify_errors"] = [error.message]
                detail = None
                status = 422
            if detail is not None:
                result = None
                if action == "submit":
                    result = bundle_apply_post(
                        request,
                        principal=principal,
                        detail=detail,
                        applicant_id_number=id_number or None,
                        applicant_uscc=uscc or None,
                        channel="window",
                    )
                    if result.bundle_application is not None:
                        number = result.bundle_application.number
                        messages.success(request, f"已受理一件事，编号 {number}。")
                        return redirect("staff:window_bundle", number=number)
                    status = 422
                context.update(
                    bundle_apply_context(
                        detail=detail,
                        holder_kind="entity" if uscc else "person",
                        holder_key=uscc or id_number,
                        result=result,
                    )
                )
                context.update(
                    {
                        "action": request.path,
                        "submit_label": "确认受理（一次提交各事项）",
                        "applicant_hidden": {
                            "action": "submit",
                            "bundle_code": bundle.code,
                            "applicant_id_number": id_number,
                            "applicant_uscc": uscc,
                        },
                    }
                )
    context["received"] = bundle_applications_received(principal=principal)
    return render(request, "staff/window_bundles.html", context, status=status)


@require_safe
@staff_required
@refusals
def window_bundle(request: HttpRequest, number: str) -> HttpResponse:
    principal = request_principal(request)
    view = bundle_application_get(principal=principal, number=number)
    return render(
        request,
        "staff/window_bundle.html",
        {
            **PORTAL,
            "nav": "window",
            "page_title": f"一件事 {view.number}",
            "view": view,
            "rows": result_rows(principal=principal, view=view),
            "case_url": "/staff/window/cases/",
        },
    )
