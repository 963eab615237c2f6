"""The dashboard's panels besides the indicators: events by region (the map), city-event
SLA warnings, sensor devices and alerts, and service volumes (cases per day). Each panel
reads the owning area's statistics; a panel whose area has not shipped them says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from digigov.apps.services.selectors.indicators import cases_per_day
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_children

from ..constants import HISTORY_DAYS, PROVINCE_CODE
from ..models import Topic
from . import sources
from .access import region_for

PANEL_LIMIT = 10


@dataclass(frozen=True)
class Panels:
    region_code: str
    region_name: str
    region_level: str
    map_level: str  # "city" on the province's map; "county" inside a city
    events_by_region: dict[str, int] | None  # None: the events area has no statistics yet
    region_names: dict[str, str]
    event_summary: dict[str, Any] | None
    sla_warnings: list[dict[str, Any]] | None
    devices: dict[str, Any] | None
    alerts: list[dict[str, Any]] | None
    cases_per_day: list[tuple[dt.date, int]]
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def cases_total(self) -> int:
        return sum(count for _day, count in self.cases_per_day)

    def chart_data(self) -> dict[str, Any]:
        """What the page's charts draw (embedded with json_script; the API returns the same)."""
        return {
            "region": self.region_code,
            "regionName": self.region_name,
            "mapLevel": self.map_level,
            "eventsByRegion": [
                {"code": code, "name": self.region_names.get(code, code), "value": count}
                for code, count in sorted((self.events_by_region or {}).items())
            ],
            "eventsAvailable": self.events_by_region is not None,
            "casesPerDay": [[day.isoformat(), count] for day, count in self.cases_per_day],
            "devices": self.devices or {},
        }


def _scope_code(region_code: str) -> str | None:
    return None if region_code == PROVINCE_CODE else region_code


def dashboard_panels(
    *,
    principal: Principal,
    region_code: str = PROVINCE_CODE,
    topic: Topic | None = None,
    today: dt.date | None = None,
) -> Panels:
    region = region_for(principal=principal, region_code=region_code)
    today = today or timezone.localdate()
    code = _scope_code(region.code)
    event_types = list(topic.event_types) if topic and topic.event_types else None
    kinds = list(topic.sensor_kinds) if topic and topic.sensor_kinds else None
    map_level = "city" if region.level == "province" else "county"
    events = None
    if (counts := sources.cityevents_stat("event_counts_by_region")) is not None:
        events = counts(
            level=map_level,
            parent_code=None if region.level == "province" else region.code,
            event_type_codes=event_types,
        )
    summary = None
    if (summarize := sources.cityevents_stat("event_summary")) is not None:
        summary = summarize(region_code=code, event_type_codes=event_types)
    warnings = None
    if (warn := sources.cityevents_stat("event_sla_warnings")) is not None:
        warnings = warn(region_code=code, event_type_codes=event_types, limit=PANEL_LIMIT)
    devices = None
    if (device_counts := sources.sensors_stat("device_counts")) is not None:
        devices = device_counts(region_code=code, kinds=kinds)
    alerts = None
    if (recent := sources.sensors_stat("recent_alerts")) is not None:
        alerts = recent(region_code=code, kinds=kinds, limit=PANEL_LIMIT)
    prefix = (
        ""
        if region.level == "province"
        else region.code[:4]
        if region.level == "city"
        else region.code
    )
    children = region_children(parent_code=region.code) if region.level != "county" else []
    return Panels(
        region_code=region.code,
        region_name=region.name,
        region_level=region.level,
        map_level=map_level,
        events_by_region=events,
        region_names={child.code: child.name for child in children},
        event_summary=summary,
        sla_warnings=warnings,
        devices=devices,
        alerts=alerts,
        cases_per_day=cases_per_day(
            since=today - dt.timedelta(days=HISTORY_DAYS - 1), until=today, region_prefix=prefix
        ),
        filters={"event_types": event_types or [], "sensor_kinds": kinds or []},
    )
