"""粤政易 · 事项审核: versions of service items waiting for review, each shown as a diff
against the published version, published (four-eyes) or returned with a comment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from digigov.apps.services.selectors.items import item_review_get, items_in_review
from digigov.apps.services.services.items import item_publish, item_reject
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": "items", "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


@require_safe
@staff_required
def review_list(request: HttpRequest) -> HttpResponse:
    try:
        versions = items_in_review(principal=request_principal(request))
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {**PORTAL, "nav": "items", "page_title": "事项审核", "versions": versions}
    return render(request, "staff/items/list.html", context)


@require_safe
@staff_required
def review_detail(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    try:
        item, draft, diff = item_review_get(principal=principal, code=code)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound:
        messages.error(request, "事项不存在。")
        return redirect("staff:items")
    context = {
        **PORTAL,
        "nav": "items",
        "page_title": f"审核：{draft.name if draft else item.code}",
        "item": item,
        "draft": draft,
        "diff": diff,
        "is_own_draft": draft is not None and draft.created_by == principal.actor,
    }
    return render(request, "staff/items/detail.html", context)


@require_POST
@staff_required
def review_decide(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    decision = request.POST.get("decision")
    try:
        if decision == "publish":
            item_publish(principal=principal, code=code)
        elif decision == "reject":
            item_reject(principal=principal, code=code, comment=request.POST.get("comment", ""))
        else:
            messages.error(request, "请选择发布或退回。")
            return redirect("staff:item_review", code=code)
    except (PermissionDenied, Unauthenticated) as error:
        messages.error(request, error.message)
        return redirect("staff:item_review", code=code)
    except DomainError as error:
        messages.error(request, f"未能完成审核：{error.message}")
        return redirect("staff:item_review", code=code)
    messages.success(request, "已发布新版本。" if decision == "publish" else "已退回起草人修改。")
    return redirect("staff:items")
