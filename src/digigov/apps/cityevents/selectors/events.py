"""Reading city events: the staff list (region-scoped, filtered, searched, paginated), one
event with its timeline, a citizen's own reports, duplicate candidates, who may act now."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal

from .. import geometry
from ..models import (
    LEVEL_LABELS,
    OPEN_STAGES,
    SOURCE_LABELS,
    STAGE_LABELS,
    CityEvent,
    EventPhoto,
    EventReporter,
    GridWorker,
)

PAGE_SIZE = 20
# What a row (`_row`) reads besides the event itself.
_ROW_RELATED = ("event_type", "region", "grid", "command_organization", "handling_organization")
HANDLING_LEVEL_LABELS = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "town": "镇街级",
    "village": "村社区级",
}
SLA_WARNING_HOURS = 4  # an open stage due within this many hours is a warning (黄灯)

# action -> (stage it leaves, stage it reaches, permission, who: "command" | "handling" | "verifier")
ACTIONS: dict[str, tuple[str, str, str, str]] = {
    "register": ("reported", "registered", "cityevents.register_event", "command"),
    "reject": ("reported", "rejected", "cityevents.register_event", "command"),
    "dispatch": ("registered", "dispatched", "cityevents.register_event", "command"),
    "return": ("dispatched", "registered", "cityevents.handle_event", "handling"),
    "handle": ("dispatched", "handled", "cityevents.handle_event", "handling"),
    "verify": ("handled", "verified", "cityevents.verify_event", "verifier"),
    "verify_fail": ("handled", "dispatched", "cityevents.verify_event", "verifier"),
    "close": ("verified", "closed", "cityevents.register_event", "command"),
}
ACTION_LABELS: dict[str, str] = {
    "report": "上报",
    "register": "立案",
    "reject": "不予立案",
    "dispatch": "派遣",
    "return": "退回（非本部门职责）",
    "handle": "处置完成",
    "verify": "核查通过",
    "verify_fail": "核查不通过，退回重办",
    "close": "结案",
    "escalate": "超时升级",
    "merge": "合并重复上报",
    "merged": "并入其他事件",
}
# The stage actions that need photo evidence (处置 and 核查) and those that need a reason.
PHOTO_ACTIONS = ("handle", "verify", "verify_fail")
NOTE_ACTIONS = ("reject", "return", "verify_fail")


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def may_view_events(principal: Principal) -> bool:
    return principal.kind == "staff" and principal.has_perm("cityevents.view_cityevent")


def region_q(code: str) -> Q | None:
    """Events in the region `code` (province, city, county, town or village); None when the
    code has none of those shapes."""
    if code == "440000":
        return Q()
    if len(code) == 6 and code.endswith("00"):
        return Q(city_code=code)
    if len(code) == 6:
        return Q(county_code=code)
    if len(code) == 9:
        return Q(town_code=code)
    if len(code) == 12:
        return Q(region_id=code)
    return None


def region_scope(principal: Principal) -> Q:
    """Events in the principal's region, or those its organization is responsible for."""
    code = principal.region_code or ""
    # A principal's own region scope stops at towns.
    scope = region_q(code) if len(code) != 12 else None
    if scope is None:
        scope = Q(pk__in=[])
    if principal.organization_id:
        scope |= Q(command_organization_id=principal.organization_id)
        scope |= Q(handling_organization_id=principal.organization_id)
    if principal.kind == "staff" and principal.id.isdigit():
        scope |= Q(grid__workers__account_id=int(principal.id))
    return scope


def _require_viewer(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not may_view_events(principal):
        raise PermissionDenied("只有城市事件相关工作人员可以查看事件", code="cityevents/no_view")


@dataclass(frozen=True)
class EventFilters:
    stage: str = ""
    event_type_code: str = ""
    level: str = ""
    source: str = ""
    region_code: str = ""
    search: str = ""
    overdue_only: bool = False
    mine_only: bool = False  # waiting for the principal's organization


@dataclass
class EventRow:
    number: str
    title: str
    type_name: str
    category: str
    level_label: str
    stage: str
    stage_label: str
    source_label: str
    region_name: str
    grid_name: str
    reporter: str
    reported_at: datetime
    stage_due_at: datetime | None
    is_overdue: bool
    is_warning: bool
    command_organization: str
    handling_organization: str


@dataclass
class EventPage:
    rows: list[EventRow]
    total: int
    page: int
    pages: int
    stage_counts: dict[str, int] = field(default_factory=dict)


def _overdue(event: CityEvent, now: datetime) -> bool:
    return event.stage in OPEN_STAGES and (
        event.is_overdue or (event.stage_due_at is not None and event.stage_due_at < now)
    )


def _warning(event: CityEvent, now: datetime) -> bool:
    return (
        event.stage in OPEN_STAGES
        and not _overdue(event, now)
        and event.stage_due_at is not None
        and event.stage_due_at < now + timedelta(hours=SLA_WARNING_HOURS)
    )


def _row(event: CityEvent, now: datetime) -> EventRow:
    return EventRow(
        number=event.number,
        title=event.title,
        type_name=event.event_type.name,
        category=event.event_type.get_category_display(),
        level_label=event.level_label,
        stage=event.stage,
        stage_label=event.stage_label,
        source_label=event.source_label,
        region_name=event.region.name,
        grid_name=event.grid.name if event.grid_id else "",
        reporter=mask_name(event.reporter_label) or SOURCE_LABELS.get(event.source, ""),
        reported_at=event.reported_at,
        stage_due_at=event.stage_due_at if event.stage in OPEN_STAGES else None,
        is_overdue=_overdue(event, now),
        is_warning=_warning(event, now),
        command_organization=event.command_organization.name,
        handling_organization=event.handling_organization.name,
    )


def _filtered(principal: Principal, filters: EventFilters, now: datetime) -> QuerySet[CityEvent]:
    events = CityEvent.objects.filter(region_scope(principal)).distinct()
    if filters.stage in STAGE_LABELS:
        events = events.filter(stage=filters.stage)
    elif filters.stage == "open":
        events = events.filter(stage__in=OPEN_STAGES)
    if filters.event_type_code:
        events = events.filter(event_type__code=filters.event_type_code)
    if filters.level in LEVEL_LABELS:
        events = events.filter(level=filters.level)
    if filters.source in SOURCE_LABELS:
        events = events.filter(source=filters.source)
    region = region_q(filters.region_code) if filters.region_code else None
    if region is not None:
        events = events.filter(region)
    if filters.search:
        term = filters.search[:60]
        events = events.filter(
            Q(number__icontains=term) | Q(title__icontains=term) | Q(description__icontains=term)
        )
    if filters.overdue_only:
        events = events.filter(stage__in=OPEN_STAGES).filter(
            Q(is_overdue=True) | Q(stage_due_at__lt=now)
        )
    if filters.mine_only and principal.organization_id:
        org = principal.organization_id
        events = events.filter(
            Q(stage__in=("reported", "registered", "verified"), command_organization_id=org)
            | Q(stage="dispatched", handling_organization_id=org)
            | Q(stage="handled", command_organization_id=org)
        )
    return events


def _paged(events: QuerySet[CityEvent], page: int, now: datetime) -> EventPage:
    """One page of rows, newest first (2 queries: count and page)."""
    total = events.count()
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = [
        _row(event, now)
        for event in events.select_related(*_ROW_RELATED).order_by("-reported_at", "-pk")[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE
        ]
    ]
    return EventPage(rows=rows, total=total, page=page, pages=pages)


def event_list(
    *, principal: Principal, filters: EventFilters | None = None, page: int = 1, now=None
) -> EventPage:
    """Events the principal may see, newest first, PAGE_SIZE a page (3 queries)."""
    _require_viewer(principal)
    now = now or timezone.now()
    return _paged(_filtered(principal, filters or EventFilters(), now), page, now)


def is_grid_worker(principal: Principal, grid_id: int | None) -> bool:
    if grid_id is None or principal.kind != "staff" or not principal.id.isdigit():
        return False
    return GridWorker.objects.filter(grid_id=grid_id, account_id=int(principal.id)).exists()


def responsible_for(principal: Principal, event: CityEvent, action: str) -> bool:
    """Whether the principal may take `action` now: the right stage, the stage's permission,
    and membership of the responsible organization (or the grid's worker for 核查)."""
    rule = ACTIONS.get(action)
    if rule is None or event.stage != rule[0] or principal.kind != "staff":
        return False
    if not principal.has_perm(rule[2]):
        return False
    who = rule[3]
    if who == "command":
        return principal.organization_id == event.command_organization_id
    if who == "handling":
        return principal.organization_id == event.handling_organization_id
    # 核查: the grid's assigned worker; an event outside every grid: the command centre.
    if event.grid_id is not None:
        return is_grid_worker(principal, event.grid_id)
    return principal.organization_id == event.command_organization_id


def actions_for(principal: Principal, event: CityEvent) -> list[dict]:
    return [
        {
            "action": action,
            "label": ACTION_LABELS[action],
            "needs_photo": action in PHOTO_ACTIONS,
            "needs_note": action in NOTE_ACTIONS,
        }
        for action in ACTIONS
        if responsible_for(principal, event, action)
    ]


def _timeline(event: CityEvent, photos: list[EventPhoto]) -> list[dict]:
    photos_by_transition: dict[int, list[dict]] = {}
    for photo in photos:
        photos_by_transition.setdefault(photo.transition_id or 0, []).append(
            {"id": photo.pk, "purpose": photo.get_purpose_display()}
        )
    return [
        {
            "action": row.action,
            "label": ACTION_LABELS.get(row.action, row.action),
            "from_label": STAGE_LABELS.get(row.from_stage, ""),
            "to_label": STAGE_LABELS.get(row.to_stage, ""),
            "actor_label": row.actor_label or row.actor,
            "organization": row.organization.name if row.organization_id else "",
            "note": row.note,
            "due_at": row.due_at,
            "occurred_at": row.occurred_at,
            "photos": photos_by_transition.get(row.pk, []),
        }
        for row in event.timeline.select_related("organization").order_by("occurred_at", "pk")
    ]


def event_in_scope(*, principal: Principal, number: str) -> CityEvent:
    """One event a staff viewer may see (region-scoped), or NotFound."""
    _require_viewer(principal)
    event = (
        CityEvent.objects.filter(region_scope(principal), number=number)
        .select_related(*_ROW_RELATED)
        .first()
    )
    if event is None:
        raise NotFound("城市事件不存在或不在您的管辖范围内", code="cityevents/not_found")
    return event


def event_detail(*, principal: Principal, number: str, now=None) -> dict:
    """One event for staff (region-scoped), with timeline, photos, duplicates and actions.
    The reporter is masked unless the principal holds view_reporter (then audited by the
    caller's service `event_reporter_reveal`)."""
    event = event_in_scope(principal=principal, number=number)
    now = now or timezone.now()
    photos = list(event.photos.all())
    return {
        "event": event,
        "row": _row(event, now),
        "timeline": _timeline(event, photos),
        "photos": [
            {"id": p.pk, "purpose": p.get_purpose_display(), "name": p.original_name}
            for p in photos
        ],
        "actions": actions_for(principal, event),
        "reporters": [mask_name(r.label) or r.actor.split(":")[0] for r in event.reporters.all()],
        "duplicates": event_duplicate_candidates(event=event, now=now),
        "merged_into": event.merged_into.number if event.merged_into_id else "",
        "handling_level_label": HANDLING_LEVEL_LABELS.get(event.handling_level, ""),
        "may_merge": principal.has_perm("cityevents.merge_event"),
        "may_reveal": principal.has_perm("cityevents.view_reporter"),
    }


def event_duplicate_candidates(*, event: CityEvent, now=None, limit: int = 5) -> list[dict]:
    """Open events of the same type within the type's radius and time window of `event`
    (a bounding box in the database, then the exact distance)."""
    if event.stage not in OPEN_STAGES:
        return []
    event_type = event.event_type
    radius = event_type.duplicate_radius_m
    window = timedelta(hours=event_type.duplicate_window_hours)
    lat, lng = float(event.latitude), float(event.longitude)
    dlat = radius / 111_320
    dlng = radius / (111_320 * max(0.1, math.cos(math.radians(lat))))
    candidates = (
        CityEvent.objects.filter(
            event_type_id=event.event_type_id,
            stage__in=OPEN_STAGES,
            latitude__gte=lat - dlat,
            latitude__lte=lat + dlat,
            longitude__gte=lng - dlng,
            longitude__lte=lng + dlng,
            reported_at__gte=event.reported_at - window,
            reported_at__lte=event.reported_at + window,
        )
        .exclude(pk=event.pk)
        .order_by("reported_at")[:50]
    )
    found = []
    for other in candidates:
        meters = geometry.distance_m(lng, lat, float(other.longitude), float(other.latitude))
        if meters <= radius:
            found.append(
                {
                    "number": other.number,
                    "title": other.title,
                    "stage_label": other.stage_label,
                    "distance_m": round(meters),
                    "reported_at": other.reported_at,
                    "is_older": (other.reported_at, other.pk) < (event.reported_at, event.pk),
                }
            )
    return found[:limit]


def my_reports(*, principal: Principal, page: int = 1) -> EventPage:
    """The events a citizen (or a grid worker) reported, including those their report was
    merged into: one row per surviving event."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    events = CityEvent.objects.filter(
        pk__in=EventReporter.objects.filter(actor=principal.actor).values("event_id")
    ).exclude(stage="merged")
    return _paged(events, page, timezone.now())


def _public_steps(event: CityEvent, note_actions: tuple[str, ...]) -> list[dict]:
    """The timeline as outsiders see it: no staff names, notes only of `note_actions`."""
    return [
        {
            "label": ACTION_LABELS.get(row.action, row.action),
            "stage_label": STAGE_LABELS.get(row.to_stage, ""),
            "organization": row.organization.name if row.organization_id else "",
            "note": row.note if row.action in note_actions else "",
            "occurred_at": row.occurred_at,
        }
        for row in event.timeline.select_related("organization").order_by("occurred_at", "pk")
    ]


def my_report_detail(*, principal: Principal, number: str) -> dict:
    """A reporter's view of one event: stage, timeline labels without staff names."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    event = (
        CityEvent.objects.filter(
            number=number,
            pk__in=EventReporter.objects.filter(actor=principal.actor).values("event_id"),
        )
        .select_related(*_ROW_RELATED)
        .first()
    )
    if event is None:
        raise NotFound("没有找到您上报的该事件", code="cityevents/not_found")
    steps = _public_steps(event, ("reject", "close"))
    return {"event": event, "row": _row(event, timezone.now()), "steps": steps}


def event_status_for_source(*, source: str, external_ref: str) -> CityEvent | None:
    """The event a hotline ticket (or sensor alert) became (for status polling)."""
    if not external_ref:
        return None
    return (
        CityEvent.objects.filter(source=source, external_ref=external_ref)
        .select_related("event_type", "handling_organization", "merged_into")
        .first()
    )


def ticket_progress(*, source: str, external_ref: str) -> dict:
    """What the source system may know of its event: stage, department, steps (no staff
    names, no other reporters)."""
    event = event_status_for_source(source=source, external_ref=external_ref)
    if event is None:
        raise NotFound("没有该工单对应的城市事件", code="cityevents/ticket_not_found")
    steps = _public_steps(event, ("reject", "close", "merged"))
    return {
        "ticket_number": external_ref,
        "number": event.number,
        "stage": event.stage,
        "stage_label": event.stage_label,
        "handling_organization": event.handling_organization.name,
        "stage_due_at": event.stage_due_at if event.stage in OPEN_STAGES else None,
        "closed_at": event.closed_at,
        "merged_into": event.merged_into.number if event.merged_into_id else "",
        "steps": steps,
    }


def photo_for_viewer(*, principal: Principal, photo_id: int):
    """A photo, if the principal may see its event: staff in scope, or one of its reporters."""
    photo = EventPhoto.objects.select_related("event").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound("照片不存在", code="cityevents/photo_not_found")
    if not principal.is_authenticated:
        raise Unauthenticated()
    event = photo.event
    if (
        may_view_events(principal)
        and CityEvent.objects.filter(region_scope(principal), pk=event.pk).exists()
    ):
        return photo
    surviving = [event.pk] + ([event.merged_into_id] if event.merged_into_id else [])
    if EventReporter.objects.filter(actor=principal.actor, event_id__in=surviving).exists():
        return photo
    raise PermissionDenied("无权查看该照片", code="cityevents/photo_forbidden")
