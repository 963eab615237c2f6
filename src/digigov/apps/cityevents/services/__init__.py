"""Commands of 城市事件 and 网格 (other apps call these, e.g. apps/sensors raises events
through city_event_report)."""

from .events import (
    CityEventRef,
    EscalationResult,
    city_event_act,
    city_event_merge,
    city_event_report,
    city_events_escalate,
    event_reporter_reveal,
)

__all__ = [
    "CityEventRef",
    "EscalationResult",
    "city_event_act",
    "city_event_merge",
    "city_event_report",
    "city_events_escalate",
    "event_reporter_reveal",
]
