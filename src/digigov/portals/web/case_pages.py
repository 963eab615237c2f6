"""What the citizen and enterprise case pages share: the case as its party sees it, the
correction form while it waits for 补正, how it was decided (秒批 rules or the signed 告知承诺)
and the 好差评 panel once it is closed; and the correction POST."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from digigov.apps.services.selectors.access import case_for
from digigov.apps.services.selectors.applications import case_detail, case_detail_for
from digigov.apps.services.selectors.decisions import decision_for
from digigov.apps.services.selectors.ratings import rating_panel_for
from digigov.apps.services.services.applications import (
    application_correct,
    application_withdraw,
    item_resolve,
)
from digigov.kernel.errors import DomainError
from digigov.kernel.principals import Principal

from .forms_schema import schema_fields, schema_values, stage_files


def page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def case_page_context(
    *, principal: Principal, number: str, errors=None, values=None
) -> dict[str, Any]:
    # one access check (refusals audited there) serves the case and both panels
    application, role = case_for(principal=principal, number=number)
    case = case_detail_for(application=application, role=role)
    context: dict[str, Any] = {
        "nav": "cases",
        "page_title": f"办件 {case.number}",
        "case": case,
        "fields": schema_fields(
            case.form_schema,
            values=values or case.form_data,
            prefilled=case.prefilled_fields,
            errors=errors,
        )
        if case.status == "correction"
        else [],
        "material_errors": {k: v for k, v in (errors or {}).items() if k.startswith("materials.")},
    }
    if case.approval_mode in ("instant", "commitment") or case.is_closed:
        context["decision"] = decision_for(application=application, role=role)
    if case.is_closed:
        context["rating_panel"] = rating_panel_for(application=application, role=role)
    return context


def case_correct_submit(
    request: HttpRequest, *, principal: Principal, number: str
) -> tuple[bool, dict, dict]:
    """(corrected, errors, values) of a 补正 POST; 401/403/404 propagate as refusals."""
    detail = case_detail(principal=principal, number=number)
    values = schema_values(detail.form_schema, request.POST)
    item = item_resolve(item_code=detail.item_code, region_code="")
    materials, errors, _chosen = stage_files(request, principal=principal, item=item)
    if errors:
        return False, errors, values
    try:
        application_correct(
            principal=principal, number=number, form_data=values, materials=materials
        )
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        return False, error.fields or {"form": [error.message]}, values
    return True, {}, values


def case_withdraw_submit(request: HttpRequest, *, principal: Principal, number: str) -> None:
    """The withdraw POST: the outcome goes to the messages; 401/403/404 propagate."""
    try:
        application_withdraw(
            principal=principal, number=number, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, "申请已撤回。")
