"""The selectors the dashboards call: device counts (video / non-video, by kind, by
region), recent alerts, kind choices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.apps.sensors.selectors.stats import device_counts, recent_alerts, sensor_kind_choices
from digigov.apps.sensors.services.devices import kind_ensure
from digigov.apps.sensors.services.ingest import Incoming, IngestEngine
from digigov.apps.sensors.services.offline import devices_check_offline
from digigov.apps.sensors.testing import device_make, rule_make, water_kind

pytestmark = pytest.mark.django_db


def test_counts_alerts_and_choices():
    camera = kind_ensure(
        code="camera", name="视频监控", unit="", min_value=0, max_value=1, is_video=True
    )
    device_make("wl-0001")
    device_make("wl-0002", region_code="440300", lng=114.05, lat=22.55)
    device_make("cam-0001", kind=camera)
    rule_make(water_kind(), limit=10)
    engine = IngestEngine()
    engine.warm()
    now = timezone.now()
    body = f'{{"seq": 1, "ts": "{now.isoformat()}", "value": 12}}'.encode()
    engine.process([Incoming("gd/sensors/440300/wl-0002/reading", body, now)])
    devices_check_offline(now=now + dt.timedelta(hours=1))

    everything = device_counts()
    assert everything == {
        "total": 3,
        "online": 0,
        "offline": 1,
        "video": 1,
        "non_video": 2,
        "by_kind": {"水位": 2, "视频监控": 1},
    }
    assert device_counts(region_code="440300")["total"] == 1
    assert device_counts(region_code="440100", kinds=["camera"])["video"] == 1
    assert device_counts(kinds=[])["total"] == 0

    alerts = recent_alerts()
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["device_code"], alert["kind_label"], alert["value"]) == ("wl-0002", "水位", 12)
    assert alert["region_name"] and alert["url"].startswith("/staff/sensors/alerts/")
    assert recent_alerts(region_code="440100") == []
    assert sensor_kind_choices() == [("camera", "视频监控"), ("water-level", "水位")]
