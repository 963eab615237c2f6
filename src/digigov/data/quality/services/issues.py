"""Working on quality issues: the owning department's staff mark an issue resolved (fixed
at the source; the next run reopens it as a new issue if the row still fails), ignore it
with a reason (a known exception: runs keep it ignored while it recurs), or reopen it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import Conflict, NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import QualityIssue
from ..selectors.access import ISSUES, quality_scope, refuse

State = QualityIssue.State
# action -> (states it applies to, the new state, whether a note is required)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "resolve": ((State.OPEN,), State.RESOLVED, False),
    "ignore": ((State.OPEN,), State.IGNORED, True),
    "reopen": ((State.IGNORED, State.RESOLVED), State.OPEN, False),
}
LABELS = {"resolve": "标记为已解决", "ignore": "忽略", "reopen": "重新打开"}


def quality_issue_transition(
    *, principal: Principal, issue_id: int, action: str, note: str = ""
) -> QualityIssue:
    if action not in TRANSITIONS:
        raise ValidationFailed("操作无效", fields={"action": ["应为 resolve、ignore 或 reopen"]})
    issue = QualityIssue.objects.select_related("organization").filter(pk=issue_id).first()
    if issue is None:
        raise NotFound("质量问题不存在", code="quality_issue_unknown")
    scope = quality_scope(principal=principal, purpose=ISSUES, action=f"quality.issue.{action}")
    if not scope.covers(issue.organization):
        refuse(
            principal,
            action=f"quality.issue.{action}",
            object_type="quality.issue",
            object_id=str(issue.pk),
            reason="只能处理本单位的数据质量问题",
        )
    sources, target, needs_note = TRANSITIONS[action]
    note = (note or "").strip()
    if needs_note and not note:
        raise ValidationFailed("忽略问题须说明理由", fields={"note": ["请说明理由"]})
    if len(note) > 300:
        raise ValidationFailed("说明至多 300 个字", fields={"note": ["至多 300 个字"]})
    with transaction.atomic():
        locked = QualityIssue.objects.select_for_update().get(pk=issue.pk)
        if locked.state not in sources:
            raise Conflict(
                f"该问题当前为“{locked.get_state_display()}”，不能{LABELS[action]}",
                code="quality_issue_state",
            )
        if (
            target == State.OPEN
            and QualityIssue.objects.filter(
                rule_id=locked.rule_id,
                row_ref=locked.row_ref,
                state__in=(State.OPEN, State.IGNORED),
            )
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise Conflict("同一记录的该问题已在处理中", code="quality_issue_duplicate")
        before = locked.state
        locked.state = target
        locked.note = note
        locked.handled_by = principal.actor
        locked.handled_at = timezone.now()
        locked.save(update_fields=["state", "note", "handled_by", "handled_at"])
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action=f"quality.issue.{action}",
            object_type="quality.issue",
            object_id=str(locked.pk),
            source_address=principal.source_address,
            detail={"from": before, "to": target, "note": note},
        )
        event_publish(
            topic=f"quality.issue.{target}",
            payload={
                "issue_id": locked.pk,
                "resource_id": locked.resource_id,
                "organization_id": locked.organization_id,
                "actor": principal.actor,
            },
        )
    return locked
