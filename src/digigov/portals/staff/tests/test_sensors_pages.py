"""粤政易 · 感知终端: device registry, register/edit, device detail with readings, rules,
alerts (acknowledge, close) and ingest counters; who gets in, and that refused actions
change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from digigov.apps.sensors.models import Alert, Device, Rule
from digigov.apps.sensors.services.ingest import Incoming, IngestEngine
from digigov.apps.sensors.testing import device_make, owner_id, rule_make, water_kind
from digigov.support.identity.testing import citizen_make, login, staff_make

pytestmark = pytest.mark.django_db
ORG = "440000-zsj"


def _as(client, who: str):
    if who == "anonymous":
        return client
    if who == "citizen":
        return login(client, citizen_make("citizen_pages"))
    roles = ["感知设备管理员"] if who == "staff_with" else ["审批人员"]
    return login(client, staff_make(f"sp_{who}", organization_code=ORG, roles=roles))


def _alert() -> Alert:
    rule_make(water_kind(), limit=10)
    engine = IngestEngine()
    engine.warm()
    now = timezone.now()
    at = [(now - dt.timedelta(seconds=s)).isoformat() for s in (2, 1)]
    payloads = [f'{{"seq": {n}, "ts": "{at[n - 1]}", "value": {v}}}' for n, v in ((1, 5), (2, 20))]
    engine.process(
        [Incoming("gd/sensors/440100/wl-0001/reading", p.encode(), now) for p in payloads]
    )
    return Alert.objects.get()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("citizen", False), ("staff_without", False), ("staff_with", True)],
)
def test_pages_are_for_sensor_staff_only(client, who, allowed):
    device = device_make("wl-0001")
    caller = _as(client, who)
    for url in (
        "/staff/sensors/",
        f"/staff/sensors/devices/{device.pk}/",
        "/staff/sensors/alerts/",
        "/staff/sensors/rules/",
        "/staff/sensors/ingest/",
        "/staff/sensors/devices/new/",
    ):
        response = caller.get(url)
        if allowed:
            assert response.status_code == 200, url
        else:
            assert response.status_code in (302, 403), (url, response.status_code)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("citizen", False), ("staff_without", False), ("staff_with", True)],
)
def test_register_device_form(client, who, allowed):
    device_make("wl-0001")
    caller = _as(client, who)
    response = caller.post(
        "/staff/sensors/devices/new/",
        {
            "code": "wl-new-1",
            "kind_code": "water-level",
            "name": "新水位计",
            "longitude": "113.3",
            "latitude": "23.1",
            "region_code": "440100",
            "owner": str(owner_id()),
            "is_active": "1",
        },
    )
    assert Device.objects.filter(code="wl-new-1").exists() == allowed
    if allowed:
        assert response.status_code == 302


def test_bad_device_form_shows_chinese_errors_and_stores_nothing(client):
    device_make("wl-0001")
    caller = _as(client, "staff_with")
    response = caller.post(
        "/staff/sensors/devices/new/",
        {
            "code": "坏",
            "kind_code": "",
            "name": "",
            "longitude": "200",
            "latitude": "x",
            "region_code": "440100",
            "owner": "",
        },
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "设备信息不完整或不正确" in text and "经度须在广东省范围内" in text
    assert Device.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("citizen", False), ("staff_without", False), ("staff_with", True)],
)
def test_acknowledge_and_close_alert(client, who, allowed):
    device_make("wl-0001")
    alert = _alert()
    caller = _as(client, who)
    caller.post(f"/staff/sensors/alerts/{alert.pk}/acknowledge/")
    alert.refresh_from_db()
    assert alert.state == ("acknowledged" if allowed else "open")
    caller.post(f"/staff/sensors/alerts/{alert.pk}/close/", {"note": "已处置"})
    alert.refresh_from_db()
    assert alert.state == ("closed" if allowed else "open")


def test_rule_editor_saves_and_refuses_bad_input(client):
    device_make("wl-0001")
    caller = _as(client, "staff_with")
    bad = caller.post(
        "/staff/sensors/rules/",
        {
            "kind_code": "water-level",
            "name": "x",
            "rule_type": "rate",
            "limit": "-1",
            "consecutive": "1",
            "level": "general",
        },
    )
    assert bad.status_code == 422 and "变化率阈值须大于 0" in bad.content.decode()
    assert not Rule.objects.exists()
    ok = caller.post(
        "/staff/sensors/rules/",
        {
            "kind_code": "water-level",
            "name": "水位过高",
            "rule_type": "above",
            "limit": "8",
            "consecutive": "2",
            "level": "larger",
            "raises_event": "1",
            "event_type_code": "env.water_level",
            "is_active": "1",
        },
    )
    assert ok.status_code == 302
    rule = Rule.objects.get()
    assert (rule.limit, rule.consecutive, rule.raises_event) == (8.0, 2, True)


def test_device_page_shows_readings_and_chart_and_ingest_counts(client):
    device = device_make("wl-0001")
    _alert()
    caller = _as(client, "staff_with")
    page = caller.get(f"/staff/sensors/devices/{device.pk}/").content.decode()
    assert "vendor/echarts/echarts.min.js" in page and 'id="reading-series"' in page
    assert "在线" in page
    counters = caller.get("/staff/sensors/ingest/").content.decode()
    assert 'data-key="stored"' in counters


def test_device_list_searches_filters_pages_with_constant_queries(client):
    for n in range(3):
        device_make(f"wl-{n:04d}")
    caller = _as(client, "staff_with")
    caller.get("/staff/sensors/")
    with CaptureQueriesContext(connection) as few:
        caller.get("/staff/sensors/")
    for n in range(3, 25):
        device_make(f"wl-{n:04d}", region_code="440300", lng=114.05, lat=22.55)
    with CaptureQueriesContext(connection) as many:
        response = caller.get("/staff/sensors/")
    assert len(many) == len(few)
    assert response.context["page"].total == 25 and response.context["page"].pages == 2
    found = caller.get("/staff/sensors/", {"q": "wl-0002"}).context["page"]
    assert [r.code for r in found.rows] == ["wl-0002"]
    shenzhen = caller.get("/staff/sensors/", {"region": "440300"}).context["page"]
    assert shenzhen.total == 22
