"""供需对接: a department requests fields of a published resource; the owner decides per
field; the decision becomes a grant that the exchange API checks on every call.

- 不予共享 resources: the request is recorded and refused at once, with the reason.
- 无条件共享 resources: granted at once, every field asked, masked (an automatic decision).
- 有条件共享 resources: wait for the owning department's decision.

Every change writes an audit entry and a domain event in its transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from digigov.data.catalog.selectors.resources import resource_by_code, resource_field_list
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import Grant, SharingRequest
from ..selectors.access import (
    APPROVE_PERMISSION,
    REQUEST_PERMISSION,
    REQUEST_SCOPE,
    may_decide_for,
    may_request,
)

MAX_GRANT_DAYS = 365
SYSTEM = Principal(kind="system", id="sharing", label="共享交换平台")
_TEXT_LIMITS = {"purpose": 300, "legal_basis": 300, "scope": 300}
_LABELS = {"purpose": "用途", "legal_basis": "依据", "scope": "使用范围"}
PUBLISHED = "published"


def _audit(
    principal: Principal, action: str, object_id: int | str, detail: dict, outcome="success"
):
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type="sharing.SharingRequest"
        if action.startswith("sharing.request")
        else "sharing.Grant",
        object_id=str(object_id),
        outcome=outcome,
        source_address=principal.source_address,
        detail=detail,
    )


def _require_auth(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()


def _grant_until(period_end: dt.date, *, today: dt.date) -> dt.date:
    return min(period_end, today + dt.timedelta(days=MAX_GRANT_DAYS))


def _grant_create(request: SharingRequest, *, today: dt.date, valid_until: dt.date) -> Grant:
    return Grant.objects.create(
        request=request,
        organization_id=request.requester_organization_id,
        resource_id=request.resource_id,
        fields=list(request.approved_fields),
        unmasked_fields=list(request.unmasked_fields),
        may_export=request.may_export,
        valid_from=today,
        valid_until=valid_until,
    )


def _event(topic: str, request: SharingRequest, **extra) -> None:
    event_publish(
        topic=topic,
        payload={
            "request_id": request.pk,
            "resource_id": request.resource_id,
            "requester_organization_id": request.requester_organization_id,
            "state": request.state,
            **extra,
        },
    )


def sharing_request_submit(
    *,
    principal: Principal,
    resource_code: str,
    fields: list[str],
    purpose: str,
    legal_basis: str,
    scope: str,
    period_end: dt.date,
) -> SharingRequest:
    """File a request for the principal's own organization (staff with
    sharing.request_data, or the department's machine client with sharing:request)."""
    _require_auth(principal)
    if not may_request(principal):
        audit_record(
            actor=principal.actor,
            action="sharing.request.submit",
            object_type="sharing.SharingRequest",
            object_id=resource_code[:60],
            outcome="denied",
            source_address=principal.source_address,
            detail={"reason": "no_permission"},
        )
        raise PermissionDenied(
            "只有部门的数据共享申请人员（或本部门系统）可以申请共享数据",
            code="sharing_request_forbidden",
        )
    resource = resource_by_code(code=(resource_code or "").strip())
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    if resource.status != PUBLISHED:
        raise ValidationFailed("只能申请已发布的数据资源", code="resource_not_published")
    if resource.organization_id == principal.organization_id:
        raise ValidationFailed("本单位的数据资源无需申请共享", code="own_resource")
    errors: dict[str, list[str]] = {}
    known = [f.name for f in resource_field_list(resource_id=resource.pk)]
    wanted = [name.strip() for name in fields or [] if name and name.strip()]
    if not wanted:
        errors["fields"] = ["请至少选择一个数据项"]
    elif len(set(wanted)) != len(wanted):
        errors["fields"] = ["数据项重复"]
    else:
        unknown = [name for name in wanted if name not in known]
        if unknown:
            errors["fields"] = ["该资源没有这些数据项：" + "、".join(unknown)[:200]]
    texts = {"purpose": purpose, "legal_basis": legal_basis, "scope": scope}
    for name, value in texts.items():
        value = (value or "").strip()
        if not value:
            errors[name] = [f"请填写{_LABELS[name]}"]
        elif len(value) > _TEXT_LIMITS[name]:
            errors[name] = [f"{_LABELS[name]}至多 {_TEXT_LIMITS[name]} 个字"]
        texts[name] = value
    today = timezone.localdate()
    if not isinstance(period_end, dt.date) or period_end <= today:
        errors["period_end"] = ["使用期限应晚于今天"]
    if errors:
        raise ValidationFailed("共享申请填写有误", fields=errors)
    ordered = [name for name in known if name in wanted]  # the catalog's order
    with transaction.atomic():
        if SharingRequest.objects.filter(
            requester_organization_id=principal.organization_id,
            resource=resource,
            state=SharingRequest.State.PENDING,
        ).exists():
            raise Conflict(
                "本单位对该资源已有待审批的申请，请等待审批或先撤回",
                code="sharing_request_pending",
            )
        request = SharingRequest(
            requester_organization_id=principal.organization_id,
            resource=resource,
            share_condition=resource.share_condition,
            fields=ordered,
            purpose=texts["purpose"],
            legal_basis=texts["legal_basis"],
            scope=texts["scope"],
            period_end=period_end,
            requested_by=principal.actor,
            requested_by_label=principal.label[:160],
            submitted_at=timezone.now(),
        )
        condition = resource.share_condition
        if condition == "none":
            terms = f"：{resource.share_terms}" if resource.share_terms else ""
            request.state = SharingRequest.State.REFUSED
            request.decision_mode = SharingRequest.DecisionMode.AUTO
            request.refusal_reason = f"该资源为“不予共享”资源{terms}"[:300]
        elif condition == "unconditional":
            request.state = SharingRequest.State.APPROVED
            request.decision_mode = SharingRequest.DecisionMode.AUTO
            request.approved_fields = ordered
        if request.decision_mode:
            request.decided_by, request.decided_by_label = SYSTEM.actor, SYSTEM.label
            request.decided_at = request.submitted_at
        request.save()
        grant = None
        if request.state == SharingRequest.State.APPROVED:
            grant = _grant_create(
                request, today=today, valid_until=_grant_until(period_end, today=today)
            )
        _audit(
            principal,
            "sharing.request.submit",
            request.pk,
            {
                "resource": resource.code,
                "fields": ordered,
                "share_condition": condition,
                "state": request.state,
                "grant": grant.pk if grant else None,
            },
        )
        _event("sharing.request.submitted", request, grant_id=grant.pk if grant else None)
    return request


def sharing_request_decide(
    *,
    principal: Principal,
    request_id: int,
    approved_fields: list[str],
    unmasked_fields: list[str] | None = None,
    refusal_reason: str = "",
    may_export: bool = False,
    valid_until: dt.date | None = None,
) -> SharingRequest:
    """The owner's decision: approve a subset of the fields asked (possibly none = refuse),
    some of them unmasked; a reason is required for every field refused."""
    _require_auth(principal)
    unmasked_fields = list(unmasked_fields or [])
    owner = (
        SharingRequest.objects.filter(pk=request_id)
        .values_list("resource__organization_id", flat=True)
        .first()
    )
    if owner is None:
        raise NotFound("共享申请不存在", code="sharing_request_unknown")
    if not may_decide_for(principal, owner):
        _audit(
            principal, "sharing.request.decide", request_id, {"reason": "no_permission"}, "denied"
        )
        raise PermissionDenied(
            "只有提供单位的数据共享审批人员可以审批该申请", code="sharing_decide_forbidden"
        )
    with transaction.atomic():
        request = SharingRequest.objects.select_for_update().get(pk=request_id)
        if request.state != SharingRequest.State.PENDING:
            raise Conflict("该申请已处理，不能重复审批", code="sharing_request_decided")
        approved = [n.strip() for n in approved_fields or [] if n and n.strip()]
        errors: dict[str, list[str]] = {}
        asked = list(request.fields)
        if len(set(approved)) != len(approved):
            errors["approved_fields"] = ["数据项重复"]
        elif any(n not in asked for n in approved):
            errors["approved_fields"] = ["只能同意申请中的数据项"]
        if any(n not in approved for n in unmasked_fields):
            errors["unmasked_fields"] = ["不脱敏的数据项必须是同意共享的数据项"]
        reason = (refusal_reason or "").strip()
        if len(approved) < len(asked) and not reason:
            errors["refusal_reason"] = ["不同意的数据项须说明理由"]
        if len(reason) > 300:
            errors["refusal_reason"] = ["理由至多 300 个字"]
        today = timezone.localdate()
        latest = _grant_until(request.period_end, today=today)
        until = valid_until or latest
        if approved and not today <= until <= latest:
            errors["valid_until"] = [
                f"有效期应在今天至 {latest.isoformat()} 之间（不超过申请期限，且不超过一年）"
            ]
        if errors:
            raise ValidationFailed("审批意见填写有误", fields=errors)
        approved = [n for n in asked if n in approved]
        if not approved:
            request.state = SharingRequest.State.REFUSED
        elif len(approved) == len(asked):
            request.state = SharingRequest.State.APPROVED
        else:
            request.state = SharingRequest.State.PARTIAL
        request.approved_fields = approved
        request.unmasked_fields = [n for n in approved if n in unmasked_fields]
        request.may_export = bool(may_export) and bool(approved)
        request.refusal_reason = reason
        request.decision_mode = SharingRequest.DecisionMode.OWNER
        request.decided_by, request.decided_by_label = principal.actor, principal.label[:160]
        request.decided_at = timezone.now()
        request.save()
        grant = _grant_create(request, today=today, valid_until=until) if approved else None
        _audit(
            principal,
            "sharing.request.decide",
            request.pk,
            {
                "state": request.state,
                "approved_fields": approved,
                "unmasked_fields": request.unmasked_fields,
                "may_export": request.may_export,
                "grant": grant.pk if grant else None,
            },
        )
        _event("sharing.request.decided", request, grant_id=grant.pk if grant else None)
    return request


def sharing_request_withdraw(*, principal: Principal, request_id: int) -> SharingRequest:
    """The requesting department takes back a pending request."""
    _require_auth(principal)
    with transaction.atomic():
        request = SharingRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise NotFound("共享申请不存在", code="sharing_request_unknown")
        allowed = may_request(principal) and (
            principal.organization_id == request.requester_organization_id
        )
        if allowed:
            if request.state != SharingRequest.State.PENDING:
                raise Conflict("只能撤回待审批的申请", code="sharing_request_decided")
            request.state = SharingRequest.State.WITHDRAWN
            request.decided_at = timezone.now()
            request.decided_by, request.decided_by_label = principal.actor, principal.label[:160]
            request.save(update_fields=["state", "decided_at", "decided_by", "decided_by_label"])
            _event("sharing.request.withdrawn", request)
        _audit(
            principal,
            "sharing.request.withdraw",
            request_id,
            {} if allowed else {"reason": "no_permission"},
            "success" if allowed else "denied",
        )
    if not allowed:
        raise PermissionDenied("只有申请单位可以撤回申请", code="sharing_withdraw_forbidden")
    return request


def grant_revoke(*, principal: Principal, grant_id: int, reason: str) -> Grant:
    """The owning department ends a grant before its time, with a reason."""
    _require_auth(principal)
    reason = (reason or "").strip()
    with transaction.atomic():
        grant = (
            Grant.objects.select_for_update().select_related("resource").filter(pk=grant_id).first()
        )
        if grant is None:
            raise NotFound("共享授权不存在", code="grant_unknown")
        allowed = may_decide_for(principal, grant.resource.organization_id)
        if allowed:
            if not reason or len(reason) > 300:
                raise ValidationFailed(
                    "请说明撤销理由（至多 300 个字）", fields={"reason": ["请说明撤销理由"]}
                )
            if grant.status != Grant.Status.ACTIVE:
                raise Conflict("该授权已终止", code="grant_ended")
            grant.status = Grant.Status.REVOKED
            grant.revoke_reason = reason
            grant.revoked_by = principal.actor
            grant.ended_at = timezone.now()
            grant.save(update_fields=["status", "revoke_reason", "revoked_by", "ended_at"])
            event_publish(
                topic="sharing.grant.revoked",
                payload={
                    "grant_id": grant.pk,
                    "resource_id": grant.resource_id,
                    "organization_id": grant.organization_id,
                },
            )
        _audit(
            principal,
            "sharing.grant.revoke",
            grant_id,
            {"reason": reason} if allowed else {"reason": "no_permission"},
            "success" if allowed else "denied",
        )
    if not allowed:
        raise PermissionDenied(
            "只有提供单位的数据共享审批人员可以撤销授权", code="grant_revoke_forbidden"
        )
    return grant


def grants_expire(*, today: dt.date | None = None) -> int:
    """End every active grant whose validity has passed (the exchange already refuses them
    on its own check; this makes the records say so). One transaction per grant."""
    today = today or timezone.localdate()
    expired = 0
    for grant_id in Grant.objects.filter(
        status=Grant.Status.ACTIVE, valid_until__lt=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            changed = Grant.objects.filter(pk=grant_id, status=Grant.Status.ACTIVE).update(
                status=Grant.Status.EXPIRED, ended_at=timezone.now()
            )
            if not changed:
                continue
            grant = Grant.objects.get(pk=grant_id)
            audit_record(
                actor=SYSTEM.actor,
                action="sharing.grant.expire",
                object_type="sharing.Grant",
                object_id=str(grant_id),
                detail={"valid_until": grant.valid_until.isoformat()},
            )
            event_publish(
                topic="sharing.grant.expired",
                payload={
                    "grant_id": grant_id,
                    "resource_id": grant.resource_id,
                    "organization_id": grant.organization_id,
                },
            )
            expired += 1
    return expired


__all__ = [
    "APPROVE_PERMISSION",
    "MAX_GRANT_DAYS",
    "REQUEST_PERMISSION",
    "REQUEST_SCOPE",
    "grant_revoke",
    "grants_expire",
    "sharing_request_decide",
    "sharing_request_submit",
    "sharing_request_withdraw",
]
