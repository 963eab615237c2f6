"""粤政易 审批工作台: the task inbox (待办/已办) and a task page with its case and the
actions (办理, 退回补正, 退回环节, 加签, 转办, 认领, 启动/结束特别程序). Thin: parse, call one
service or selector, redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from digigov.apps.services.selectors import workflow as selectors
from digigov.apps.services.selectors.special_procedure import special_procedure_state
from digigov.apps.services.services import workflow as services
from digigov.apps.services.services.clock import (
    clock_special_procedure_start,
    clock_special_procedure_stop,
)
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required


def _int(value: str, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


@require_safe
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    view = request.GET.get("view", "todo")
    context = {**PORTAL, "nav": "tasks", "page_title": "审批任务", "view": view}
    try:
        if view == "done":
            page = selectors.done_tasks(principal=principal, page=_int(request.GET.get("page")))
        else:
            page = selectors.inbox(
                principal=principal,
                mine=request.GET.get("mine") == "1",
                warning=request.GET.get("warning", ""),
                number=request.GET.get("number", "")[:40],
                page=_int(request.GET.get("page")),
            )
    except PermissionDenied as error:
        return render(request, "staff/tasks/denied.html", {**context, "error": error}, status=403)
    context.update(
        page=page,
        mine=request.GET.get("mine") == "1",
        warning=request.GET.get("warning", ""),
        number=request.GET.get("number", "")[:40],
    )
    return render(request, "staff/tasks/inbox.html", context)


@require_safe
@staff_required
def detail(request: HttpRequest, task_id: int) -> HttpResponse:
    principal = request_principal(request)
    context = {**PORTAL, "nav": "tasks", "page_title": "办理任务"}
    try:
        task = selectors.task_detail(principal=principal, task_id=task_id)
    except NotFound as error:
        return render(request, "staff/tasks/denied.html", {**context, "error": error}, status=404)
    except PermissionDenied as error:
        return render(request, "staff/tasks/denied.html", {**context, "error": error}, status=403)
    special = special_procedure_state(principal=principal, number=task.task.number)
    return render(request, "staff/tasks/detail.html", {**context, "d": task, "special": special})


def _act(request: HttpRequest, task_id: int, call, success: str) -> HttpResponse:
    try:
        call(request_principal(request))
    except DomainError as error:
        text = error.message
        if error.fields:
            text += "：" + "；".join(m for msgs in error.fields.values() for m in msgs)
        messages.error(request, text)
    else:
        messages.success(request, success)
    return redirect("staff:task", task_id=task_id)


@require_POST
@staff_required
def complete(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request,
        task_id,
        lambda p: services.task_complete(
            principal=p,
            task_id=task_id,
            outcome=request.POST.get("outcome", ""),
            comment=request.POST.get("comment", ""),
        ),
        "已办理。",
    )


@require_POST
@staff_required
def return_for_correction(request: HttpRequest, task_id: int) -> HttpResponse:
    items = [line for line in request.POST.get("items", "").splitlines() if line.strip()]
    return _act(
        request,
        task_id,
        lambda p: services.task_return_for_correction(
            principal=p, task_id=task_id, comment=request.POST.get("comment", ""), items=items
        ),
        "已退回申请人补正，办理时限暂停计算。",
    )


@require_POST
@staff_required
def send_back(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request,
        task_id,
        lambda p: services.task_send_back(
            principal=p,
            task_id=task_id,
            to_step=request.POST.get("to_step", ""),
            comment=request.POST.get("comment", ""),
        ),
        "已退回到所选环节。",
    )


@require_POST
@staff_required
def cosign(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request,
        task_id,
        lambda p: services.task_add_cosigner(
            principal=p,
            task_id=task_id,
            account_id=_int(request.POST.get("account_id"), 0),
            comment=request.POST.get("comment", ""),
        ),
        "已加签，待加签人员签署意见后方可办结本环节。",
    )


@require_POST
@staff_required
def reassign(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request,
        task_id,
        lambda p: services.task_reassign(
            principal=p,
            task_id=task_id,
            account_id=_int(request.POST.get("account_id"), 0),
            comment=request.POST.get("comment", ""),
        ),
        "已转办。",
    )


@require_POST
@staff_required
def claim(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(
        request,
        task_id,
        lambda p: services.task_claim(principal=p, task_id=task_id),
        "已认领。",
    )


def _case_number(request: HttpRequest, task_id: int) -> str:
    """The case of a task the principal may see (task_get refuses, audited, otherwise)."""
    return selectors.task_get(
        principal=request_principal(request), task_id=task_id
    ).application.number


@require_POST
@staff_required
def special_procedure_start(request: HttpRequest, task_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        task_id,
        lambda p: clock_special_procedure_start(
            principal=p, number=_case_number(request, task_id), reason=reason
        ),
        "已启动特别程序，办结时限暂停计算；特别程序所需时间不计入办理时限。",
    )


@require_POST
@staff_required
def special_procedure_stop(request: HttpRequest, task_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        task_id,
        lambda p: clock_special_procedure_stop(
            principal=p, number=_case_number(request, task_id), reason=reason
        ),
        "特别程序已结束，办结期限已按暂停的工作日顺延。",
    )
