"""好差评: the applicant rates a closed case once (grade 1-5, reasons from the vocabulary of
that grade, a comment, the channel); a bad rating (grade <= 2) opens a rectification task
(整改) for the handling organization, due in 5 working days, whose reply the applicant reads
on the case page.

Topics: services.rating.submitted (every rating), services.rating.bad (a rectification was
opened), services.rating.rectified (the organization replied)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal
from digigov.kernel.workdays.selectors import working_days_add

from .. import ratings_vocabulary as vocabulary
from ..models import Application, Rating, Rectification
from ..selectors.access import APPLICANT, FILER, HANDLE, case_for
from ..selectors.ratings import rectification_get
from .cases import case_record

MAX_REPLY_LENGTH = 2000


def _validate(*, grade: int, reasons: list[str], comment: str, channel: str) -> list[str]:
    fields: dict[str, list[str]] = {}
    if grade not in vocabulary.GRADES:
        fields["grade"] = ["评价等级应为 1 到 5"]
    allowed = vocabulary.reasons_for(grade) if grade in vocabulary.GRADES else {}
    cleaned: list[str] = []
    for code in reasons:
        if code not in allowed:
            fields.setdefault("reasons", []).append(f"“{code}”不是该评价等级可选的原因")
        elif code not in cleaned:
            cleaned.append(code)
    if grade in vocabulary.GRADES and grade <= vocabulary.BAD_GRADE_MAX and not cleaned:
        fields.setdefault("reasons", []).append("差评请至少选择一项原因")
    if len(comment) > vocabulary.MAX_COMMENT_LENGTH:
        fields["comment"] = [f"至多 {vocabulary.MAX_COMMENT_LENGTH} 个字"]
    if channel not in vocabulary.CHANNELS:
        fields["channel"] = ["未知的评价渠道"]
    if fields:
        raise ValidationFailed("评价内容不符合要求", code="services/invalid_rating", fields=fields)
    return cleaned


def rating_submit(
    *,
    principal: Principal,
    number: str,
    grade: int,
    reasons: list[str],
    comment: str = "",
    channel: str = "online",
) -> Rating:
    """Rate a closed case, once, as its applicant (or the relative who filed it)."""
    comment = (comment or "").strip()
    cleaned = _validate(grade=grade, reasons=list(reasons), comment=comment, channel=channel)
    case_for(principal=principal, number=number, roles=(APPLICANT, FILER))  # refusals audited
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("item", "item_version", "handling_organization")
            .get(number=number)
        )
        if not application.is_closed:
            raise Conflict("办件办结后才能评价", code="services/not_closed")
        if Rating.objects.filter(application=application).exists():
            raise Conflict("该办件已评价，不能重复评价", code="services/already_rated")
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    application=application,
                    grade=grade,
                    reasons=cleaned,
                    comment=comment,
                    channel=channel,
                    rater_actor=principal.actor,
                    organization_id=application.handling_organization_id,
                    region_id=application.handling_region_id,
                )
        except IntegrityError as error:
            raise Conflict("该办件已评价，不能重复评价", code="services/already_rated") from error
        payload = {
            "rating_id": rating.pk,
            "number": application.number,
            "grade": grade,
            "reasons": cleaned,
            "channel": channel,
            "item_code": application.item.code,
            "standard_code": application.item.standard_code,
            "organization_id": application.handling_organization_id,
            "region_code": application.handling_region_id,
        }
        case_record(
            application=application,
            principal=principal,
            kind="rating",
            label=f"评价：{vocabulary.GRADES[grade]}",
            action="services.rating.submit",
            detail={"grade": grade, "reasons": cleaned},
        )
        event_publish(topic="services.rating.submitted", payload=payload)
        if grade <= vocabulary.BAD_GRADE_MAX:
            rectification = Rectification.objects.create(
                rating=rating,
                organization_id=application.handling_organization_id,
                due_date=working_days_add(timezone.localdate(), vocabulary.RECTIFICATION_DAYS),
            )
            case_record(
                application=application,
                principal=principal,
                kind="rectification_open",
                label=(
                    f"差评已转{application.handling_organization.name}整改，"
                    f"{rectification.due_date:%Y年%m月%d日}前答复"
                ),
                action="services.rectification.open",
                organization_name=application.handling_organization.name,
                detail={"rectification_id": rectification.pk},
            )
            event_publish(
                topic="services.rating.bad",
                payload={
                    **payload,
                    "rectification_id": rectification.pk,
                    "due_date": rectification.due_date.isoformat(),
                },
            )
    return rating


def rectification_reply(
    *, principal: Principal, rectification_id: int, reply: str
) -> Rectification:
    """The handling organization's staff answer a bad rating; the applicant sees the reply."""
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed(
            "请填写整改答复", code="services/reply_required", fields={"reply": ["必填"]}
        )
    if len(reply) > MAX_REPLY_LENGTH:
        raise ValidationFailed(
            f"答复至多 {MAX_REPLY_LENGTH} 个字",
            code="services/reply_too_long",
            fields={"reply": [f"至多 {MAX_REPLY_LENGTH} 个字"]},
        )
    found = rectification_get(principal=principal, rectification_id=rectification_id)
    if not (
        principal.kind == "staff"
        and principal.has_perm(HANDLE)
        and principal.organization_id == found.organization_id
    ):
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="services.rectification.reply",
            object_type="services.rectification",
            object_id=str(rectification_id),
            outcome="denied",
            source_address=principal.source_address,
            detail={"reason": "not_handling_staff"},
        )
        raise PermissionDenied("仅办理机构的工作人员可以答复整改", code="services/not_handler")
    with transaction.atomic():
        rectification = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("organization", "rating__application")
            .get(pk=rectification_id)
        )
        if rectification.status != Rectification.Status.OPEN:
            raise Conflict("该整改任务已回复", code="services/already_replied")
        rectification.status = Rectification.Status.REPLIED
        rectification.reply = reply
        rectification.replied_by = principal.label or principal.actor
        rectification.replied_at = timezone.now()
        rectification.save(update_fields=["status", "reply", "replied_by", "replied_at"])
        application = rectification.rating.application
        case_record(
            application=application,
            principal=principal,
            kind="rectification_reply",
            label=f"差评整改答复：{reply[:200]}",
            action="services.rectification.reply",
            organization_name=rectification.organization.name,
            detail={"rectification_id": rectification.pk},
        )
        event_publish(
            topic="services.rating.rectified",
            payload={
                "rectification_id": rectification.pk,
                "rating_id": rectification.rating_id,
                "number": application.number,
                "organization_id": rectification.organization_id,
                "on_time": timezone.localdate(rectification.replied_at) <= rectification.due_date,
            },
        )
    return rectification
