"""有条件开放: a signed-in person applies (who, purpose) for a conditional dataset; its
publisher approves for a period (download and API access for the applicant and the
applicant's developer keys) or refuses with a reason."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import Conflict, NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import AccessApplication, OpenDataset
from ..selectors.access import may_publish
from .common import deny, require_person

State = AccessApplication.State
MAX_DAYS = 366
DEFAULT_DAYS = 180


def _published_dataset(key: str) -> OpenDataset:
    dataset = OpenDataset.objects.filter(name=str(key or "")[:100], state="published").first()
    if dataset is None:
        raise NotFound("数据集不存在", code="dataset_unknown")
    return dataset


def application_submit(
    *,
    principal: Principal,
    dataset_name: str,
    purpose: str,
    organization: str = "",
    contact: str = "",
) -> AccessApplication:
    require_person(principal)
    dataset = _published_dataset(dataset_name)
    if dataset.open_condition != OpenDataset.OpenCondition.CONDITIONAL:
        raise ValidationFailed("该数据集无条件开放，无需申请", code="application_not_needed")
    purpose = str(purpose or "").strip()
    errors = {}
    if not 10 <= len(purpose) <= 2000:
        errors["purpose"] = ["请说明数据用途（10 至 2000 个字符）"]
    if len(str(organization or "")) > 200:
        errors["organization"] = ["至多 200 个字符"]
    if len(str(contact or "")) > 100:
        errors["contact"] = ["至多 100 个字符"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        if AccessApplication.objects.filter(
            dataset=dataset, applicant=principal.actor, state=State.SUBMITTED
        ).exists():
            raise Conflict("已有待审批的申请", code="application_pending")
        application = AccessApplication.objects.create(
            dataset=dataset,
            applicant=principal.actor,
            applicant_label=principal.label[:160],
            applicant_organization=str(organization or "").strip(),
            contact=str(contact or "").strip(),
            purpose=purpose,
        )
        audit_as(
            principal,
            action="opendata.application.submit",
            object_type="opendata.application",
            object_id=application.pk,
            detail={"dataset": dataset.name},
        )
    return application


def application_decide(
    *,
    principal: Principal,
    application_id: int,
    approve: bool,
    reason: str = "",
    valid_days: int = DEFAULT_DAYS,
) -> AccessApplication:
    """The publisher of the dataset decides; approval grants access until valid_until."""
    current = AccessApplication.objects.select_related("dataset").filter(pk=application_id).first()
    if current is None:
        raise NotFound("申请不存在", code="application_unknown")
    if not may_publish(principal, current.dataset.organization_id):
        raise deny(
            principal,
            action="opendata.application.decide",
            object_type="opendata.application",
            object_id=application_id,
            message="只有数据集的发布单位可以审批开放申请",
            code="opendata/not_publisher",
        )
    reason = str(reason or "").strip()[:300]
    if not approve and not reason:
        raise ValidationFailed("不予批准时请填写理由", fields={"reason": ["请填写理由"]})
    if approve and not (isinstance(valid_days, int) and 1 <= valid_days <= MAX_DAYS):
        raise ValidationFailed(
            f"有效期应为 1 至 {MAX_DAYS} 天", fields={"valid_days": [f"1 至 {MAX_DAYS} 天"]}
        )
    with transaction.atomic():
        application = AccessApplication.objects.select_for_update().get(pk=application_id)
        if application.state != State.SUBMITTED:
            raise Conflict("该申请已处理", code="application_decided")
        application.state = State.APPROVED if approve else State.REFUSED
        application.reason = reason
        application.decided_by = principal.actor
        application.decided_at = timezone.now()
        if approve:
            application.valid_until = timezone.localdate() + dt.timedelta(days=valid_days)
        application.save()
        audit_as(
            principal,
            action="opendata.application.decide",
            object_type="opendata.application",
            object_id=application.pk,
            detail={
                "approve": bool(approve),
                "reason": reason,
                "applicant": application.applicant,
                "valid_until": application.valid_until.isoformat() if approve else "",
            },
        )
        event_publish(
            topic="opendata.application.decided",
            payload={
                "application_id": application.pk,
                "dataset_id": str(application.dataset_id),
                "applicant": application.applicant,
                "state": application.state,
            },
        )
    return application


def application_withdraw(*, principal: Principal, application_id: int) -> AccessApplication:
    require_person(principal)
    with transaction.atomic():
        application = (
            AccessApplication.objects.select_for_update()
            .filter(pk=application_id, applicant=principal.actor)
            .first()
        )
        if application is None:
            raise NotFound("申请不存在", code="application_unknown")
        if application.state != State.SUBMITTED:
            raise Conflict("该申请已处理，不能撤回", code="application_decided")
        application.state = State.WITHDRAWN
        application.save(update_fields=["state"])
        audit_as(
            principal,
            action="opendata.application.withdraw",
            object_type="opendata.application",
            object_id=application.pk,
        )
    return application
