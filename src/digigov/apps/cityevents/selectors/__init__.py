"""Reads of 城市事件 and 网格 (other apps use these and services only)."""

from .events import event_status_for_source, my_reports
from .stats import (
    event_counts_by_region,
    event_sla_warnings,
    event_summary,
    event_type_choices,
    grid_statistics,
)

__all__ = [
    "event_counts_by_region",
    "event_sla_warnings",
    "event_status_for_source",
    "event_summary",
    "event_type_choices",
    "grid_statistics",
    "my_reports",
]
