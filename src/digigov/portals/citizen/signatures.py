"""粤省事 · 电子签名: my signing key (create after re-entering the password, revoke), my
signatures and their verification, and signing a case's application form (or, for 告知承诺
items, the commitment letter) from the case page.

The step-up (password again) is remembered in the session for STEP_UP_SECONDS; the services
check its age, so a stale or forged session value only leads to another password prompt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.apps.services.selectors.access import APPLICANT, case_for
from digigov.apps.services.selectors.applications import case_detail_for
from digigov.apps.services.selectors.decisions import commitment_text_for
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied
from digigov.kernel.ids import mask_id_number, resident_id_validate
from digigov.kernel.principals import Principal, request_principal
from digigov.portals.web.forms_schema import case_page_errors, schema_fields
from digigov.support.seals.selectors.signatures import (
    signature_key_for,
    signature_verify,
    signatures_for,
)
from digigov.support.seals.services import signatures as services

from .views import PORTAL, citizen_required

SESSION_KEY = "seals_step_up_at"
CASE_REF = "services.application:{number}"
UNSIGNABLE = ("draft", "withdrawn", "not_accepted")
NAV = {**PORTAL, "nav": "signatures"}
refusals = case_page_errors(PORTAL)


def _step_up_at(request: HttpRequest) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(request.session.get(SESSION_KEY, ""))
    except (TypeError, ValueError):
        return None


def _step_up(request: HttpRequest, principal: Principal) -> dt.datetime | None:
    """A recent step-up from the session, or a new one from the posted password (raises
    the service's error when the password is wrong or throttled)."""
    at = _step_up_at(request)
    if services.step_up_is_recent(at):
        return at
    at = services.signature_step_up(principal=principal, password=request.POST.get("password", ""))
    request.session[SESSION_KEY] = at.isoformat()
    return at


def _error_text(error: DomainError) -> str:
    return error.message


@require_safe
@citizen_required
def signatures_home(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    context = {
        **NAV,
        "page_title": "电子签名",
        "key": signature_key_for(principal=principal),
        "signatures": signatures_for(principal=principal),
        "is_real_name": bool(principal.person_id_number),
        "step_up_recent": services.step_up_is_recent(_step_up_at(request)),
    }
    return render(request, "citizen/signatures/home.html", context)


@require_POST
@citizen_required
def key_create(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        at = _step_up(request, principal)
        services.signature_key_create(principal=principal, step_up_at=at)
    except DomainError as error:
        messages.error(request, f"未能创建签名密钥：{_error_text(error)}")
    else:
        messages.success(request, "已创建您的个人签名密钥（SM2），可用于签署申请表和承诺书。")
    return redirect("citizen:signatures")


@require_POST
@citizen_required
def key_revoke(request: HttpRequest) -> HttpResponse:
    try:
        services.signature_key_revoke(
            principal=request_principal(request), reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, f"未能撤销：{_error_text(error)}")
    else:
        messages.success(request, "签名密钥已撤销；此前的签名仍可验证。")
    return redirect("citizen:signatures")


@require_safe
@citizen_required
def signature_page(request: HttpRequest, signature_id: int) -> HttpResponse:
    try:
        check = signature_verify(principal=request_principal(request), signature_id=signature_id)
    except NotFound:
        messages.error(request, "电子签名不存在。")
        return redirect("citizen:signatures")
    context = {**NAV, "page_title": "电子签名验证", "check": check}
    if check.signature.object_ref.startswith("services.application:"):
        context["case_number"] = check.signature.object_ref.split(":", 1)[1]
    return render(request, "citizen/signatures/detail.html", context)


def _shown(value: Any) -> Any:
    """Form values as the page shows them: ID numbers masked (the signer's own number is
    bound to the key by its digest; the case keeps the full form)."""
    if isinstance(value, str) and len(value) == 18:
        try:
            resident_id_validate(value)
        except DomainError:
            return value
        return mask_id_number(value)
    return value


def case_document(*, principal: Principal, number: str) -> tuple[dict[str, Any], Any]:
    """What the applicant signs for a case: the item, the number, the form data (and the
    commitment text of a 告知承诺 item). Only the applicant; refusals audited by case_for."""
    application, role = case_for(principal=principal, number=number, roles=(APPLICANT,))
    case = case_detail_for(application=application, role=role)
    is_commitment = case.approval_mode == "commitment"
    document: dict[str, Any] = {
        "kind": "commitment" if is_commitment else "application",
        "caseNumber": case.number,
        "item": {"code": case.item_code, "name": case.item_name},
        "applicant": {"name": case.applicant_name, "idNumberMasked": case.applicant_id_masked},
        # what the page shows is what is signed: each field with its label and value
        "form": [
            {"field": f.name, "label": f.label, "value": _shown(case.form_data.get(f.name))}
            for f in schema_fields(case.form_schema, values=case.form_data)
            if f.name in case.form_data
        ],
        "submittedAt": case.submitted_at.isoformat() if case.submitted_at else None,
    }
    if is_commitment:
        document["commitmentText"] = commitment_text_for(item_version=application.item_version)
    return document, case


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@refusals
def sign_case(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    number = (request.GET.get("case") or request.POST.get("case") or "").strip()[:40]
    if not number:
        raise NotFound("请从办件页面发起签名", code="seals/case_missing")
    document, case = case_document(principal=principal, number=number)
    object_ref = CASE_REF.format(number=case.number)
    label = "签署承诺书" if document["kind"] == "commitment" else "签署申请表"
    if case.status in UNSIGNABLE:
        raise PermissionDenied(f"办件{case.status_label}，不能签名", code="seals/case_unsignable")
    existing = signatures_for(principal=principal, object_ref=object_ref)
    error, status = "", 200
    if request.method == "POST" and not existing:
        try:
            at = _step_up(request, principal)
            key = signature_key_for(principal=principal)
            if key is None or not key.is_active:  # first signature: the same step-up makes it
                services.signature_key_create(principal=principal, step_up_at=at)
            services.signature_create(
                principal=principal,
                object_ref=object_ref,
                document=document,
                step_up_at=at,
                title=f"{label}：{case.item_name}",
            )
        except DomainError as error_:
            error = _error_text(error_)
            status = 429 if error_.status == 429 else 422
        else:
            messages.success(request, f"已完成电子签名（{label}）。")
            return redirect("citizen:case", number=case.number)
    key = signature_key_for(principal=principal)
    context = {
        **PORTAL,
        "nav": "cases",
        "page_title": label,
        "label": label,
        "case": case,
        "document": document,
        "existing": existing[0] if existing else None,
        "needs_password": not services.step_up_is_recent(_step_up_at(request)),
        "needs_key": key is None or not key.is_active,
        "is_real_name": bool(principal.person_id_number),
        "error": error,
    }
    return render(request, "citizen/signatures/sign.html", context, status=status)
