"""粤政易 · 证照管理 for 制证人员 of issuing departments: the licenses their organization issued
(search, filters, pages; holders masked), issuing a license of their line from a form made
of the type's fields, and one license with its status history and the status actions.
Thin: parse the form, call one service or selector, render. Who may is decided there."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.ids import mask_id_number
from digigov.kernel.principals import request_principal
from digigov.support.licenses.selectors.catalog import (
    issuable_types,
    license_data_prefill_for,
)
from digigov.support.licenses.selectors.licenses import (
    issued_licenses,
    license_for_issuer,
    license_history,
)
from digigov.support.licenses.selectors.status import STATUS_LABELS
from digigov.support.licenses.services import status as status_services
from digigov.support.licenses.services.issuance import license_issue

from .views import PORTAL, staff_required

NAV = "licenses"
ACTIONS = {
    "suspend": "暂停使用",
    "resume": "恢复使用",
    "revoke": "吊销/注销",
    "renew": "延续换证",
    "replace": "补发/换发",
}


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _int(value: str, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_safe
@staff_required
def license_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    chosen = {
        "q": request.GET.get("q", "").strip()[:60],
        "type": request.GET.get("type", "").strip()[:40],
        "status": request.GET.get("status", "").strip(),
    }
    if chosen["status"] not in STATUS_LABELS:
        chosen["status"] = ""
    try:
        page = issued_licenses(
            principal=principal,
            query=chosen["q"],
            type_code=chosen["type"],
            status=chosen["status"],
            page=_int(request.GET.get("page", "1")),
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "证照管理",
        "page": page,
        "chosen": chosen,
        "types": issuable_types(principal=principal),
        "statuses": STATUS_LABELS,
        "query": urlencode({k: v for k, v in chosen.items() if v}),
        "may_issue": principal.has_perm("licenses.issue_license"),
    }
    return render(request, "staff/licenses/list.html", context)


def _form_fields(license_type, values: dict, errors: dict) -> list[dict]:
    """The type's fields with what the form shows (no logic in the template)."""
    return [
        {
            **field,
            "input_id": f"f-{field['key']}",
            "value": values.get(field["key"], ""),
            "errors": errors.get(field["key"], []),
        }
        for field in license_type.fields
    ]


def _posted_data(license_type, post) -> dict:
    data = {}
    for field in license_type.fields:
        key = field["key"]
        if field.get("type") == "boolean":
            data[key] = post.get(f"data_{key}") == "on"
        else:
            value = post.get(f"data_{key}", "").strip()
            if value:
                data[key] = value
    return data


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def license_new(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    types = issuable_types(principal=principal)
    if not types:
        return _refused(
            request, PermissionDenied("只有颁发部门的制证人员可以签发证照（本部门条线无证照类型）")
        )
    by_code = {t.code: t for t in types}
    source = request.POST if request.method == "POST" else request.GET
    license_type = by_code.get(source.get("type", ""))
    holder_key = source.get("holder_key", "").strip().upper()[:18]
    values: dict = {}
    errors: dict[str, list[str]] = {}
    problem = holder_name = ""
    if license_type is not None and request.method == "POST":
        values = _posted_data(license_type, request.POST)
        try:
            license = license_issue(
                principal=principal,
                type_code=license_type.code,
                issuer_id=principal.organization_id or 0,
                holder_kind=license_type.holder_kind,
                holder_key=holder_key,
                data=values,
                valid_from=_date(request.POST.get("valid_from", "")),
                source="staff",
                source_reference=request.POST.get("reference", "").strip()[:80],
            )
        except (PermissionDenied, Unauthenticated) as error:
            return _refused(request, error)
        except DomainError as error:
            errors, problem = error.fields, error.message
        else:
            messages.success(request, f"已签发{license_type.name}，证照编号 {license.number}。")
            return redirect("staff:license", address=license.address)
    elif license_type is not None and holder_key and source.get("prefill"):
        try:
            prefill = license_data_prefill_for(
                principal=principal,
                type_code=license_type.code,
                holder_kind=license_type.holder_kind,
                holder_key=holder_key,
            )
        except DomainError as error:
            problem = error.message
        else:
            values = prefill.data
            if prefill.holder_name is None:
                problem = "基础库中没有该持证主体，请核对证件号码。"
            else:
                holder_name = prefill.holder_name
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"签发{license_type.name}" if license_type else "签发电子证照",
        "types": types,
        "license_type": license_type,
        "holder_key": holder_key,
        "holder_name": holder_name,
        "fields": _form_fields(license_type, values, errors) if license_type else [],
        "holder_errors": errors.get("holder_key", []),
        "problem": problem,
        "valid_from": request.POST.get("valid_from", ""),
        "reference": request.POST.get("reference", ""),
    }
    return render(request, "staff/licenses/new.html", context, status=422 if problem else 200)


def _shown(value, *, reveal: bool):
    """A face value as the page shows it: ID numbers and USCCs masked unless revealed."""
    text = str(value)
    if not reveal and len(text) == 18 and text[:17].isalnum() and any(c.isdigit() for c in text):
        return mask_id_number(text)
    return value


@require_safe
@staff_required
def license_detail(request: HttpRequest, address: str) -> HttpResponse:
    principal = request_principal(request)
    try:
        detail = license_for_issuer(principal=principal, address=address)
        history = license_history(principal=principal, address=address)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound:
        messages.error(request, "证照不存在。")
        return redirect("staff:licenses")
    license = detail.license
    # Masked by default; "显示完整信息" shows the ID numbers (the read itself is audited).
    reveal = request.GET.get("reveal") == "1"
    face = [
        {
            "label": field.get("label", field["key"]),
            "value": _shown(license.data.get(field["key"], ""), reveal=reveal),
        }
        for field in detail.type_fields
    ]
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": f"{license.license_type.name} {license.number}",
        "license": license,
        "detail": detail,
        "face": face,
        "holder_key": license.holder_key if reveal else mask_id_number(license.holder_key),
        "reveal": reveal,
        "history": history,
        "actions": ACTIONS,
        "today": dt.date.today().isoformat(),
        "may_manage": principal.has_perm("licenses.manage_license_status"),
    }
    return render(request, "staff/licenses/detail.html", context)


@require_POST
@staff_required
def license_action(request: HttpRequest, address: str, action: str) -> HttpResponse:
    principal = request_principal(request)
    reason = request.POST.get("reason", "")
    try:
        if action == "suspend":
            until = _date(request.POST.get("until", ""))
            if until is None:
                messages.error(request, "请填写暂停截止日期（YYYY-MM-DD）。")
                return redirect("staff:license", address=address)
            status_services.license_suspend(
                principal=principal, address=address, until=until, reason=reason
            )
        elif action == "resume":
            status_services.license_resume(principal=principal, address=address, reason=reason)
        elif action == "revoke":
            status_services.license_revoke(principal=principal, address=address, reason=reason)
        elif action == "renew":
            new = status_services.license_renew(
                principal=principal,
                address=address,
                valid_from=_date(request.POST.get("valid_from", "")),
            )
            messages.success(request, f"已延续换证，新证编号 {new.number}，原证已标记为已换发。")
            return redirect("staff:license", address=new.address)
        elif action == "replace":
            new = status_services.license_replace(
                principal=principal, address=address, reason=reason
            )
            messages.success(request, f"已补发/换发，新证编号 {new.number}，原证已标记为已换发。")
            return redirect("staff:license", address=new.address)
        else:
            messages.error(request, "未知的操作。")
            return redirect("staff:license", address=address)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound:
        messages.error(request, "证照不存在。")
        return redirect("staff:licenses")
    except DomainError as error:
        messages.error(request, f"未能{ACTIONS[action]}：{error.message}")
        return redirect("staff:license", address=address)
    messages.success(request, f"已{ACTIONS[action]}。")
    return redirect("staff:license", address=address)
