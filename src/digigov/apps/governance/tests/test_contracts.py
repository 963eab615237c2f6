"""The statistics other areas provide (open data, city events, sensors): the agreed
signatures as stubs, and the real modules on an empty database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from digigov.support.identity.testing import login

from ..models import IndicatorValue
from ..selectors import sources
from ..services.compute import indicators_compute

pytestmark = pytest.mark.django_db


def _value(number: int, region: str = "440000"):
    return IndicatorValue.objects.get(
        indicator__number=number, region_id=region, department="", day=timezone.localdate()
    )


STUBS = {
    "open_dataset_count": lambda *, region_code=None, organization_id=None: {
        None: 12, "440100": 7}.get(region_code, 0),
    "device_counts": lambda *, region_code=None, kinds=None: {
        "total": 8, "online": 7, "offline": 1, "video": 3, "non_video": 5, "by_kind": {}},
    "recent_alerts": lambda *, region_code=None, kinds=None, limit=20: [
        {"id": 1, "device_code": "WL-0001", "kind_label": "水位", "rule_label": "水位超警戒",
         "value": 9.1, "raised_at": "2026-11-27 10:00", "level": "major",
         "region_name": "广州市", "url": "/staff/sensors/alerts/1/"}],
    "event_counts_by_region": lambda *, level="city", parent_code=None, since=None,
        event_type_codes=None: {"440100": 4, "440300": 2},
    "event_summary": lambda *, region_code=None, event_type_codes=None: {
        "total": 6, "open": 3, "closed": 3, "overdue": 1, "sla_warning": 1, "by_stage": {}},
    "event_sla_warnings": lambda *, region_code=None, event_type_codes=None, limit=20: [
        {"number": "SJ-0001", "type_name": "道路积水", "stage_label": "处置", "due_at": "今天 18:00",
         "region_name": "广州市", "url": "/staff/events/SJ-0001/"}],
    "event_type_choices": lambda: [("waterlogging", "道路积水")],
    "sensor_kind_choices": lambda: [("water-level", "水位")],
    "open_dataset_choices": lambda: [("gd-air", "空气质量")],
}  # fmt: skip


@pytest.fixture
def stubs(monkeypatch):
    for name in ("opendata_stat", "cityevents_stat", "sensors_stat"):
        monkeypatch.setattr(sources, name, lambda function: STUBS.get(function))


def test_stubbed_statistics_feed_indicators_and_panels(stubs, client, officer):
    indicators_compute()
    assert _value(12).value == 12 and _value(12, "440100").value == 7
    assert _value(12, "440500").value is None  # nothing opened there: no data
    assert _value(13).value == Decimal("0.0003") and _value(13).numerator == 3
    assert _value(14).numerator == 5
    login(client, officer)
    page = client.get(reverse("staff:governance")).content.decode()
    assert "SJ-0001" in page and "WL-0001" in page and '"eventsAvailable": true' in page
    assert "感知终端 <strong>8</strong>" in page
    saved = client.post(
        reverse("staff:governance_topic_new"),
        {"code": "flood", "name": "防汛", "function": "ecology", "sectors": ["slt"],
         "event_types": ["waterlogging"], "sensor_kinds": ["water-level"], "datasets": ["gd-air"],
         "is_active": "on"},
    )  # fmt: skip
    assert saved.status_code == 302
    unknown = client.post(
        reverse("staff:governance_topic_edit", args=["flood"]),
        {"name": "防汛", "function": "ecology", "event_types": ["nope"]},
    )
    assert unknown.status_code == 422 and "未知的选项" in unknown.content.decode()


@pytest.mark.areas_online
def test_real_modules_on_an_empty_database(client, officer):
    indicators_compute()
    for number in (12, 13, 14):
        value = _value(number)
        assert value.value is None and "unavailable" not in value.detail, number
    login(client, officer)
    assert client.get(reverse("staff:governance")).status_code == 200
    assert client.get(reverse("staff:governance_city", args=["440100"])).status_code == 200
    assert client.get(reverse("staff:governance_topic_new")).status_code == 200
