"""Reads of the device registry, readings, alerts and ingest counters, for the pages and the
API. Each takes the acting principal and refuses those who may not see sensors."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region

from ..constants import COUNTER_LABELS
from ..models import Alert, Device, DeviceKind, IngestCounter, Reading, Rejection, Rule
from .access import may_view, may_view_ingest

MAX_PAGE_SIZE = 100
MAX_READINGS = 5000
STATE_LABELS = dict(Device.State.choices)
ALERT_STATE_LABELS = dict(Alert.State.choices)
LEVEL_LABELS = dict(Rule.Level.choices)
RULE_TYPE_LABELS = dict(Rule.Type.choices)


def _require_view(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not may_view(principal):
        raise PermissionDenied("只有感知设备相关人员可以查看感知终端")


def region_filter(field: str, region_code: str | None) -> Q:
    """A region and everything under it: 440000 the province, 440100 a city, else exact."""
    code = (region_code or "").strip()
    if not code:
        return Q()
    if code.endswith("0000"):
        return Q(**{f"{field}__code__startswith": code[:2]})
    if code.endswith("00"):
        return Q(**{f"{field}__code__startswith": code[:4]})
    return Q(**{f"{field}_id": code})


@dataclass(frozen=True)
class DeviceFilters:
    search: str = ""
    kind_code: str = ""
    region_code: str = ""
    state: str = ""
    organization_id: int | None = None


@dataclass(frozen=True)
class DeviceRow:
    id: int
    code: str
    name: str
    kind_code: str
    kind_name: str
    unit: str
    is_video: bool
    region_code: str
    region_name: str
    owner_name: str
    owner_organization_id: int
    longitude: float
    latitude: float
    is_active: bool
    state: str
    state_label: str
    last_seen_at: dt.datetime | None
    last_value: float | None


@dataclass(frozen=True)
class DevicePage:
    rows: list[DeviceRow]
    total: int
    page: int
    pages: int
    page_size: int


def _row(device: Device) -> DeviceRow:
    return DeviceRow(
        id=device.pk,
        code=device.code,
        name=device.name,
        kind_code=device.kind.code,
        kind_name=device.kind.name,
        unit=device.kind.unit,
        is_video=device.kind.is_video,
        region_code=device.region_id,
        region_name=device.region.name,
        owner_name=device.owner_organization.name,
        owner_organization_id=device.owner_organization_id,
        longitude=device.longitude,
        latitude=device.latitude,
        is_active=device.is_active,
        state=device.state,
        state_label=STATE_LABELS.get(device.state, device.state),
        last_seen_at=device.last_seen_at,
        last_value=device.last_value,
    )


def _devices() -> QuerySet[Device]:
    return Device.objects.select_related("kind", "region", "owner_organization")


def alerts_with_device() -> QuerySet[Alert]:
    """Alerts with what their rows show (device, kind, region, rule) in one query."""
    return Alert.objects.select_related("device__kind", "device__region", "rule")


def _paginate(rows: QuerySet, page: int, page_size: int) -> tuple[QuerySet, int, int, int, int]:
    """One page of an ordered queryset: the page's slice, total, page, pages, page size
    (page and page size clamped to what exists)."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    total = rows.count()
    pages = max(1, math.ceil(total / page_size))
    page = max(1, min(page, pages))
    start = (page - 1) * page_size
    return rows[start : start + page_size], total, page, pages, page_size


def device_list(
    *, principal: Principal, filters: DeviceFilters, page: int = 1, page_size: int = 20
) -> DevicePage:
    _require_view(principal)
    devices = _devices().filter(region_filter("region", filters.region_code))
    if filters.search:
        term = filters.search.strip()[:60]
        devices = devices.filter(Q(code__icontains=term) | Q(name__icontains=term))
    if filters.kind_code:
        devices = devices.filter(kind__code=filters.kind_code)
    if filters.state:
        devices = devices.filter(state=filters.state)
    if filters.organization_id:
        devices = devices.filter(owner_organization_id=filters.organization_id)
    window, total, page, pages, page_size = _paginate(devices.order_by("code"), page, page_size)
    rows = [_row(d) for d in window]
    return DevicePage(rows=rows, total=total, page=page, pages=pages, page_size=page_size)


def device_get(*, principal: Principal, device_id: int | None = None, code: str = "") -> DeviceRow:
    _require_view(principal)
    lookup = {"pk": device_id} if device_id is not None else {"code": code}
    device = _devices().filter(**lookup).first()
    if device is None:
        raise NotFound("设备不存在", code="device_not_found")
    return _row(device)


@dataclass(frozen=True)
class ReadingRow:
    seq: int
    recorded_at: dt.datetime
    value: float


def readings_for_device(
    *,
    principal: Principal,
    device_id: int,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 500,
) -> list[ReadingRow]:
    """A device's readings in a time range, newest first (default: the latest `limit`)."""
    _require_view(principal)
    if not Device.objects.filter(pk=device_id).exists():
        raise NotFound("设备不存在", code="device_not_found")
    if since and until and since > until:
        raise ValidationFailed("起始时间不能晚于结束时间", code="range_invalid")
    readings = Reading.objects.filter(device_id=device_id)
    if since:
        readings = readings.filter(recorded_at__gte=since)
    if until:
        readings = readings.filter(recorded_at__lte=until)
    limit = max(1, min(limit, MAX_READINGS))
    return [
        ReadingRow(seq=seq, recorded_at=at, value=value)
        for seq, at, value in readings.order_by("-recorded_at").values_list(
            "seq", "recorded_at", "value"
        )[:limit]
    ]


def region_choices(*, counties: bool = False) -> list[tuple[str, str]]:
    """Guangdong's cities (and with counties=True their counties), for filters and forms."""
    levels = ["city", "county"] if counties else ["city"]
    return list(
        Region.objects.filter(code__startswith="44", level__in=levels)
        .order_by("code")
        .values_list("code", "name")
    )


def owner_choices() -> list[tuple[int, str]]:
    return list(
        Organization.objects.filter(is_active=True, level__in=["province", "city"])
        .order_by("code")
        .values_list("pk", "name")
    )


def kind_list() -> list[DeviceKind]:
    return list(DeviceKind.objects.order_by("code"))


@dataclass(frozen=True)
class RuleRow:
    id: int
    kind_code: str
    kind_name: str
    device_code: str
    name: str
    rule_type: str
    rule_type_label: str
    limit: float
    consecutive: int
    level: str
    level_label: str
    raises_event: bool
    event_type_code: str
    is_active: bool
    unit: str


def rule_list(*, principal: Principal) -> list[RuleRow]:
    _require_view(principal)
    return [
        RuleRow(
            id=r.pk,
            kind_code=r.kind.code,
            kind_name=r.kind.name,
            device_code=r.device.code if r.device_id else "",
            name=r.name,
            rule_type=r.rule_type,
            rule_type_label=RULE_TYPE_LABELS[r.rule_type],
            limit=r.limit,
            consecutive=r.consecutive,
            level=r.level,
            level_label=LEVEL_LABELS[r.level],
            raises_event=r.raises_event,
            event_type_code=r.event_type_code,
            is_active=r.is_active,
            unit=r.kind.unit,
        )
        for r in Rule.objects.select_related("kind", "device")
    ]


@dataclass(frozen=True)
class AlertRow:
    id: int
    device_id: int
    device_code: str
    device_name: str
    kind_name: str
    unit: str
    region_name: str
    rule_name: str
    value: float
    reading_at: dt.datetime
    raised_at: dt.datetime
    level: str
    level_label: str
    state: str
    state_label: str
    city_event_number: str
    event_pending: bool
    event_error: str
    note: str


@dataclass(frozen=True)
class AlertPage:
    rows: list[AlertRow]
    total: int
    page: int
    pages: int
    page_size: int


def alert_rows(alerts) -> list[AlertRow]:
    return [
        AlertRow(
            id=a.pk,
            device_id=a.device_id,
            device_code=a.device.code,
            device_name=a.device.name,
            kind_name=a.device.kind.name,
            unit=a.device.kind.unit,
            region_name=a.device.region.name,
            rule_name=a.rule.name,
            value=a.value,
            reading_at=a.reading_at,
            raised_at=a.raised_at,
            level=a.level,
            level_label=LEVEL_LABELS.get(a.level, a.level),
            state=a.state,
            state_label=ALERT_STATE_LABELS[a.state],
            city_event_number=a.city_event_number,
            event_pending=a.wants_event and not a.city_event_id,
            event_error=a.event_error,
            note=a.note,
        )
        for a in alerts
    ]


def alert_list(
    *,
    principal: Principal,
    state: str = "",
    region_code: str = "",
    device_id: int | None = None,
    search: str = "",
    page: int = 1,
    page_size: int = 20,
) -> AlertPage:
    _require_view(principal)
    alerts = alerts_with_device().filter(region_filter("device__region", region_code))
    if state:
        alerts = alerts.filter(state=state)
    if device_id:
        alerts = alerts.filter(device_id=device_id)
    if search:
        term = search.strip()[:60]
        alerts = alerts.filter(Q(device__code__icontains=term) | Q(device__name__icontains=term))
    window, total, page, pages, page_size = _paginate(
        alerts.order_by("-raised_at", "-id"), page, page_size
    )
    rows = alert_rows(window)
    return AlertPage(rows=rows, total=total, page=page, pages=pages, page_size=page_size)


def alert_get(*, principal: Principal, alert_id: int) -> AlertRow:
    _require_view(principal)
    alert = alerts_with_device().filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("告警不存在", code="alert_not_found")
    return alert_rows([alert])[0]


@dataclass(frozen=True)
class IngestStats:
    counters: list[tuple[str, str, int]]  # key, label, count
    recent_rejections: list[Rejection]
    last_update: dt.datetime | None


def ingest_stats(*, principal: Principal, rejections: int = 20) -> IngestStats:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not may_view_ingest(principal):
        raise PermissionDenied("只有感知设备管理人员可以查看接入统计")
    found = dict(IngestCounter.objects.values_list("key", "count"))
    last = IngestCounter.objects.order_by("-updated_at").values_list("updated_at", flat=True)
    return IngestStats(
        counters=[(key, label, found.get(key, 0)) for key, label in COUNTER_LABELS.items()],
        recent_rejections=list(Rejection.objects.order_by("-received_at", "-id")[:rejections]),
        last_update=last.first(),
    )
