"""Commands on city events: report (from the four doors), stage actions, merge, escalation.

Each command checks who is asking before it writes; a refusal is audited and counted in its
own transaction and then raised. Each write is one transaction with its timeline row, its
audit entry and its domain event (kernel.events outbox)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from digigov.kernel.audit.services import audit_as, audit_batch
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import (
    LEVEL_LABELS,
    OPEN_STAGES,
    REGION_LEVELS,
    SOURCE_LABELS,
    STAGE_LABELS,
    CityEvent,
    EventPhoto,
    EventReporter,
    EventTransition,
    EventType,
    RefusalCount,
)
from ..selectors.events import (
    ACTION_LABELS,
    ACTIONS,
    NOTE_ACTIONS,
    PHOTO_ACTIONS,
    event_in_scope,
    responsible_for,
)
from ..selectors.routing import handling_level_for, locate, location_of_event, route
from .photos import StoredPhoto, photos_store

SYSTEM = Principal(kind="system", id="cityevents", label="城市事件系统")
SOURCES = tuple(SOURCE_LABELS)


@dataclass(frozen=True)
class CityEventRef:
    id: int
    number: str
    stage: str
    region_code: str


def _ref(event: CityEvent) -> CityEventRef:
    return CityEventRef(
        id=event.pk, number=event.number, stage=event.stage, region_code=event.region_id
    )


def _count_refusal(code: str) -> None:
    updated = RefusalCount.objects.filter(code=code).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RefusalCount.objects.create(code=code, count=1)
        except IntegrityError:
            RefusalCount.objects.filter(code=code).update(count=F("count") + 1)


def _deny(
    principal: Principal | None,
    error: Exception,
    *,
    action: str,
    object_id: str = "",
    detail: dict[str, Any] | None = None,
):
    """Audit and count a refusal in its own transaction; return the error to raise."""
    principal = principal or Principal(kind="anonymous")
    code = getattr(error, "code", "refused")
    with transaction.atomic():
        audit_as(
            principal,
            action=action,
            object_type="cityevents.event",
            object_id=object_id,
            outcome="denied",
            detail={"code": code, **(detail or {})},
        )
        _count_refusal(code)
    return error


def _sla_due(event_type: EventType, level: str, stage: str, now: dt.datetime) -> dt.datetime | None:
    table = event_type.sla_hours or {}
    hours = (table.get(level) or table.get("general") or {}).get(stage)
    if not hours:
        return None
    return now + dt.timedelta(hours=float(hours))


def _transition(
    event: CityEvent,
    *,
    principal: Principal,
    action: str,
    from_stage: str,
    note: str = "",
    now: dt.datetime,
    organization_id: int | None = None,
    photos: list[StoredPhoto] = (),
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> EventTransition:
    """Timeline row, photos, audit entry and domain event of one step (inside the write)."""
    row = EventTransition.objects.create(
        event=event,
        action=action,
        from_stage=from_stage,
        to_stage=event.stage,
        actor=principal.actor,
        actor_label=principal.label[:80],
        organization_id=organization_id,
        note=note[:500],
        due_at=event.stage_due_at if event.stage in OPEN_STAGES else None,
        occurred_at=now,
    )
    if photos:
        EventPhoto.objects.bulk_create(
            EventPhoto(
                event=event,
                transition=row,
                purpose=purpose,
                sha256=photo.sha256,
                size=photo.size,
                content_type=photo.content_type,
                original_name=photo.original_name,
                uploaded_by=principal.actor,
            )
            for photo in photos
        )
    audit_as(
        principal,
        action=f"cityevents.event.{action}",
        object_type="cityevents.event",
        object_id=event.number,
        detail={
            "from": from_stage,
            "to": event.stage,
            "photos": [p.sha256 for p in photos],
            **(detail or {}),
        },
    )
    event_publish(
        topic=f"cityevents.event.{action}",
        payload={
            "number": event.number,
            "event_type": event.event_type.code,
            "stage": event.stage,
            "from_stage": from_stage,
            "region_code": event.region_id,
            "source": event.source,
            "external_ref": event.external_ref,
            "command_organization_id": event.command_organization_id,
            "handling_organization_id": event.handling_organization_id,
        },
    )
    return row


def _check_reporter(source: str, reporter: Principal | None) -> None:
    if source not in SOURCES:
        raise ValidationFailed(
            f"未知的事件来源：{source[:20]}",
            code="cityevents/bad_source",
            fields={"source": ["来源应为 citizen、grid_worker、hotline 或 sensor"]},
        )
    if source == "citizen":
        if reporter is None or not reporter.is_authenticated:
            raise Unauthenticated("请先登录后再随手拍上报")
        if reporter.kind not in ("citizen", "enterprise"):
            raise PermissionDenied("随手拍仅限个人或企业账号", code="cityevents/not_citizen")
    elif source == "grid_worker":
        if reporter is None or reporter.kind != "staff":
            raise Unauthenticated("请以网格员账号登录")
        if not reporter.has_perm("cityevents.patrol_report"):
            raise PermissionDenied("只有网格员可以巡查上报", code="cityevents/not_grid_worker")
    elif reporter is not None and reporter.kind == "machine":
        if not reporter.has_scope("cityevents:report"):
            raise PermissionDenied("客户端缺少授权范围：cityevents:report", code="scope_missing")
    elif reporter is not None and reporter.kind not in ("staff", "system", "operator"):
        raise PermissionDenied(
            "该来源的事件只能由系统接口上报", code="cityevents/source_not_allowed"
        )


def _existing(source: str, external_ref: str) -> CityEvent | None:
    if not external_ref:
        return None
    return CityEvent.objects.filter(source=source, external_ref=external_ref).first()


def city_event_report(
    *,
    source: str,
    event_type_code: str,
    lng: float,
    lat: float,
    title: str,
    description: str = "",
    level: str = "general",
    reporter: Principal | None = None,
    external_ref: str = "",
    photos: list = (),
    now: dt.datetime | None = None,
) -> CityEventRef:
    """Report an event from one of the four doors. Idempotent per (source, external_ref):
    the same hotline ticket or sensor alert returns the event it already became."""
    external_ref = (external_ref or "").strip()[:80]
    try:
        _check_reporter(source, reporter)
    except (Unauthenticated, PermissionDenied) as error:
        raise _deny(
            reporter, error, action="cityevents.event.report", detail={"source": source}
        ) from None
    existing = _existing(source, external_ref)
    if existing is not None:
        return _ref(existing)
    event_type = EventType.objects.filter(code=event_type_code, is_active=True).first()
    if event_type is None:
        raise ValidationFailed(
            "事件类型不存在或已停用",
            code="cityevents/unknown_type",
            fields={"event_type_code": [f"未知的事件类型：{str(event_type_code)[:40]}"]},
        )
    if level not in LEVEL_LABELS:
        raise ValidationFailed(
            "事件等级应为一般、较大、重大或特别重大",
            code="cityevents/bad_level",
            fields={"level": ["事件等级无效"]},
        )
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(
            "请填写事件标题", code="cityevents/title_required", fields={"title": ["必填"]}
        )
    if source == "citizen" and not photos:
        raise ValidationFailed(
            "随手拍请至少上传一张现场照片",
            code="cityevents/photo_required",
            fields={"photos": ["必填"]},
        )
    try:
        location = locate(lng, lat)  # refuses a point outside Guangdong
    except ValidationFailed as error:
        raise _deny(
            reporter or SYSTEM,
            error,
            action="cityevents.event.report",
            detail={"source": source, "lng": str(lng)[:20], "lat": str(lat)[:20]},
        ) from None
    stored = photos_store(photos)
    now = now or timezone.now()
    handling_level = handling_level_for(event_type=event_type, level=level)
    command, handling = route(
        location=location, event_type=event_type, handling_level=handling_level
    )
    actor = reporter or SYSTEM
    try:
        with transaction.atomic(), audit_batch():
            event = CityEvent.objects.create(
                number=f"TMP{now:%H%M%S%f}",
                event_type=event_type,
                level=level,
                title=title[:120],
                description=(description or "")[:4000],
                longitude=location.lng,
                latitude=location.lat,
                region_id=location.region_code,
                city_code=location.city_code,
                county_code=location.county_code,
                town_code=location.town_code,
                grid_id=location.grid_id,
                source=source,
                external_ref=external_ref,
                reporter_actor=actor.actor,
                reporter_label=(reporter.label if reporter else "")[:80],
                stage="reported",
                handling_level=handling_level,
                command_organization=command,
                handling_organization=handling,
                stage_due_at=_sla_due(event_type, level, "reported", now),
                reported_at=now,
            )
            event.number = f"SJ{timezone.localtime(now):%Y%m%d}{event.pk:06d}"
            CityEvent.objects.filter(pk=event.pk).update(number=event.number)
            if reporter is not None and reporter.is_authenticated:
                EventReporter.objects.create(
                    event=event, actor=reporter.actor, label=reporter.label[:80]
                )
            _transition(
                event,
                principal=actor,
                action="report",
                from_stage="",
                now=now,
                organization_id=None,
                photos=stored,
                purpose=EventPhoto.Purpose.REPORT,
                detail={"source": source, "external_ref": external_ref, "grid": location.grid_id},
            )
    except IntegrityError:
        # A concurrent report of the same ticket or alert won the race: answer with it.
        existing = _existing(source, external_ref)
        if existing is None:
            raise
        return _ref(existing)
    return _ref(event)


def _locked(number: str) -> CityEvent:
    events = CityEvent.objects.select_related("event_type").filter(number=number)
    if connection.vendor == "postgresql":
        events = events.select_for_update(of=("self",))
    event = events.first()
    if event is None:
        raise NotFound("城市事件不存在", code="cityevents/not_found")
    return event


def city_event_act(
    *,
    principal: Principal,
    number: str,
    action: str,
    note: str = "",
    photos: list = (),
    handling_organization_id: int | None = None,
    now: dt.datetime | None = None,
) -> CityEventRef:
    """Take one stage action (立案, 不予立案, 派遣, 退回, 处置, 核查, 结案). Only someone
    responsible for the current stage may; 处置 and 核查 need photos; refusing steps need a
    reason. Every refusal is audited and counted."""
    if action not in ACTIONS:
        raise ValidationFailed(
            f"未知的操作：{action[:20]}", code="cityevents/bad_action", fields={"action": ["无效"]}
        )
    if not principal.is_authenticated:
        raise _deny(
            principal, Unauthenticated(), action=f"cityevents.event.{action}", object_id=number
        )
    event = CityEvent.objects.filter(number=number).first()
    if event is None:
        raise NotFound("城市事件不存在", code="cityevents/not_found")
    from_stage, to_stage, permission, _who = ACTIONS[action]
    if event.stage != from_stage:
        raise _deny(
            principal,
            Conflict(
                f"事件当前处于“{event.stage_label}”阶段，不能执行“{ACTION_LABELS[action]}”",
                code="cityevents/wrong_stage",
            ),
            action=f"cityevents.event.{action}",
            object_id=number,
            detail={"stage": event.stage},
        )
    if not responsible_for(principal, event, action):
        raise _deny(
            principal,
            PermissionDenied(
                f"您不是该事件“{STAGE_LABELS[from_stage]}”阶段的责任人，不能执行"
                f"“{ACTION_LABELS[action]}”",
                code="cityevents/not_responsible",
            ),
            action=f"cityevents.event.{action}",
            object_id=number,
            detail={"stage": event.stage, "permission": permission},
        )
    note = (note or "").strip()
    if action in NOTE_ACTIONS and not note:
        raise ValidationFailed(
            "请填写理由", code="cityevents/note_required", fields={"note": ["必填"]}
        )
    if action in PHOTO_ACTIONS and not photos:
        raise ValidationFailed(
            f"“{ACTION_LABELS[action]}”须上传现场照片",
            code="cityevents/photo_required",
            fields={"photos": ["必填"]},
        )
    stored = photos_store(photos)
    now = now or timezone.now()
    with transaction.atomic(), audit_batch():
        event = _locked(number)
        if event.stage != from_stage:  # someone else acted in between
            raise Conflict("事件已被他人处理，请刷新后重试", code="cityevents/stale")
        detail: dict[str, Any] = {}
        if action == "dispatch" and handling_organization_id:
            from digigov.kernel.organizations.models import Organization

            chosen = Organization.objects.filter(
                pk=handling_organization_id, is_active=True
            ).first()
            if chosen is None:
                raise ValidationFailed(
                    "所选处置部门不存在",
                    code="cityevents/bad_organization",
                    fields={"handling_organization_id": ["无效"]},
                )
            event.handling_organization = chosen
            detail["handling_organization"] = chosen.code
        event.stage = to_stage
        event.stage_due_at = (
            _sla_due(event.event_type, event.level, to_stage, now)
            if to_stage in OPEN_STAGES
            else None
        )
        if to_stage in ("closed", "rejected"):
            event.closed_at = now
        event.save(
            update_fields=[
                "stage",
                "stage_due_at",
                "closed_at",
                "handling_organization",
                "updated_at",
            ]
        )
        purpose = (
            EventPhoto.Purpose.HANDLING if action == "handle" else EventPhoto.Purpose.VERIFICATION
        )
        _transition(
            event,
            principal=principal,
            action=action,
            from_stage=from_stage,
            note=note,
            now=now,
            organization_id=principal.organization_id,
            photos=stored,
            purpose=purpose,
            detail=detail,
        )
    return _ref(event)


def city_event_merge(
    *, principal: Principal, duplicate_number: str, into_number: str, now=None
) -> CityEventRef:
    """Close a duplicate report into the surviving event: the duplicate becomes 已合并 and
    its reporters follow the surviving event."""
    action = "cityevents.event.merge"
    if not principal.is_authenticated:
        raise _deny(principal, Unauthenticated(), action=action, object_id=duplicate_number)
    if principal.kind != "staff" or not principal.has_perm("cityevents.merge_event"):
        raise _deny(
            principal,
            PermissionDenied("只有指挥调度人员可以合并重复上报", code="cityevents/no_merge"),
            action=action,
            object_id=duplicate_number,
        )
    if duplicate_number == into_number:
        raise ValidationFailed("不能把事件合并到自身", code="cityevents/merge_self")
    events = {
        e.number: e for e in CityEvent.objects.filter(number__in=[duplicate_number, into_number])
    }
    duplicate, survivor = events.get(duplicate_number), events.get(into_number)
    if duplicate is None or survivor is None:
        raise NotFound("城市事件不存在", code="cityevents/not_found")
    if principal.organization_id not in (
        duplicate.command_organization_id,
        survivor.command_organization_id,
    ):
        raise _deny(
            principal,
            PermissionDenied("只有负责该事件的指挥中心可以合并", code="cityevents/not_responsible"),
            action=action,
            object_id=duplicate_number,
        )
    if duplicate.event_type_id != survivor.event_type_id:
        raise ValidationFailed("只能合并同一类型的事件", code="cityevents/merge_type")
    if duplicate.stage not in OPEN_STAGES or survivor.stage not in OPEN_STAGES:
        raise Conflict("只能合并两件办理中的事件", code="cityevents/merge_closed")
    now = now or timezone.now()
    with transaction.atomic(), audit_batch():
        duplicate = _locked(duplicate_number)
        survivor = _locked(into_number)
        if duplicate.stage not in OPEN_STAGES or survivor.stage not in OPEN_STAGES:
            raise Conflict("事件已被他人处理，请刷新后重试", code="cityevents/stale")
        from_stage = duplicate.stage
        duplicate.stage = "merged"
        duplicate.merged_into = survivor
        duplicate.stage_due_at = None
        duplicate.closed_at = now
        duplicate.save(
            update_fields=["stage", "merged_into", "stage_due_at", "closed_at", "updated_at"]
        )
        linked = 0
        known = set(survivor.reporters.values_list("actor", flat=True))
        for reporter in duplicate.reporters.all():
            if reporter.actor not in known:
                EventReporter.objects.create(
                    event=survivor, actor=reporter.actor, label=reporter.label, via_event=duplicate
                )
                linked += 1
        note = f"并入事件 {survivor.number}"
        _transition(
            duplicate,
            principal=principal,
            action="merged",
            from_stage=from_stage,
            note=note,
            now=now,
            organization_id=principal.organization_id,
            detail={"into": survivor.number},
        )
        _transition(
            survivor,
            principal=principal,
            action="merge",
            from_stage=survivor.stage,
            note=f"合并重复上报 {duplicate.number}（关联上报人 {linked} 人）",
            now=now,
            organization_id=principal.organization_id,
            detail={"duplicate": duplicate.number, "reporters_linked": linked},
        )
    return _ref(survivor)


@dataclass(frozen=True)
class EscalationResult:
    checked: int
    escalated: int
    marked_overdue: int


def city_events_escalate(*, now: dt.datetime | None = None) -> EscalationResult:
    """Mark open events past their stage deadline overdue and raise each to the next level
    up (its command centre and department there), with a new deadline for the stage and a
    notification event. Idempotent: an event is escalated again only after the new deadline
    passes; one already at the province is only marked."""
    now = now or timezone.now()
    due = list(
        CityEvent.objects.filter(stage__in=OPEN_STAGES, stage_due_at__lt=now)
        .exclude(handling_level="province", is_overdue=True)
        .values_list("number", flat=True)
    )
    escalated = marked = 0
    for number in due:
        with transaction.atomic(), audit_batch():
            event = _locked(number)
            if (
                event.stage not in OPEN_STAGES
                or event.stage_due_at is None
                or event.stage_due_at >= now
                or (event.handling_level == "province" and event.is_overdue)
            ):
                continue
            index = REGION_LEVELS.index(event.handling_level)
            from_level = event.handling_level
            event.is_overdue = True
            fields = ["is_overdue", "updated_at"]
            if index > 0:
                location = location_of_event(event)
                event.handling_level = REGION_LEVELS[index - 1]
                command, handling = route(
                    location=location,
                    event_type=event.event_type,
                    handling_level=event.handling_level,
                )
                event.command_organization = command
                event.handling_organization = handling
                event.escalations += 1
                event.stage_due_at = _sla_due(event.event_type, event.level, event.stage, now)
                fields += [
                    "handling_level",
                    "command_organization",
                    "handling_organization",
                    "escalations",
                    "stage_due_at",
                ]
                escalated += 1
            else:
                marked += 1
            event.save(update_fields=fields)
            _transition(
                event,
                principal=SYSTEM,
                action="escalate",
                from_stage=event.stage,
                note=f"“{event.stage_label}”阶段超时，"
                + (
                    f"由{event.command_organization.name}督办"
                    if index > 0
                    else "已在省级，标记超时"
                ),
                now=now,
                organization_id=event.command_organization_id,
                detail={"from_level": from_level, "to_level": event.handling_level},
            )
    return EscalationResult(checked=len(due), escalated=escalated, marked_overdue=marked)


def event_reporter_reveal(*, principal: Principal, number: str) -> list[dict]:
    """The full reporters of an event, for staff with view_reporter; the read is audited."""
    if principal.kind != "staff" or not principal.has_perm("cityevents.view_reporter"):
        raise _deny(
            principal,
            PermissionDenied("无权查看上报人信息", code="cityevents/no_reporter"),
            action="cityevents.reporter.view",
            object_id=number,
        )
    event = event_in_scope(principal=principal, number=number)
    reporters = [
        {"label": r.label, "actor": r.actor, "linked_at": r.linked_at}
        for r in event.reporters.all()
    ]
    with transaction.atomic():
        audit_as(
            principal,
            action="cityevents.reporter.view",
            object_type="cityevents.event",
            object_id=number,
            detail={"count": len(reporters)},
        )
    return reporters
