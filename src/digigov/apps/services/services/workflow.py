"""流程审批: cases handled through a BPMN process (workflow_engine), and the operations
government users of workflow engines need, each audited with a timeline entry.

- workflow_start: called by application_submit inside its transaction; opens the first
  human tasks (CaseTask rows: the staff inbox).
- task_complete: the 受理 step (stage=accept) accepts the case; the end event reached
  decides it (approved / rejected / not_accepted), through case_transition.
- task_return_for_correction (退回补正): the case waits for the applicant (clock paused);
  application_correct moves it back and calls workflow_correction_done.
- workflow_cancel: the applicant withdrew; open tasks are cancelled.
- task_send_back (退回到指定环节), task_add_cosigner (加签), task_reassign (转办), task_claim.

Who may act on a task: staff of the task's organization holding the task's role and its
permission (and, once assigned, only the assignee). A refusal is audited outside any
transaction and changes nothing. Four-eyes: whoever completed a step named in the
step's `distinct_from` may not complete it.

Persistence: the engine state lives in WorkflowCase.state; every write bumps `revision`
with a compare-and-set, so two handlers acting on one case at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import staff_holding_role, totp_enrolment_needed

from ..models import Application, CaseTask, WorkflowCase
from ..selectors.workflow import task_refusal
from ..workflow_engine.base import HumanTask, StepNotReached, UnknownProcess, UnknownTask
from ..workflow_engine.registry import workflow_engine
from .cases import case_record, case_transition

S = Application.Status
T = CaseTask.Status

RESULTS = {"approved": S.APPROVED, "rejected": S.REJECTED, "not_accepted": S.NOT_ACCEPTED}
COSIGN_OUTCOMES = {"agree": "同意", "disagree": "不同意"}
COMMENT_MAX = 2000


# --- helpers --------------------------------------------------------------------------------


def _region_chain(code: str) -> list[str]:
    """The region and its ancestors by code (county 440103 -> 440100 -> 440000)."""
    chain = [code]
    for parent in (code[:6], code[:4] + "00", code[:2] + "0000"):
        if len(code) >= 6 and parent not in chain:
            chain.append(parent)
    return chain


def _organizations(application: Application, tasks: Iterable[HumanTask]) -> dict[str, Organization]:
    """line -> organization of that line nearest the handling region ("" = the item's)."""
    lines = {t.properties.get("line", "") for t in tasks} - {""}
    found: dict[str, Organization] = {"": application.handling_organization}
    if not lines:
        return found
    chain = _region_chain(application.handling_region_id)
    codes = [f"{region}-{line}" for line in lines for region in chain]
    by_code = {o.code: o for o in Organization.objects.filter(code__in=codes)}
    for line in lines:
        for region in chain:
            organization = by_code.get(f"{region}-{line}")
            if organization is not None:
                found[line] = organization
                break
        else:
            raise ValidationFailed(
                f"办理地没有“{line}”条线的部门，无法分派任务", code="services/no_department"
            )
    return found


def _deny(principal: Principal, action: str, object_id: str, reason: str, message: str):
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
    code = "services/four_eyes" if reason == "four_eyes" else "services/not_your_task"
    return PermissionDenied(message, code=code)


def _task_get(task_id: int) -> CaseTask:
    task = (
        CaseTask.objects.select_related(
            "application__item",
            "application__item_version",
            "application__handling_organization",
            "organization",
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound("任务不存在", code="services/task_not_found")
    return task


def _actor_task(principal: Principal, task_id: int, action: str) -> CaseTask:
    """The task if the principal may act on it; else an audited refusal."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    task = _task_get(task_id)
    reason = task_refusal(principal=principal, task=task)
    if reason:
        raise _deny(principal, action, str(task.pk), reason, "无权办理该任务")
    return task


def _open_check(task: CaseTask) -> None:
    if task.status != T.OPEN:
        raise Conflict("该任务已办结或已取消", code="services/task_closed")
    if task.application.is_closed:
        raise Conflict("办件已办结或已撤回", code="services/application_closed")


def _not_waiting(task: CaseTask) -> None:
    if task.application.status == S.CORRECTION:
        raise Conflict("办件正在等待申请人补正", code="services/waiting_for_correction")


def _comment(comment: str, *, required: bool = False) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise ValidationFailed("请填写办理意见", fields={"comment": ["请填写办理意见"]})
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed(
            f"办理意见不能超过 {COMMENT_MAX} 字", fields={"comment": ["内容过长"]}
        )
    return comment


def _step(process_id: str, name: str):
    for step in workflow_engine().steps(process_id):
        if step.name == name:
            return step
    return None


def _load(application: Application) -> tuple[WorkflowCase, Any]:
    case = WorkflowCase.objects.filter(application=application).first()
    if case is None:
        raise NotFound("办件没有审批流程", code="services/no_workflow")
    return case, workflow_engine().deserialize(case.process_id, case.state)


def _save(case: WorkflowCase, instance: Any) -> None:
    """Compare-and-set on the revision: a concurrent write makes this one fail."""
    engine = workflow_engine()
    updated = WorkflowCase.objects.filter(pk=case.pk, revision=case.revision).update(
        state=engine.serialize(instance),
        revision=case.revision + 1,
        is_completed=engine.is_completed(instance),
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise Conflict("办件已被他人处理，请刷新后重试", code="services/workflow_conflict")
    case.revision += 1


def _sync(
    *,
    application: Application,
    instance: Any,
    principal: Principal,
    assign_to: dict[str, int] | None = None,
) -> list[CaseTask]:
    """Make the open CaseTasks match the engine's ready human tasks: new ones are opened
    (and announced on the timeline), vanished ones cancelled."""
    ready = workflow_engine().ready_tasks(instance)
    open_rows = list(
        CaseTask.objects.filter(
            application=application, status=T.OPEN, co_signer_of__isnull=True
        ).exclude(task_ref="")
    )
    ready_refs = {t.ref for t in ready}
    gone = [row.pk for row in open_rows if row.task_ref not in ready_refs]
    if gone:
        now = timezone.now()
        CaseTask.objects.filter(pk__in=gone).update(status=T.CANCELLED, completed_at=now)
        CaseTask.objects.filter(co_signer_of_id__in=gone, status=T.OPEN).update(
            status=T.CANCELLED, completed_at=now
        )
    known = {row.task_ref for row in open_rows}
    new = [t for t in ready if t.ref not in known]
    if not new:
        return []
    organizations = _organizations(application, new)
    rows = [
        CaseTask(
            application=application,
            spec_name=t.name,
            task_ref=t.ref,
            label=t.label,
            organization=organizations[t.properties.get("line", "")],
            role=t.properties.get("role", "审批人员"),
            assignee_id=(assign_to or {}).get(t.name),
        )
        for t in new
    ]
    CaseTask.objects.bulk_create(rows)
    names = "、".join(f"{row.organization.name}：{row.label}" for row in rows)
    case_record(
        application=application,
        principal=principal,
        kind="task_opened",
        label=f"进入环节：{names}",
        action="services.task.opened",
        organization_name=rows[0].organization.name if len(rows) == 1 else "",
        detail={"steps": [row.spec_name for row in rows]},
    )
    return rows


def _finish(*, application: Application, instance: Any, principal: Principal) -> None:
    """The process ended: the end event's result decides the case."""
    result = workflow_engine().result(instance)
    to = RESULTS.get(result)
    if to is None or application.status == to:
        return
    case_transition(
        application=application,
        to=to,
        principal=principal,
        note=application.decision_note,
        organization_name=application.handling_organization.name,
        detail={"workflow_result": result},
    )


def _locked_application(task: CaseTask) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "handling_organization")
        .get(pk=task.application_id)
    )
    task.application = application
    return application


# --- start, cancel, correction (called by the applications services) ----------------------


def workflow_start(*, application: Application, principal: Principal) -> WorkflowCase:
    """Start the item's process for a just-submitted case and open its first tasks. Runs
    inside the caller's transaction."""
    process_id = application.item_version.workflow_process or "general_approval"
    engine = workflow_engine()
    try:
        instance = engine.start(process_id, {"application_number": application.number})
    except UnknownProcess:
        raise ValidationFailed(
            f"事项配置的审批流程“{process_id}”不存在", code="services/unknown_process"
        ) from None
    with transaction.atomic():
        case = WorkflowCase.objects.create(
            application=application,
            process_id=process_id,
            state=engine.serialize(instance),
            is_completed=engine.is_completed(instance),
        )
        _sync(application=application, instance=instance, principal=principal)
    return case


def workflow_cancel(*, application: Application, principal: Principal) -> None:
    """The applicant withdrew: the process stops and open tasks are cancelled (the caller
    moves the case to withdrawn)."""
    with transaction.atomic():
        case = WorkflowCase.objects.filter(application=application).first()
        if case is None:
            return
        engine = workflow_engine()
        instance = engine.deserialize(case.process_id, case.state)
        engine.cancel(instance)
        _save(case, instance)
        cancelled = CaseTask.objects.filter(application=application, status=T.OPEN).update(
            status=T.CANCELLED, completed_at=timezone.now()
        )
        case_record(
            application=application,
            principal=principal,
            kind="workflow_cancelled",
            label="审批流程终止（申请人撤回）",
            action="services.workflow.cancelled",
            is_public=False,
            detail={"cancelled_tasks": cancelled},
        )


def workflow_correction_done(*, application: Application, principal: Principal) -> None:
    """The applicant corrected: the step that asked for it is workable again (the caller has
    already moved the case back and resumed the clock)."""
    with transaction.atomic():
        labels = list(
            CaseTask.objects.filter(
                application=application, status=T.OPEN, co_signer_of__isnull=True
            ).values_list("label", flat=True)
        )
        CaseTask.objects.filter(application=application, status=T.OPEN).update(
            opened_at=timezone.now()
        )
        case_record(
            application=application,
            principal=principal,
            kind="task_reopened",
            label=f"申请人已补正，回到环节：{'、'.join(labels) or '—'}",
            action="services.task.reopened",
            is_public=False,
            detail={"steps": labels},
        )


# --- the handler's operations ---------------------------------------------------------------


def task_complete(
    *,
    principal: Principal,
    task_id: int,
    outcome: str,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> CaseTask:
    """Complete a task with one of its step's outcomes (a co-sign task: agree/disagree)."""
    action = "services.task.complete"
    task = _actor_task(principal, task_id, action)
    _open_check(task)
    _not_waiting(task)
    comment = _comment(comment)
    if task.co_signer_of_id is not None:
        return _cosign_complete(principal=principal, task=task, outcome=outcome, comment=comment)
    application = task.application
    case = WorkflowCase.objects.only("process_id").get(application=application)
    step = _step(case.process_id, task.spec_name)
    outcomes = dict(step.outcomes()) if step else {}
    if outcome not in outcomes:
        raise ValidationFailed(
            "请选择办理结果",
            code="services/invalid_outcome",
            fields={"outcome": [f"可选：{'、'.join(outcomes.values())}"]},
        )
    distinct = {
        n.strip() for n in (step.properties.get("distinct_from", "") if step else "").split(",")
    }
    distinct.discard("")
    if (
        distinct
        and CaseTask.objects.filter(
            application=application,
            spec_name__in=distinct,
            status=T.DONE,
            completed_by_id=int(principal.id),
        ).exists()
    ):
        raise _deny(
            principal,
            action,
            str(task.pk),
            "four_eyes",
            "审查与决定不能由同一人办理（四眼原则），请由其他审批人员作出决定",
        )
    cosigns = list(task.co_signs.values_list("status", "outcome"))
    if any(status == T.OPEN for status, _ in cosigns):
        raise Conflict("尚有加签人员未签署意见", code="services/cosign_pending")
    positive = next(iter(outcomes))
    if outcome == positive and any(o == "disagree" for s, o in cosigns if s == T.DONE):
        raise Conflict("加签人员不同意，不能作出该办理结果", code="services/cosign_disagreed")
    with transaction.atomic():
        application = _locked_application(task)
        case, instance = _load(application)
        try:
            workflow_engine().complete(
                instance,
                task.task_ref,
                {**(data or {}), task.spec_name: outcome, f"{task.spec_name}_comment": comment},
            )
        except UnknownTask:
            raise Conflict("该环节已不在办理中，请刷新", code="services/task_stale") from None
        _save(case, instance)
        _task_close(task, principal=principal, outcome=outcome, comment=comment)
        case_record(
            application=application,
            principal=principal,
            kind="task_done",
            label=f"{task.label}：{outcomes[outcome]}",
            action="services.task.completed",
            organization_name=task.organization.name,
            detail={
                "task": task.pk,
                "step": task.spec_name,
                "outcome": outcome,
                "comment": comment,
            },
        )
        stage = step.properties.get("stage", "") if step else ""
        if stage == "accept" and outcome == "accepted" and application.status == S.SUBMITTED:
            case_transition(
                application=application,
                to=S.ACCEPTED,
                principal=principal,
                organization_name=task.organization.name,
            )
        if stage == "decide" and comment:
            application.decision_note = comment
            application.save(update_fields=["decision_note", "updated_at"])
        _sync(application=application, instance=instance, principal=principal)
        if workflow_engine().is_completed(instance):
            _finish(application=application, instance=instance, principal=principal)
        event_publish(
            topic="services.task.completed",
            payload={
                "task_id": task.pk,
                "number": application.number,
                "step": task.spec_name,
                "outcome": outcome,
                "organization_id": task.organization_id,
            },
        )
    return task


def _task_close(task: CaseTask, *, principal: Principal, outcome: str, comment: str) -> None:
    """Mark an open task done, once: a concurrent second completion gets a Conflict."""
    now = timezone.now()
    updated = CaseTask.objects.filter(pk=task.pk, status=T.OPEN).update(
        status=T.DONE,
        outcome=outcome,
        comment=comment,
        completed_by_id=int(principal.id),
        completed_at=now,
    )
    if updated != 1:
        raise Conflict("该任务已被办理", code="services/task_closed")
    task.status, task.outcome, task.comment = T.DONE, outcome, comment
    task.completed_by_id, task.completed_at = int(principal.id), now


def _cosign_complete(
    *, principal: Principal, task: CaseTask, outcome: str, comment: str
) -> CaseTask:
    if outcome not in COSIGN_OUTCOMES:
        raise ValidationFailed(
            "请选择同意或不同意",
            code="services/invalid_outcome",
            fields={"outcome": ["可选：同意、不同意"]},
        )
    with transaction.atomic():
        application = _locked_application(task)
        _task_close(task, principal=principal, outcome=outcome, comment=comment)
        case_record(
            application=application,
            principal=principal,
            kind="cosign_done",
            label=f"加签意见（{task.label}）：{COSIGN_OUTCOMES[outcome]}",
            action="services.task.cosigned",
            is_public=False,
            organization_name=task.organization.name,
            detail={
                "task": task.pk,
                "of": task.co_signer_of_id,
                "outcome": outcome,
                "comment": comment,
            },
        )
    return task


def task_return_for_correction(
    *, principal: Principal, task_id: int, comment: str, items: list[str]
) -> CaseTask:
    """退回补正: tell the applicant what to correct; the case waits (clock paused) and the
    step stays open until workflow_correction_done."""
    task = _actor_task(principal, task_id, "services.task.return_for_correction")
    _open_check(task)
    _not_waiting(task)
    if task.co_signer_of_id is not None:
        raise Conflict("加签任务不能退回补正", code="services/cosign_task")
    items = [str(i).strip()[:200] for i in (items or []) if str(i).strip()][:30]
    comment = _comment(comment)
    if not items:
        raise ValidationFailed(
            "请列出需要补正的内容", code="services/correction_items", fields={"items": ["至少一项"]}
        )
    with transaction.atomic():
        application = _locked_application(task)
        if application.status not in (S.SUBMITTED, S.ACCEPTED):
            raise Conflict("办件当前状态不能退回补正", code="services/invalid_transition")
        listing = "；".join(f"{n}. {item}" for n, item in enumerate(items, 1))
        case_transition(
            application=application,
            to=S.CORRECTION,
            principal=principal,
            label=f"退回补正：{listing}" + (f"（{comment}）" if comment else ""),
            organization_name=task.organization.name,
            detail={"items": items, "comment": comment, "task": task.pk, "step": task.spec_name},
        )
        event_publish(
            topic="services.task.correction_requested",
            payload={"task_id": task.pk, "number": application.number, "items": items},
        )
    return task


def task_send_back(
    *, principal: Principal, task_id: int, to_step: str, comment: str = ""
) -> list[CaseTask]:
    """退回到上一环节/指定环节: the latest passed instance of `to_step` reopens (for whoever
    completed it last); work done after it is undone."""
    task = _actor_task(principal, task_id, "services.task.send_back")
    _open_check(task)
    _not_waiting(task)
    if task.co_signer_of_id is not None:
        raise Conflict("加签任务不能退回", code="services/cosign_task")
    comment = _comment(comment, required=True)
    previous = (
        CaseTask.objects.filter(
            application_id=task.application_id,
            spec_name=to_step,
            status=T.DONE,
            co_signer_of__isnull=True,
        )
        .order_by("-completed_at", "-pk")
        .first()
    )
    if previous is None or to_step == task.spec_name:
        raise ValidationFailed(
            "只能退回到本办件已办理过的其他环节",
            code="services/invalid_step",
            fields={"to_step": ["该环节尚未办理"]},
        )
    with transaction.atomic():
        application = _locked_application(task)
        case, instance = _load(application)
        try:
            workflow_engine().reset_to(instance, to_step)
        except StepNotReached:
            raise ValidationFailed(
                "该环节已不能退回", code="services/invalid_step", fields={"to_step": ["不能退回"]}
            ) from None
        _save(case, instance)
        case_record(
            application=application,
            principal=principal,
            kind="task_sent_back",
            label=f"{task.label}退回至{previous.label}：{comment}",
            action="services.task.sent_back",
            is_public=False,
            organization_name=task.organization.name,
            detail={"task": task.pk, "from": task.spec_name, "to": to_step, "comment": comment},
        )
        rows = _sync(
            application=application,
            instance=instance,
            principal=principal,
            assign_to={to_step: previous.completed_by_id} if previous.completed_by_id else None,
        )
    return rows


def _colleague(task: CaseTask, account_id: int, field: str) -> Any:
    for brief in staff_holding_role(organization_id=task.organization_id, role=task.role):
        if brief.account_id == account_id:
            return brief
    raise ValidationFailed(
        f"只能选择本机构持有“{task.role}”角色的其他人员",
        code="services/invalid_assignee",
        fields={field: ["人员不符合要求"]},
    )


def task_add_cosigner(
    *, principal: Principal, task_id: int, account_id: int, comment: str = ""
) -> CaseTask:
    """加签: another staff member of the organization (same role) must also sign before
    the step can complete."""
    task = _actor_task(principal, task_id, "services.task.add_cosigner")
    _open_check(task)
    if task.co_signer_of_id is not None:
        raise Conflict("加签任务不能再加签", code="services/cosign_task")
    if str(account_id) == principal.id:
        raise ValidationFailed("不能为自己加签", fields={"account_id": ["请选择其他人员"]})
    brief = _colleague(task, account_id, "account_id")
    if task.co_signs.filter(assignee_id=account_id, status=T.OPEN).exists():
        raise Conflict("已向该人员加签", code="services/cosign_exists")
    comment = _comment(comment)
    with transaction.atomic():
        application = _locked_application(task)
        cosign = CaseTask.objects.create(
            application=application,
            spec_name=task.spec_name,
            label=f"{task.label}（加签）",
            organization_id=task.organization_id,
            role=task.role,
            assignee_id=account_id,
            co_signer_of=task,
            comment="",
        )
        case_record(
            application=application,
            principal=principal,
            kind="cosign_added",
            label=f"{task.label}加签：{brief.display_name}" + (f"（{comment}）" if comment else ""),
            action="services.task.cosigner_added",
            is_public=False,
            organization_name=task.organization.name,
            detail={"task": task.pk, "cosign_task": cosign.pk, "account_id": account_id},
        )
    return cosign


def task_reassign(
    *, principal: Principal, task_id: int, account_id: int, comment: str = ""
) -> CaseTask:
    """转办: hand the task to another account of the organization holding its role."""
    task = _actor_task(principal, task_id, "services.task.reassign")
    _open_check(task)
    if task.co_signer_of_id is not None:
        raise Conflict("加签任务不能转办", code="services/cosign_task")
    if str(account_id) == principal.id:
        raise ValidationFailed("不能转办给自己", fields={"account_id": ["请选择其他人员"]})
    brief = _colleague(task, account_id, "account_id")
    comment = _comment(comment)
    with transaction.atomic():
        application = _locked_application(task)
        updated = CaseTask.objects.filter(
            pk=task.pk, status=T.OPEN, assignee_id=task.assignee_id
        ).update(assignee_id=account_id)
        if updated != 1:
            raise Conflict("任务已变化，请刷新后重试", code="services/task_stale")
        task.assignee_id = account_id
        case_record(
            application=application,
            principal=principal,
            kind="task_reassigned",
            label=f"{task.label}转办给{brief.display_name}" + (f"：{comment}" if comment else ""),
            action="services.task.reassigned",
            is_public=False,
            organization_name=task.organization.name,
            detail={"task": task.pk, "account_id": account_id, "comment": comment},
        )
    return task


def task_claim(*, principal: Principal, task_id: int) -> CaseTask:
    """认领: a role holder takes an unassigned task."""
    task = _actor_task(principal, task_id, "services.task.claim")
    _open_check(task)
    if task.assignee_id is not None:
        raise Conflict("该任务已有办理人", code="services/task_assigned")
    with transaction.atomic():
        application = _locked_application(task)
        updated = CaseTask.objects.filter(pk=task.pk, status=T.OPEN, assignee__isnull=True).update(
            assignee_id=int(principal.id)
        )
        if updated != 1:
            raise Conflict("该任务已被他人认领", code="services/task_assigned")
        task.assignee_id = int(principal.id)
        case_record(
            application=application,
            principal=principal,
            kind="task_claimed",
            label=f"认领环节：{task.label}",
            action="services.task.claimed",
            is_public=False,
            organization_name=task.organization.name,
            detail={"task": task.pk},
        )
    return task


# --- demo -------------------------------------------------------------------------------------

# Demo staff for the workflow paths in Guangzhou (440100): username -> (organization, roles,
# name, role label for `digigov demo_logins`). Two 审批人员 where a step is four-eyes.
DEMO_STAFF: dict[str, tuple[str, list[str], str, str]] = {
    "gz_scjg_clerk": ("440100-scjg", ["窗口受理人员"], "陈受理", "广州市场监管 窗口受理"),
    "gz_scjg_reviewer": ("440100-scjg", ["审批人员"], "林审查", "广州市场监管 审查"),
    "gz_scjg_approver": ("440100-scjg", ["审批人员"], "黄决定", "广州市场监管 决定（四眼）"),
    "gz_xf_reviewer": ("440100-xf", ["审批人员"], "梁消防", "广州消防 安全检查"),
    "gz_cgj_reviewer": ("440100-cgj", ["审批人员"], "何城管", "广州城管 招牌审查"),
    "gz_zrzy_clerk": ("440100-zrzy", ["窗口受理人员"], "周登记", "广州不动产 受理/发证"),
    "gz_zrzy_reviewer": ("440100-zrzy", ["审批人员"], "吴审核", "广州不动产 审核"),
    "gz_zrzy_approver": ("440100-zrzy", ["审批人员"], "郑登簿", "广州不动产 登簿（四眼）"),
}
DEMO_PASSWORD = "Staff@2025"  # noqa: S105 (the documented demo password)


def workflow_demo_seed(**_options: Any) -> str:
    """Staff accounts (with TOTP devices) for the workflow demo paths. Idempotent."""
    from django.contrib.auth import get_user_model

    from digigov.support.identity import services as identity

    identity.roles_seed()
    accounts = get_user_model().objects
    made = []
    for username, (org_code, roles, name, _label) in DEMO_STAFF.items():
        organization = Organization.objects.filter(code=org_code).first()
        if organization is None:
            continue
        account = accounts.filter(username=username).first()
        if account is None:
            account = identity.staff_account_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                real_name=name,
                organization_id=organization.pk,
                roles=roles,
            )
            made.append(username)
        if totp_enrolment_needed(account_id=account.pk):
            identity.totp_device_create(account_id=account.pk)
    return f"新建 {len(made)} 个审批演示账号" if made else "已存在，未改动"
