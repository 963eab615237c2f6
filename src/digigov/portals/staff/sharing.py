"""粤政易 · 共享交换: the needs list (需求清单) with indicator 11, a department's new request,
the owner's inbox (decide per field), and the access page (our grants both ways and who
read our data, from the exchange log). Thin: parse the form, call one service or selector,
render. Who may is decided there."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.data.catalog.selectors.resources import (
    ResourceFilters,
    resource_get,
    resource_list,
)
from digigov.data.sharing.selectors.grants import grants_for_organization
from digigov.data.sharing.selectors.log import exchange_log_for_owner
from digigov.data.sharing.selectors.requests import (
    STATE_LABELS,
    NeedsFilters,
    sharing_inbox,
    sharing_needs,
    sharing_organizations,
    sharing_satisfaction_rate,
)
from digigov.data.sharing.services.requests import (
    grant_revoke,
    sharing_request_decide,
    sharing_request_submit,
    sharing_request_withdraw,
)
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

NAV = "sharing"


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _int(value: str | None, default: int | None = 1) -> int | None:
    try:
        return max(1, int(value or ""))
    except ValueError:
        return default


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_safe
@staff_required
def needs(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    get = request.GET
    chosen = {
        "requester": get.get("requester", "").strip(),
        "owner": get.get("owner", "").strip(),
        "resource": get.get("resource", "").strip()[:60],
        "state": get.get("state", "").strip() if get.get("state") in STATE_LABELS else "",
        "from": get.get("from", "").strip()[:10],
        "to": get.get("to", "").strip()[:10],
    }
    submitted_from, submitted_to = _date(chosen["from"]), _date(chosen["to"])
    try:
        page = sharing_needs(
            principal=principal,
            filters=NeedsFilters(
                requester_id=_int(chosen["requester"], None),
                owner_id=_int(chosen["owner"], None),
                resource_code=chosen["resource"],
                state=chosen["state"],
                submitted_from=submitted_from,
                submitted_to=submitted_to,
            ),
            page=_int(get.get("page")) or 1,
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    period = None
    if submitted_from or submitted_to:
        period = (submitted_from or dt.date.min, submitted_to or dt.date.max)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "需求清单",
        "page": page,
        "chosen": chosen,
        "states": STATE_LABELS,
        "organizations": sharing_organizations(),
        "indicator": sharing_satisfaction_rate(period=period),
        "query": urlencode({k: v for k, v in chosen.items() if v}),
        "may_request": principal.has_perm("sharing.request_data"),
    }
    return render(request, "staff/sharing/needs.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def request_new(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    if not (principal.has_perm("sharing.request_data") and principal.organization_id):
        return _refused(request, PermissionDenied("只有数据共享申请人员可以申请共享数据"))
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("resource", "").strip()[:60]
    detail = None
    errors: dict[str, list[str]] = {}
    values = {
        "purpose": source.get("purpose", "").strip(),
        "legal_basis": source.get("legal_basis", "").strip(),
        "scope": source.get("scope", "").strip(),
        "period_end": source.get("period_end", "").strip(),
    }
    chosen_fields = source.getlist("fields")
    status = 200
    if code:
        try:
            detail = resource_get(principal=principal, code=code)
        except NotFound:
            errors["resource"] = ["数据资源不存在或未发布"]
    if request.method == "POST" and detail is not None:
        try:
            created = sharing_request_submit(
                principal=principal,
                resource_code=code,
                fields=chosen_fields,
                purpose=values["purpose"],
                legal_basis=values["legal_basis"],
                scope=values["scope"],
                period_end=_date(values["period_end"]) or dt.date.min,
            )
        except DomainError as error:
            errors = {**error.fields, "form": [error.message]}
            status = 422
        else:
            messages.success(request, f"已提交共享申请（{created.get_state_display()}）。")
            if created.refusal_reason:
                messages.warning(request, created.refusal_reason)
            return redirect("staff:sharing_needs")
    published = resource_list(
        principal=principal, filters=ResourceFilters(status="published"), page_size=100
    )
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "申请共享数据",
        "resources": [r for r in published.rows if r.organization_id != principal.organization_id],
        "detail": detail,
        "code": code,
        "values": values,
        "chosen_fields": chosen_fields,
        "errors": errors,
        "default_end": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
    }
    return render(request, "staff/sharing/new.html", context, status=status)


@require_POST
@staff_required
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        sharing_request_withdraw(principal=request_principal(request), request_id=request_id)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已撤回共享申请。")
    return redirect("staff:sharing_needs")


@require_safe
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        page = sharing_inbox(principal=principal, page=_int(request.GET.get("page")) or 1)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "共享审批",
        "page": page,
        "errors": {},
    }
    return render(request, "staff/sharing/inbox.html", context)


@require_POST
@staff_required
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    principal = request_principal(request)
    post = request.POST
    try:
        decided = sharing_request_decide(
            principal=principal,
            request_id=request_id,
            approved_fields=post.getlist("approved"),
            unmasked_fields=post.getlist("unmasked"),
            refusal_reason=post.get("refusal_reason", ""),
            may_export=post.get("may_export") == "on",
            valid_until=_date(post.get("valid_until")),
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except DomainError as error:
        detail = "；".join(m for ms in error.fields.values() for m in ms)
        messages.error(request, f"{error.message}：{detail}" if detail else error.message)
        return redirect("staff:sharing_inbox")
    messages.success(request, f"已审批共享申请 #{decided.pk}（{decided.get_state_display()}）。")
    return redirect("staff:sharing_inbox")


@require_safe
@staff_required
def access(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        grants = grants_for_organization(principal=principal)
        log = (
            exchange_log_for_owner(
                principal=principal,
                resource_code=request.GET.get("resource", "").strip()[:60],
                page=_int(request.GET.get("page")) or 1,
            )
            if principal.has_perm("sharing.approve_request")
            else None
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "授权与调用记录",
        "grants": grants,
        "log": log,
        "resource": request.GET.get("resource", "").strip()[:60],
    }
    return render(request, "staff/sharing/access.html", context)


@require_POST
@staff_required
def grant_revoke_view(request: HttpRequest, grant_id: int) -> HttpResponse:
    try:
        grant_revoke(
            principal=request_principal(request),
            grant_id=grant_id,
            reason=request.POST.get("reason", ""),
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已撤销共享授权，被授权单位的调用即时失效。")
    return redirect("staff:sharing_access")
