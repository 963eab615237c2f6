"""The selectors the dashboards call, and grid statistics."""

from __future__ import annotations

import datetime as dt

import pytest

from digigov.apps.cityevents.selectors.stats import (
    event_counts_by_region,
    event_sla_warnings,
    event_summary,
    event_type_choices,
    grid_list,
    grid_statistics,
)
from digigov.apps.cityevents.services import city_event_act, city_event_report
from digigov.apps.cityevents.testing import SHENZHEN_POINT, photo

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _report(point, type_code="env.noise", now=T0):
    return city_event_report(
        source="sensor",
        event_type_code=type_code,
        lng=point[0],
        lat=point[1],
        title="测试",
        now=now,
    )


def test_counts_summary_and_warnings(world, dispatcher, handler):
    closed = _report(world.grid_point)
    _report(world.grid_point, type_code="cityapp.garbage")
    _report(SHENZHEN_POINT)
    for action, who in (
        ("register", dispatcher),
        ("dispatch", dispatcher),
        ("handle", handler),
        ("verify", world.worker_principal),
        ("close", dispatcher),
    ):
        city_event_act(
            principal=who,
            number=closed.number,
            action=action,
            photos=[photo()] if action in ("handle", "verify") else [],
            now=T0 + dt.timedelta(hours=1),
        )
    assert event_counts_by_region(level="city") == {"440100": 2, "440300": 1}
    assert event_counts_by_region(level="county", parent_code="440100") == {"440106": 2}
    assert event_counts_by_region(level="city", event_type_codes=["env.noise"]) == {
        "440100": 1,
        "440300": 1,
    }
    assert event_counts_by_region(level="province") == {"440000": 3}
    assert event_counts_by_region(level="city", since=T0 + dt.timedelta(days=1)) == {}
    summary = event_summary(now=T0 + dt.timedelta(minutes=30))
    assert (summary["total"], summary["open"], summary["closed"]) == (3, 2, 1)
    assert summary["by_stage"]["结案"] == 1 and summary["by_stage"]["上报"] == 2
    later = event_summary(now=T0 + dt.timedelta(days=2))
    assert later["overdue"] == 2
    assert event_summary(region_code="440300")["total"] == 1
    warnings = event_sla_warnings(now=T0 + dt.timedelta(days=2))
    assert len(warnings) == 2
    assert set(warnings[0]) == {
        "number",
        "type_name",
        "stage_label",
        "due_at",
        "region_name",
        "url",
    }
    assert warnings[0]["url"].startswith("/staff/events/")
    assert ("env.water_level", "水位超限") in event_type_choices()
    stats = grid_statistics(now=T0 + dt.timedelta(days=2))
    assert stats[world.grid.pk]["closed"] == 1 and stats[world.grid.pk]["open"] == 1
    assert stats[world.grid.pk]["average_hours"] == 1.0
    page = grid_list(search=world.grid.code)
    assert page["total"] == 1 and page["rows"][0]["workers"]
