"""/api/v1/sensors: who may list, register, change devices and handle alerts (anonymous,
citizen, staff without the permission, staff with it); denied calls change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from digigov.apps.sensors.models import Alert, Device
from digigov.apps.sensors.services.ingest import Incoming, IngestEngine
from digigov.apps.sensors.testing import device_make, owner_id, rule_make, water_kind
from digigov.support.identity.testing import citizen_make, login, staff_make

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sensors"
STAFF_ORG = "440000-zsj"


def _caller(client, who: str):
    if who == "anonymous":
        return client
    if who == "citizen":
        return login(client, citizen_make("citizen_sensors"))
    roles = ["感知设备管理员"] if who == "staff_with" else ["审批人员"]
    return login(client, staff_make(f"staff_{who}", organization_code=STAFF_ORG, roles=roles))


def _body(code="wl-api-1", **over):
    return {
        "code": code,
        "kind_code": "water-level",
        "name": "珠江水位计",
        "longitude": 113.3,
        "latitude": 23.1,
        "region_code": "440100",
        "owner_organization_id": owner_id(),
        **over,
    }


def _alert() -> Alert:
    device_make("wl-0001")
    rule_make(water_kind(), limit=10)
    engine = IngestEngine()
    engine.warm()
    now = timezone.now()
    payload = f'{{"seq": 1, "ts": "{now.isoformat()}", "value": 20}}'.encode()
    engine.process([Incoming("gd/sensors/440100/wl-0001/reading", payload, now)])
    return Alert.objects.get()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 403), ("staff_without", 403), ("staff_with", 201)],
)
def test_register_device(client, who, status):
    device_make("wl-0001")
    caller = _caller(client, who)
    response = caller.post(f"{BASE}/devices", _body(), content_type="application/json")
    assert response.status_code == status, response.content
    assert Device.objects.filter(code="wl-api-1").exists() == (status == 201)
    if status == 201:
        assert response.json()["state"] == "new"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 403), ("staff_without", 403), ("staff_with", 200)],
)
def test_acknowledge_alert(client, who, status):
    alert = _alert()
    caller = _caller(client, who)
    response = caller.post(
        f"{BASE}/alerts/{alert.pk}/acknowledge", {"note": "已通知"}, content_type="application/json"
    )
    assert response.status_code == status, response.content
    alert.refresh_from_db()
    assert alert.state == ("acknowledged" if status == 200 else "open")


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 403), ("staff_without", 403), ("staff_with", 200)],
)
def test_list_devices(client, who, status):
    device_make("wl-0001")
    response = _caller(client, who).get(f"{BASE}/devices")
    assert response.status_code == status
    if status == 200:
        assert [row["code"] for row in response.json()["rows"]] == ["wl-0001"]


def test_bad_device_is_422_with_fields_and_changes_nothing(client):
    device_make("wl-0001")
    caller = _caller(client, "staff_with")
    body = _body(longitude=150.0, region_code="110000", name="")
    response = caller.post(f"{BASE}/devices", body, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "device_invalid"
    assert {"longitude", "region_code", "name"} <= set(error["fields"])
    taken = caller.post(f"{BASE}/devices", _body("wl-0001"), content_type="application/json")
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "device_code_taken"
    assert Device.objects.count() == 1


def test_device_list_query_count_does_not_grow_with_rows(client):
    for n in range(3):
        device_make(f"wl-{n:04d}")
    caller = _caller(client, "staff_with")
    caller.get(f"{BASE}/devices")  # warm the session
    with CaptureQueriesContext(connection) as few:
        caller.get(f"{BASE}/devices")
    for n in range(3, 15):
        device_make(f"wl-{n:04d}")
    with CaptureQueriesContext(connection) as many:
        response = caller.get(f"{BASE}/devices", {"page_size": 50})
    assert len(response.json()["rows"]) == 15
    assert len(many) == len(few)


def test_readings_by_time_range_and_close_needs_a_note(client):
    alert = _alert()
    caller = _caller(client, "staff_with")
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    rows = caller.get(f"{BASE}/devices/{alert.device_id}/readings", {"since": since}).json()
    assert [r["value"] for r in rows] == [20.0]
    empty = caller.get(
        f"{BASE}/devices/{alert.device_id}/readings",
        {"until": (timezone.now() - dt.timedelta(hours=1)).isoformat()},
    ).json()
    assert empty == []
    refused = caller.post(f"{BASE}/alerts/{alert.pk}/close", {}, content_type="application/json")
    assert refused.status_code == 422
    closed = caller.post(
        f"{BASE}/alerts/{alert.pk}/close",
        {"note": "已排查，传感器被淹"},
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    listed = caller.get(f"{BASE}/alerts", {"state": "closed"}).json()
    assert [row["id"] for row in listed["rows"]] == [alert.pk]
