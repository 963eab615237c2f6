"""/api/v1/services/tasks: the staff task inbox and case operations. Thin: parse, call one
service or selector, render. Who may act is decided (and refusals audited) below."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from ..schemas.tasks import (
    TaskAccountIn,
    TaskActionOut,
    TaskCompleteIn,
    TaskDetailOut,
    TaskPageOut,
    TaskReturnIn,
    TaskSendBackIn,
)
from ..selectors import workflow as selectors
from ..services import workflow as services

router = Router()


class InboxFilter(Schema):
    mine: bool = False
    step: str = ""
    warning: str = ""
    number: str = ""
    page: int = 1
    page_size: int = 20


def _page_out(page: selectors.TaskPage) -> dict:
    return {
        "items": page.rows,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "page_size": page.page_size,
    }


def _action_out(request: HttpRequest, task_id: int, opened=()) -> dict:
    task = selectors.task_get(principal=request.principal, task_id=task_id)
    rows = [selectors.task_row(t, request.principal.id) for t in opened]
    return {"task": selectors.task_row(task, request.principal.id), "opened": rows}


@router.get("", response=TaskPageOut, summary="待办任务（本机构、本人角色，指定给我的优先）")
def task_inbox(request: HttpRequest, filters: Query[InboxFilter]):
    return _page_out(selectors.inbox(principal=request.principal, **filters.dict()))


@router.get("/done", response=TaskPageOut, summary="已办任务")
def task_done(request: HttpRequest, page: int = 1):
    return _page_out(selectors.done_tasks(principal=request.principal, page=page))


@router.get("/{task_id}", response=TaskDetailOut, summary="任务详情（含办件、材料和全部进度）")
def task_get(request: HttpRequest, task_id: int):
    detail = selectors.task_detail(principal=request.principal, task_id=task_id)
    return {
        **detail.__dict__,
        "form": [{"title": title, "value": value} for title, value in detail.form],
    }


@router.post("/{task_id}/complete", response=TaskActionOut, summary="办理（选择办理结果）")
def task_complete(request: HttpRequest, task_id: int, payload: TaskCompleteIn):
    services.task_complete(
        principal=request.principal,
        task_id=task_id,
        outcome=payload.outcome,
        comment=payload.comment,
    )
    return _action_out(request, task_id)


@router.post("/{task_id}/return", response=TaskActionOut, summary="退回补正")
def task_return(request: HttpRequest, task_id: int, payload: TaskReturnIn):
    services.task_return_for_correction(
        principal=request.principal, task_id=task_id, comment=payload.comment, items=payload.items
    )
    return _action_out(request, task_id)


@router.post("/{task_id}/send-back", response=TaskActionOut, summary="退回到已办理的环节")
def task_send_back(request: HttpRequest, task_id: int, payload: TaskSendBackIn):
    opened = services.task_send_back(
        principal=request.principal,
        task_id=task_id,
        to_step=payload.to_step,
        comment=payload.comment,
    )
    return _action_out(request, task_id, opened)


@router.post("/{task_id}/cosign", response=TaskActionOut, summary="加签")
def task_cosign(request: HttpRequest, task_id: int, payload: TaskAccountIn):
    cosign = services.task_add_cosigner(
        principal=request.principal,
        task_id=task_id,
        account_id=payload.account_id,
        comment=payload.comment,
    )
    return _action_out(request, task_id, [cosign])


@router.post("/{task_id}/reassign", response=TaskActionOut, summary="转办")
def task_reassign(request: HttpRequest, task_id: int, payload: TaskAccountIn):
    services.task_reassign(
        principal=request.principal,
        task_id=task_id,
        account_id=payload.account_id,
        comment=payload.comment,
    )
    return _action_out(request, task_id)


@router.post("/{task_id}/claim", response=TaskActionOut, summary="认领")
def task_claim(request: HttpRequest, task_id: int):
    services.task_claim(principal=request.principal, task_id=task_id)
    return _action_out(request, task_id)
