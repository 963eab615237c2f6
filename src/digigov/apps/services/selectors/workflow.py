"""The staff task inbox (待办), done tasks (已办) and a task with its case, as the handling
staff may see them. Only staff of the task's organization with a handling permission see
a task; refusals are audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import staff_holding_role, staff_roles

from ..constants import MATERIAL_SOURCES
from ..models import Application, ApplicationMaterial, CaseEvent, CaseTask, WorkflowCase
from ..workflow_engine.registry import workflow_engine

HANDLE = "services.handle_application"
RECEIVE = "services.receive_application"
# The permission a task's role must carry for its holder to act (besides holding the role).
ROLE_PERMISSIONS: dict[str, str] = {"窗口受理人员": RECEIVE, "审批人员": HANDLE}
PAGE_SIZE = 20
T = CaseTask.Status


@dataclass(frozen=True)
class TaskRow:
    id: int
    label: str
    step: str
    status: str
    status_label: str
    number: str
    item_name: str
    applicant_name: str
    organization_name: str
    role: str
    assignee_name: str
    is_mine: bool
    is_cosign: bool
    is_waiting: bool  # the case waits for the applicant's correction
    application_status: str
    application_status_label: str
    warning: str
    warning_label: str
    deadline: dt.date | None
    opened_at: dt.datetime
    completed_at: dt.datetime | None
    outcome: str


@dataclass(frozen=True)
class TaskPage:
    rows: list[TaskRow]
    total: int
    page: int
    pages: int
    page_size: int


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class TaskDetail:
    task: TaskRow
    can_act: bool
    refusal: str
    is_four_eyes_blocked: bool
    outcomes: list[Choice]
    send_back_steps: list[Choice]
    colleagues: list[Choice]  # reassign / co-sign choices (account id, name)
    cosigns: list[TaskRow]
    history: list[TaskRow]  # every task of the case
    form: list[tuple[str, Any]]  # (title, value)
    materials: list[dict[str, str]]
    timeline: list[dict[str, Any]]
    correction_items: list[str] = field(default_factory=list)
    application_id: int = 0
    process_id: str = ""
    comment_hint: str = ""


def _deny(principal: Principal, action: str, object_id: str, reason: str) -> PermissionDenied:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type="services.task",
        object_id=object_id,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )
    return PermissionDenied("无权查看或办理该任务", code="services/not_your_task")


def _staff_check(principal: Principal, action: str, object_id: str = "") -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if (
        principal.kind != "staff"
        or not principal.organization_id
        or not principal.id.isdigit()
        or not (principal.has_perm(HANDLE) or principal.has_perm(RECEIVE))
    ):
        raise _deny(principal, action, object_id, "not_a_handler")


def task_refusal(
    *, principal: Principal, task: CaseTask, roles: frozenset[str] | None = None
) -> str:
    """Why the principal may not act on the task ("" if they may): same organization, the
    role's permission, the role itself, and once assigned only the assignee."""
    if principal.kind != "staff" or not principal.id.isdigit():
        return "not_staff"
    if principal.organization_id != task.organization_id:
        return "other_organization"
    if not principal.has_perm(ROLE_PERMISSIONS.get(task.role, HANDLE)):
        return "no_permission"
    if task.assignee_id is not None:
        return "" if str(task.assignee_id) == principal.id else "assigned_to_other"
    if roles is None:
        roles = staff_roles(account_id=int(principal.id))
    if task.role not in roles:
        return "no_role"
    return ""


def task_row(task: CaseTask, me: str) -> TaskRow:
    application = task.application
    return TaskRow(
        id=task.pk,
        label=task.label,
        step=task.spec_name,
        status=task.status,
        status_label=T(task.status).label,
        number=application.number,
        item_name=application.item_version.name,
        applicant_name=application.applicant_name,
        organization_name=task.organization.name,
        role=task.role,
        assignee_name=task.assignee.display_name if task.assignee_id else "",
        is_mine=str(task.assignee_id) == me,
        is_cosign=task.co_signer_of_id is not None,
        is_waiting=application.status == Application.Status.CORRECTION,
        application_status=application.status,
        application_status_label=Application.Status(application.status).label,
        warning=application.warning,
        warning_label=Application.Warning(application.warning).label,
        deadline=application.deadline,
        opened_at=task.opened_at,
        completed_at=task.completed_at,
        outcome=task.outcome,
    )


def _page(query, *, me: str, page: int, page_size: int) -> TaskPage:
    page_size = max(1, min(page_size, 100))
    total = query.count()
    pages = max(1, -(-total // page_size))
    page = max(1, min(page, pages))
    start = (page - 1) * page_size
    rows = [task_row(t, me) for t in query[start : start + page_size]]
    return TaskPage(rows=rows, total=total, page=page, pages=pages, page_size=page_size)


def _related(query):
    return query.select_related("application__item_version", "organization", "assignee")


def inbox(
    *,
    principal: Principal,
    mine: bool = False,
    step: str = "",
    warning: str = "",
    number: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> TaskPage:
    """Open tasks I may work: unassigned ones of my organization and roles, and those
    assigned to me (first), then red and yellow warnings, then oldest first."""
    _staff_check(principal, "services.task.inbox")
    roles = staff_roles(account_id=int(principal.id))
    me = int(principal.id)
    query = CaseTask.objects.filter(status=T.OPEN).filter(
        Q(assignee_id=me)
        | Q(organization_id=principal.organization_id, role__in=roles, assignee__isnull=True)
    )
    if mine:
        query = query.filter(assignee_id=me)
    if step:
        query = query.filter(spec_name=step)
    if warning in ("red", "yellow"):
        query = query.filter(application__warning=warning)
    if number:
        query = query.filter(application__number__startswith=number.strip())
    query = _related(query).order_by(
        Case(When(assignee_id=me, then=Value(0)), default=Value(1), output_field=IntegerField()),
        Case(
            When(application__warning="red", then=Value(0)),
            When(application__warning="yellow", then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        "opened_at",
        "pk",
    )
    return _page(query, me=principal.id, page=page, page_size=page_size)


def done_tasks(*, principal: Principal, page: int = 1, page_size: int = PAGE_SIZE) -> TaskPage:
    """Tasks I completed (已办), newest first."""
    _staff_check(principal, "services.task.done")
    query = _related(
        CaseTask.objects.filter(status=T.DONE, completed_by_id=int(principal.id))
    ).order_by("-completed_at", "-pk")
    return _page(query, me=principal.id, page=page, page_size=page_size)


def task_get(*, principal: Principal, task_id: int) -> CaseTask:
    """The task if the principal is staff of its organization with a handling permission."""
    _staff_check(principal, "services.task.view", str(task_id))
    task = _related(CaseTask.objects.filter(pk=task_id)).first()
    if task is None:
        raise NotFound("任务不存在", code="services/task_not_found")
    if task.organization_id != principal.organization_id:
        raise _deny(principal, "services.task.view", str(task_id), "other_organization")
    return task


def task_detail(*, principal: Principal, task_id: int) -> TaskDetail:
    """A task with its case (form, materials, full timeline incl. internal entries) and
    what the principal may do with it."""
    task = task_get(principal=principal, task_id=task_id)
    application = task.application
    me = principal.id
    roles = staff_roles(account_id=int(me))
    refusal = task_refusal(principal=principal, task=task, roles=roles)
    if task.status != T.OPEN:
        refusal = refusal or "closed"
    case = WorkflowCase.objects.filter(application=application).only("process_id").first()
    process_id = case.process_id if case else ""
    steps = {s.name: s for s in workflow_engine().steps(process_id)} if process_id else {}
    step = steps.get(task.spec_name)
    history_tasks = list(
        _related(CaseTask.objects.filter(application=application)).order_by("opened_at", "pk")
    )
    history = [task_row(t, me) for t in history_tasks]
    if task.co_signer_of_id is not None:
        outcomes = [Choice("agree", "同意"), Choice("disagree", "不同意")]
    else:
        outcomes = [Choice(v, label) for v, label in (step.outcomes() if step else [])]
    distinct = {
        n.strip() for n in (step.properties.get("distinct_from", "") if step else "").split(",")
    }
    distinct.discard("")
    four_eyes = any(
        t.spec_name in distinct and t.status == T.DONE and str(t.completed_by_id) == me
        for t in history_tasks
    )
    passed: dict[str, str] = {}
    for t in history_tasks:
        if t.status == T.DONE and t.co_signer_of_id is None and t.spec_name != task.spec_name:
            passed[t.spec_name] = t.label
    colleagues = [
        Choice(str(b.account_id), b.display_name)
        for b in staff_holding_role(organization_id=task.organization_id, role=task.role)
        if str(b.account_id) != me
    ]
    schema = application.item_version.form_schema or {}
    titles = {k: (v or {}).get("title", k) for k, v in (schema.get("properties") or {}).items()}
    form = [(titles.get(k, k), v) for k, v in (application.form_data or {}).items()]
    materials = [
        {
            "code": m.material_code,
            "name": m.material_name,
            "source": MATERIAL_SOURCES.get(m.source, m.source),
            "file": m.original_name,
            "license_address": m.license_address,
            "content_type": m.content_type,
        }
        for m in ApplicationMaterial.objects.filter(application=application).order_by("pk")
    ]
    events = list(CaseEvent.objects.filter(application=application).order_by("at", "id"))
    timeline = [
        {
            "at": e.at,
            "kind": e.kind,
            "label": e.label,
            "actor": e.actor_label,
            "organization": e.organization_name,
            "is_public": e.is_public,
        }
        for e in events
    ]
    correction = next((e for e in reversed(events) if e.kind == "correction"), None)
    return TaskDetail(
        task=task_row(task, me),
        can_act=refusal == "",
        refusal=refusal,
        is_four_eyes_blocked=four_eyes,
        outcomes=outcomes,
        send_back_steps=[Choice(k, v) for k, v in passed.items()],
        colleagues=colleagues,
        cosigns=[
            row
            for row, t in zip(history, history_tasks, strict=True)
            if t.co_signer_of_id == task.pk
        ],
        history=[row for row in history if not row.is_cosign],
        form=form,
        materials=materials,
        timeline=timeline,
        correction_items=list((correction.detail or {}).get("items", [])) if correction else [],
        application_id=application.pk,
        process_id=process_id,
    )
