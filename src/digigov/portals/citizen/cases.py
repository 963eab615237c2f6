"""粤省事 办件: apply (for oneself or an authorising relative), my cases, one case with its
timeline, withdraw and correction. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.apps.services.selectors.applications import cases_mine
from digigov.apps.services.selectors.prefill import form_prefill
from digigov.apps.services.selectors.relatives import relative_applicant, relatives_for_apply
from digigov.apps.services.services.applications import (
    item_resolve,
)
from digigov.kernel.errors import DomainError
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

from .views import PORTAL, citizen_required

refusals = case_page_errors(PORTAL)


def for_whom(request: HttpRequest, principal) -> tuple[str, str, str, int]:
    """(relative's ID number or "", pick-list choice, error, status) of an apply POST. The
    pick-list sends a delegation id, resolved here; the typed ID number (and the form's
    applicant_id_number of that path) is checked by form_prefill and the services."""
    if request.method != "POST":
        return "", "", "", 200
    choice = request.POST.get("relative", "").strip()
    if choice:
        try:
            return relative_applicant(principal=principal, choice=choice), choice, "", 200
        except DomainError as error:
            return "", "", error.message, 403
    if request.POST.get("action") == "relative":
        typed = request.POST.get("relative_id_number", "").strip().upper()
        if not typed:
            return "", "", "请选择要代为办理的亲友，或输入亲友的公民身份号码", 422
        return typed, "", "", 200
    return request.POST.get("applicant_id_number", "").strip().upper(), "", "", 200


def for_whom_context(principal, applicant_id: str, choice: str, relative_error: str) -> dict:
    """What citizen/_for_whom.html and the apply form's hidden fields need."""
    relatives = relatives_for_apply(principal=principal)
    if choice:  # the form carries the delegation id, never the relative's ID number
        hidden = {"relative": choice}
    else:
        hidden = {"applicant_id_number": applicant_id} if applicant_id else {}
    return {
        "applicant_hidden": hidden,
        "on_behalf_id": applicant_id,
        "on_behalf": next((r for r in relatives if r.value == choice), None),
        "relative_choice": choice,
        "relatives": relatives,
        "relative_error": relative_error,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@refusals
def apply(request: HttpRequest, item_code: str) -> HttpResponse:
    principal = request_principal(request)
    item = item_resolve(item_code=item_code, region_code=principal.region_code)
    version = item.published
    applicant_id, choice, relative_error, status = for_whom(request, principal)
    result = None
    if applicant_id == principal.person_id_number:
        applicant_id, choice = "", ""
    try:
        prefill = form_prefill(
            principal=principal, item_version=version, applicant_id_number=applicant_id or None
        )
    except DomainError as error:
        relative_error, applicant_id, choice, status = error.message, "", "", 403
        prefill = form_prefill(principal=principal, item_version=version)
    if request.method == "POST" and request.POST.get("action") == "submit" and not relative_error:
        result = apply_post(
            request,
            principal=principal,
            item=item,
            channel="online",
            applicant_id_number=applicant_id or None,
        )
        if result.application is not None:
            messages.success(request, f"申请已提交，办件编号 {result.application.number}。")
            return redirect("citizen:case", number=result.application.number)
        status = 422
    context = apply_context(
        item=item,
        prefill=prefill,
        holder_kind="person",
        holder_key=applicant_id or principal.person_id_number,
        values=result.values if result else None,
        errors=result.errors if result else None,
        chosen_licenses=result.chosen_licenses if result else None,
        commitment_text=commitment_text_of(version),
    )
    return render(
        request,
        "citizen/apply.html",
        {
            **PORTAL,
            **context,
            **for_whom_context(principal, applicant_id, choice, relative_error),
            "nav": "cases",
            "page_title": f"申办：{version.name}",
            "action": request.path,
            "error_message": result.message if result else "",
            "subject_mismatch": version.subject_kind == "entity",
        },
        status=status,
    )


@require_safe
@citizen_required
def cases(request: HttpRequest) -> HttpResponse:
    page = cases_mine(principal=request_principal(request), page=page_number(request), page_size=20)
    return render(
        request,
        "citizen/cases.html",
        {**PORTAL, "nav": "cases", "page_title": "我的办件", "page": page},
    )


def _case_page(request: HttpRequest, number: str, *, errors=None, values=None, status=200):
    context = case_page_context(
        principal=request_principal(request), number=number, errors=errors, values=values
    )
    case = context["case"]
    return render(
        request,
        "citizen/case.html",
        {
            **PORTAL,
            **context,
            "can_act": case.role in ("applicant", "filer") and not case.is_closed,
        },
        status=status,
    )


@require_safe
@citizen_required
@refusals
def case(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, number)


@require_POST
@citizen_required
@refusals
def case_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case_withdraw_submit(request, principal=request_principal(request), number=number)
    return redirect("citizen:case", number=number)


@require_POST
@citizen_required
@refusals
def case_correct(request: HttpRequest, number: str) -> HttpResponse:
    corrected, errors, values = case_correct_submit(
        request, principal=request_principal(request), number=number
    )
    if corrected:
        messages.success(request, "补正材料已提交。")
        return redirect("citizen:case", number=number)
    return _case_page(request, number, errors=errors, values=values, status=422)
