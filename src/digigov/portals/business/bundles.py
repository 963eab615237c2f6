"""粤商通 一件事: the enterprise chooses the entity it acts for, fills one prefilled form,
gives the materials once, and sees each department's decision in one result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.apps.services.selectors.bundles import (
    bundle_application_get,
    bundle_application_withdrawable,
    bundle_applications_mine,
    bundle_form,
)
from digigov.kernel.principals import request_principal
from digigov.portals.web.bundles import (
    bundle_apply_context,
    bundle_apply_post,
    bundle_withdraw_submit,
    result_rows,
)
from digigov.portals.web.forms_schema import case_page_errors
from digigov.support.identity.selectors import entity_bindings_for

from .views import PORTAL, enterprise_required

refusals = case_page_errors(PORTAL)


@require_http_methods(["GET", "HEAD", "POST"])
@enterprise_required
@refusals
def apply(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    entities = [b for b in entity_bindings_for(principal=principal) if b.is_active]
    usccs = [b.uscc for b in entities]
    uscc = (request.POST.get("applicant_uscc") or request.GET.get("uscc") or "").strip().upper()
    if uscc not in usccs:
        uscc = usccs[0] if usccs else ""
    if not uscc:
        messages.error(request, "请先绑定企业，再办理企业一件事。")
        return redirect("business:bind")
    detail = bundle_form(principal=principal, bundle_code=code, applicant_uscc=uscc)
    result, status = None, 200
    if request.method == "POST":
        result = bundle_apply_post(request, principal=principal, detail=detail, applicant_uscc=uscc)
        if result.bundle_application is not None:
            messages.success(
                request, f"一件事申请已提交，编号 {result.bundle_application.number}。"
            )
            return redirect("business:bundle_application", number=result.bundle_application.number)
        status = 422
    context = bundle_apply_context(
        detail=detail, holder_kind="entity", holder_key=uscc, result=result
    )
    return render(
        request,
        "business/bundles/apply.html",
        {
            **PORTAL,
            **context,
            "nav": "bundles",
            "page_title": f"申办：{detail.summary.name}",
            "action": request.path,
            "applicant_hidden": {"applicant_uscc": uscc},
            "entities": entities,
            "uscc": uscc,
        },
        status=status,
    )


@require_safe
@enterprise_required
def applications(request: HttpRequest) -> HttpResponse:
    views = bundle_applications_mine(principal=request_principal(request))
    return render(
        request,
        "business/bundles/list.html",
        {**PORTAL, "nav": "bundles", "page_title": "企业一件事", "views": views},
    )


@require_safe
@enterprise_required
@refusals
def application(request: HttpRequest, number: str) -> HttpResponse:
    principal = request_principal(request)
    view = bundle_application_get(principal=principal, number=number)
    return render(
        request,
        "business/bundles/result.html",
        {
            **PORTAL,
            "nav": "bundles",
            "page_title": view.bundle_name,
            "view": view,
            "rows": result_rows(principal=principal, view=view),
            "case_url": "/business/cases/",
            "can_withdraw": bundle_application_withdrawable(principal=principal, number=number),
        },
    )


@require_POST
@enterprise_required
@refusals
def application_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    bundle_withdraw_submit(request, principal=request_principal(request), number=number)
    return redirect("business:bundle_application", number=number)
