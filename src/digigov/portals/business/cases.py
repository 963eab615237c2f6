"""粤商通 办件: an enterprise agent applies for an entity it may act for, follows, corrects
and withdraws the entity's cases. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.apps.services.selectors.applications import cases_mine
from digigov.apps.services.selectors.prefill import form_prefill
from digigov.apps.services.services.applications import (
    item_resolve,
)
from digigov.kernel.principals import request_principal
from digigov.portals.web.case_pages import (
    case_correct_submit,
    case_page_context,
    case_withdraw_submit,
    page_number,
)
from digigov.portals.web.forms_schema import (
    apply_context,
    apply_post,
    case_page_errors,
    commitment_text_of,
)
from digigov.support.identity.selectors import entity_bindings_for

from .views import PORTAL, enterprise_required

refusals = case_page_errors(PORTAL)


@require_http_methods(["GET", "HEAD", "POST"])
@enterprise_required
@refusals
def apply(request: HttpRequest, item_code: str) -> HttpResponse:
    principal = request_principal(request)
    bindings = [b for b in entity_bindings_for(principal=principal) if b.is_active]
    uscc = (request.POST.get("applicant_uscc") or request.GET.get("uscc") or "").strip().upper()
    if not uscc and bindings:
        uscc = bindings[0].uscc
    region = principal.region_code
    item = item_resolve(item_code=item_code, region_code=region)
    version = item.published
    prefill = form_prefill(principal=principal, item_version=version, applicant_uscc=uscc or None)
    status, result = 200, None
    if request.method == "POST":
        result = apply_post(
            request, principal=principal, item=item, channel="online", applicant_uscc=uscc
        )
        if result.application is not None:
            messages.success(request, f"申请已提交，办件编号 {result.application.number}。")
            return redirect("business:case", number=result.application.number)
        status = 422
    context = apply_context(
        item=item,
        prefill=prefill,
        holder_kind="entity",
        holder_key=uscc,
        values=result.values if result else None,
        errors=result.errors if result else None,
        chosen_licenses=result.chosen_licenses if result else None,
        commitment_text=commitment_text_of(version),
    )
    return render(
        request,
        "business/apply.html",
        {
            **PORTAL,
            **context,
            "nav": "cases",
            "page_title": f"申办：{version.name}",
            "action": request.path,
            "applicant_hidden": {"applicant_uscc": uscc},
            "bindings": bindings,
            "uscc": uscc,
            "error_message": result.message if result else "",
            "subject_mismatch": version.subject_kind == "person",
        },
        status=status,
    )


@require_safe
@enterprise_required
def cases(request: HttpRequest) -> HttpResponse:
    page = cases_mine(principal=request_principal(request), page=page_number(request), page_size=20)
    return render(
        request,
        "business/cases.html",
        {**PORTAL, "nav": "cases", "page_title": "企业办件", "page": page},
    )


def _case_page(request: HttpRequest, number: str, *, errors=None, values=None, status=200):
    context = case_page_context(
        principal=request_principal(request), number=number, errors=errors, values=values
    )
    case = context["case"]
    return render(
        request,
        "business/case.html",
        {**PORTAL, **context, "can_act": case.role in ("applicant",) and not case.is_closed},
        status=status,
    )


@require_safe
@enterprise_required
@refusals
def case(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, number)


@require_POST
@enterprise_required
@refusals
def case_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case_withdraw_submit(request, principal=request_principal(request), number=number)
    return redirect("business:case", number=number)


@require_POST
@enterprise_required
@refusals
def case_correct(request: HttpRequest, number: str) -> HttpResponse:
    corrected, errors, values = case_correct_submit(
        request, principal=request_principal(request), number=number
    )
    if corrected:
        messages.success(request, "补正材料已提交。")
        return redirect("business:case", number=number)
    return _case_page(request, number, errors=errors, values=values, status=422)
