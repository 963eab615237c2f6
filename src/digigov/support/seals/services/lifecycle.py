"""The seal lifecycle: apply (印章管理员) -> approve or refuse (印章审批人员 of the same
organization or its parent, never the applicant: four-eyes) -> suspend / resume -> revoke.

Each command checks the principal first and audits a refusal outside any transaction (so the
refusal entry survives the error), then changes the seal in one transaction with its status
history row, an audit entry and the event `seals.seal.<status>`."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_as
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import Seal, SealKind, SealStatus, SealStatusChange
from . import pki

APPLY = "seals.apply_seal"
APPROVE = "seals.approve_seal"
MANAGE = "seals.manage_seal"
USE = "seals.use_seal"
USE_SCOPE = "seals:use"
REASON_MAX = 300


def key_owner(seal: Seal) -> str:
    return f"seal:{seal.pk}"


def seal_name_for(organization: Organization, kind: str) -> str:
    """An official seal carries the organization's name; a special-purpose seal adds its
    purpose (广州市市场监督管理局行政审批专用章)."""
    if kind == SealKind.OFFICIAL:
        return organization.name
    return f"{organization.name}{SealKind(kind).label}"


def audit(
    principal: Principal,
    action: str,
    object_id: str,
    *,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
    object_type: str = "seals.seal",
) -> None:
    audit_as(
        principal,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        detail=detail,
    )


def refuse(
    principal: Principal,
    action: str,
    object_id: str,
    error: DomainError,
    *,
    object_type: str = "seals.seal",
) -> DomainError:
    """Audit a refusal (denied or failed) and hand back the error to raise."""
    outcome = "denied" if error.status in (401, 403, 429) else "failure"
    audit(
        principal,
        action,
        object_id,
        outcome=outcome,
        detail={"code": error.code},
        object_type=object_type,
    )
    return error


def _staff(principal: Principal, action: str, object_id: str) -> None:
    """Civil servants; also the operator's console (demo seeding), which acts for an
    organization with the permissions its principal names explicitly."""
    if not principal.is_authenticated:
        raise refuse(principal, action, object_id, Unauthenticated())
    if principal.kind not in ("staff", "operator") or not principal.organization_id:
        raise refuse(
            principal,
            action,
            object_id,
            PermissionDenied("只有公职人员可以管理电子印章", code="seals/staff_only"),
        )


def _reason(principal: Principal, action: str, object_id: str, reason: str, *, label: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise refuse(
            principal,
            action,
            object_id,
            ValidationFailed(
                f"请填写{label}",
                code="seals/reason_required",
                fields={"reason": [f"请填写{label}"]},
            ),
        )
    return reason[:REASON_MAX]


def _seal(seal_id: int, *, for_update: bool = False) -> Seal | None:
    query = Seal.objects.select_related("organization")
    if for_update:
        query = query.select_for_update(of=("self",))
    return query.filter(pk=seal_id).first()


def governs(principal: Principal, seal: Seal) -> bool:
    """Staff of the seal's organization or of its parent organization."""
    return principal.organization_id in (seal.organization_id, seal.organization.parent_id)


def _change(
    seal: Seal,
    principal: Principal,
    status: str,
    *,
    reason: str = "",
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a status change with its history row, audit entry and event (in the caller's
    transaction)."""
    now = timezone.now()
    seal.status = status
    SealStatusChange.objects.create(
        seal=seal,
        status=status,
        at=now,
        actor=principal.actor,
        actor_label=principal.label,
        reason=reason,
    )
    audit(
        principal,
        action,
        str(seal.pk),
        detail={"status": status, "name": seal.name, "reason": reason, **(detail or {})},
    )
    event_publish(
        topic=f"seals.seal.{status}",
        payload={
            "seal_id": seal.pk,
            "organization_code": seal.organization.code,
            "kind": seal.kind,
            "status": status,
        },
    )


def seal_apply(*, principal: Principal, kind: str, purpose_note: str = "") -> Seal:
    """A seal administrator applies for a seal of their own organization."""
    action = "seals.seal.apply"
    _staff(principal, action, kind)
    if not principal.has_perm(APPLY):
        raise refuse(principal, action, kind, PermissionDenied("只有印章管理员可以申请电子印章"))
    if kind not in SealKind.values:
        raise refuse(
            principal,
            action,
            kind,
            ValidationFailed(
                "印章类型无效", code="seals/kind_invalid", fields={"kind": ["请选择印章类型"]}
            ),
        )
    organization = Organization.objects.filter(pk=principal.organization_id, is_active=True).first()
    if organization is None:
        raise refuse(principal, action, kind, NotFound("所属单位不存在或已停用"))
    conflict = Conflict(
        f"本单位已有“{SealKind(kind).label}”（申请中、已启用或已暂停），不能重复申请",
        code="seals/already_exists",
    )
    if Seal.objects.filter(
        organization=organization, kind=kind, status__in=["applied", "active", "suspended"]
    ).exists():
        raise refuse(principal, action, kind, conflict)
    try:
        with transaction.atomic():
            seal = Seal.objects.create(
                organization=organization,
                kind=kind,
                name=seal_name_for(organization, kind),
                purpose_note=(purpose_note or "").strip()[:REASON_MAX],
                applied_by=principal.actor,
                applied_by_label=principal.label,
            )
            _change(seal, principal, SealStatus.APPLIED, reason=seal.purpose_note, action=action)
    except IntegrityError:  # a concurrent application for the same kind won
        raise refuse(principal, action, kind, conflict) from None
    return seal


def _decider_check(principal: Principal, action: str, seal_id: int) -> Seal:
    _staff(principal, action, str(seal_id))
    seal = _seal(seal_id)
    if seal is None:
        raise refuse(principal, action, str(seal_id), NotFound("电子印章不存在"))
    if not principal.has_perm(APPROVE) or not governs(principal, seal):
        raise refuse(
            principal,
            action,
            str(seal_id),
            PermissionDenied("只有本单位或上级单位的印章审批人员可以审批"),
        )
    return seal


def _locked_in(principal: Principal, action: str, seal_id: int, statuses: tuple[str, ...]) -> Seal:
    """The seal row locked for the change, still in one of `statuses` (else Conflict)."""
    seal = _seal(seal_id, for_update=True)
    if seal is None or seal.status not in statuses:
        label = SealStatus(seal.status).label if seal else "不存在"
        raise Conflict(f"电子印章当前状态为“{label}”，不能执行该操作", code="seals/wrong_status")
    return seal


def seal_approve(*, principal: Principal, seal_id: int, note: str = "") -> Seal:
    """Approve an application: the seal gets its key (ECDSA P-256 in kernel.crypto) and a
    certificate from the platform CA, and becomes active. Never by its applicant."""
    action = "seals.seal.approve"
    seal = _decider_check(principal, action, seal_id)
    if seal.applied_by == principal.actor:
        raise refuse(
            principal,
            action,
            str(seal_id),
            PermissionDenied("不能审批本人提交的印章申请（双人复核）", code="seals/four_eyes"),
        )
    if seal.status != SealStatus.APPLIED:
        raise refuse(
            principal,
            action,
            str(seal_id),
            Conflict("该印章不在申请中，不能审批", code="seals/wrong_status"),
        )
    pki.authorities_ensure()  # first seal of the platform: make the CA before locking
    with transaction.atomic():
        seal = _locked_in(principal, action, seal_id, (SealStatus.APPLIED,))
        key = crypto.key_create(
            purpose=pki.SEAL_PURPOSE, owner=key_owner(seal), algorithm=pki.ALGORITHM
        )
        der, serial, not_before, not_after = pki.seal_certificate_issue(
            key_id=key.key_id,
            key_owner=key_owner(seal),
            seal_name=seal.name,
            organization_name=seal.organization.name,
            organization_code=seal.organization.code,
        )
        seal.key_id = key.key_id
        seal.certificate_der = der
        seal.certificate_serial = format(serial, "x")
        seal.valid_from, seal.valid_until = not_before, not_after
        seal.decided_by, seal.decided_by_label = principal.actor, principal.label
        seal.decided_at = timezone.now()
        seal.decision_note = (note or "").strip()[:REASON_MAX]
        _change(
            seal,
            principal,
            SealStatus.ACTIVE,
            reason=seal.decision_note,
            action=action,
            detail={"certificate_serial": seal.certificate_serial, "key_id": key.key_id},
        )
        seal.save()
    return seal


def seal_refuse(*, principal: Principal, seal_id: int, note: str) -> Seal:
    action = "seals.seal.refuse"
    seal = _decider_check(principal, action, seal_id)
    note = _reason(principal, action, str(seal_id), note, label="驳回理由")
    if seal.status != SealStatus.APPLIED:
        raise refuse(
            principal,
            action,
            str(seal_id),
            Conflict("该印章不在申请中，不能驳回", code="seals/wrong_status"),
        )
    with transaction.atomic():
        seal = _locked_in(principal, action, seal_id, (SealStatus.APPLIED,))
        seal.decided_by, seal.decided_by_label = principal.actor, principal.label
        seal.decided_at = timezone.now()
        seal.decision_note = note
        _change(seal, principal, SealStatus.REFUSED, reason=note, action=action)
        seal.save()
    return seal


def _manage(
    *,
    principal: Principal,
    seal_id: int,
    reason: str,
    action: str,
    from_statuses: tuple[str, ...],
    to_status: str,
    label: str,
) -> Seal:
    _staff(principal, action, str(seal_id))
    seal = _seal(seal_id)
    if seal is None:
        raise refuse(principal, action, str(seal_id), NotFound("电子印章不存在"))
    if not principal.has_perm(MANAGE) or not governs(principal, seal):
        raise refuse(
            principal,
            action,
            str(seal_id),
            PermissionDenied("只有本单位或上级单位的印章管理员、审批人员可以执行该操作"),
        )
    reason = _reason(principal, action, str(seal_id), reason, label=label)
    if seal.status not in from_statuses:
        raise refuse(
            principal,
            action,
            str(seal_id),
            Conflict(
                f"电子印章当前状态为“{seal.get_status_display()}”，不能执行该操作",
                code="seals/wrong_status",
            ),
        )
    with transaction.atomic():
        seal = _locked_in(principal, action, seal_id, from_statuses)
        _change(seal, principal, to_status, reason=reason, action=action)
        seal.save(update_fields=["status"])
    return seal


def seal_suspend(*, principal: Principal, seal_id: int, reason: str) -> Seal:
    return _manage(
        principal=principal,
        seal_id=seal_id,
        reason=reason,
        action="seals.seal.suspend",
        from_statuses=(SealStatus.ACTIVE,),
        to_status=SealStatus.SUSPENDED,
        label="暂停原因",
    )


def seal_resume(*, principal: Principal, seal_id: int, reason: str) -> Seal:
    return _manage(
        principal=principal,
        seal_id=seal_id,
        reason=reason,
        action="seals.seal.resume",
        from_statuses=(SealStatus.SUSPENDED,),
        to_status=SealStatus.ACTIVE,
        label="恢复原因",
    )


def seal_revoke(*, principal: Principal, seal_id: int, reason: str) -> Seal:
    """Final: a revoked seal never signs again (documents sealed before stay valid)."""
    return _manage(
        principal=principal,
        seal_id=seal_id,
        reason=reason,
        action="seals.seal.revoke",
        from_statuses=(SealStatus.ACTIVE, SealStatus.SUSPENDED),
        to_status=SealStatus.REVOKED,
        label="注销原因",
    )
