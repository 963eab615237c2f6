"""粤政易 · 差评整改: the rectification tasks opened by bad ratings of the staff member's
organization (a supervisor also sees those below), and the reply the applicant will read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from digigov.apps.services.selectors.ratings import (
    rectification_get,
    rectification_task,
    rectifications_for,
)
from digigov.apps.services.services.ratings import rectification_reply
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

LIST_LIMIT = 200
STATUSES = {"open": "待整改", "replied": "已回复", "": "全部"}


def _refused(request: HttpRequest, error: DomainError, status: int = 403) -> HttpResponse:
    context = {
        **PORTAL,
        "nav": "rectifications",
        "page_title": "无权访问",
        "message": error.message,
    }
    return render(request, "staff/refused.html", context, status=status)


@require_safe
@staff_required
def rectifications(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in STATUSES:
        status = "open"
    try:
        found = rectifications_for(principal=request_principal(request), status=status)
        tasks = [rectification_task(r) for r in found[:LIST_LIMIT]]
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": "rectifications",
        "page_title": "差评整改",
        "tasks": tasks,
        "status": status,
        "statuses": STATUSES.items(),
    }
    return render(request, "staff/rectifications/list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def rectification(request: HttpRequest, rectification_id: int) -> HttpResponse:
    principal = request_principal(request)
    reply, error_message, status = "", "", 200
    if request.method == "POST":
        reply = request.POST.get("reply", "")
        try:
            rectification_reply(principal=principal, rectification_id=rectification_id, reply=reply)
        except (PermissionDenied, Unauthenticated) as error:
            return _refused(request, error)
        except NotFound as error:
            return _refused(request, error, status=404)
        except DomainError as error:
            error_message, status = error.message, 422
        else:
            messages.success(request, "整改答复已提交，申请人可在办件页查看。")
            return redirect("staff:rectification", rectification_id=rectification_id)
    try:
        task = rectification_task(
            rectification_get(principal=principal, rectification_id=rectification_id)
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound as error:
        return _refused(request, error, status=404)
    context = {
        **PORTAL,
        "nav": "rectifications",
        "page_title": f"差评整改 {task.number}",
        "task": task,
        "can_reply": task.status == "open"
        and principal.organization_id is not None
        and principal.has_perm("services.handle_application"),
        "reply": reply,
        "error_message": error_message,
    }
    return render(request, "staff/rectifications/detail.html", context, status=status)
