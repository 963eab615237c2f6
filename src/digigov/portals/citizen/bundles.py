"""粤省事 一件事: one prefilled form for all the bundle's items, materials once, submit,
and the combined result with each component's decision (instant ones at once)."""

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
from digigov.kernel.errors import DomainError
from digigov.kernel.principals import request_principal
from digigov.portals.web.bundles import (
    bundle_apply_context,
    bundle_apply_post,
    bundle_withdraw_submit,
    result_rows,
)
from digigov.portals.web.forms_schema import case_page_errors

from .cases import for_whom, for_whom_context
from .views import PORTAL, citizen_required

refusals = case_page_errors(PORTAL)


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@refusals
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """For oneself, or for a relative chosen from the pick-list (代亲友办理): the form is then
    prefilled from the relative's registry record and every component case is filed for
    them, exactly as on the single-item apply page."""
    principal = request_principal(request)
    applicant_id, choice, relative_error, status = for_whom(request, principal)
    if applicant_id == principal.person_id_number:
        applicant_id, choice = "", ""
    try:
        detail = bundle_form(
            principal=principal, bundle_code=code, applicant_id_number=applicant_id or None
        )
    except DomainError as error:  # e.g. not authorised by that person (refusal audited)
        relative_error, applicant_id, choice, status = error.message, "", "", 403
        detail = bundle_form(principal=principal, bundle_code=code)
    result = None
    if request.method == "POST" and request.POST.get("action") != "relative" and not relative_error:
        result = bundle_apply_post(
            request, principal=principal, detail=detail, applicant_id_number=applicant_id or None
        )
        if result.bundle_application is not None:
            messages.success(
                request, f"一件事申请已提交，编号 {result.bundle_application.number}。"
            )
            return redirect("citizen:bundle_application", number=result.bundle_application.number)
        status = 422
    context = bundle_apply_context(
        detail=detail,
        holder_kind="person",
        holder_key=applicant_id or principal.person_id_number,
        result=result,
    )
    return render(
        request,
        "citizen/bundles/apply.html",
        {
            **PORTAL,
            **context,
            **for_whom_context(principal, applicant_id, choice, relative_error),
            "nav": "bundles",
            "page_title": f"申办：{detail.summary.name}",
            "action": request.path,
        },
        status=status,
    )


@require_safe
@citizen_required
def applications(request: HttpRequest) -> HttpResponse:
    views = bundle_applications_mine(principal=request_principal(request))
    return render(
        request,
        "citizen/bundles/list.html",
        {**PORTAL, "nav": "bundles", "page_title": "我的一件事", "views": views},
    )


@require_safe
@citizen_required
@refusals
def application(request: HttpRequest, number: str) -> HttpResponse:
    principal = request_principal(request)
    view = bundle_application_get(principal=principal, number=number)
    return render(
        request,
        "citizen/bundles/result.html",
        {
            **PORTAL,
            "nav": "bundles",
            "page_title": view.bundle_name,
            "view": view,
            "rows": result_rows(principal=principal, view=view),
            "case_url": "/citizen/cases/",
            "can_withdraw": bundle_application_withdrawable(principal=principal, number=number),
        },
    )


@require_POST
@citizen_required
@refusals
def application_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    bundle_withdraw_submit(request, principal=request_principal(request), number=number)
    return redirect("citizen:bundle_application", number=number)
