"""The demo seed: kinds, ~200 devices in the 21 cities, rules, a day of readings through
the ingest engine, planted alerts with their city events, a few silent devices offline."""

from __future__ import annotations

import pytest

from digigov.apps.sensors.models import Alert, Device, DeviceKind, Reading
from digigov.apps.sensors.selectors.stats import device_counts
from digigov.apps.sensors.services.demo import sensors_demo_seed
from digigov.apps.sensors.testing import places_ensure

pytestmark = pytest.mark.django_db


def test_demo_seed_is_realistic_and_idempotent():
    from digigov.apps.cityevents.services.catalog import event_types_seed

    places_ensure()
    event_types_seed()
    summary = sensors_demo_seed(seed=7)
    assert "设备" in summary
    assert DeviceKind.objects.count() == 5
    counts = device_counts()
    assert counts["total"] == Device.objects.count() == 21 * 10
    assert counts["video"] == 21 * 3 and counts["offline"] > 0
    assert len({d for d in Device.objects.values_list("region_id", flat=True)}) == 21
    assert Reading.objects.count() == 21 * (7 * 96 + 3 * 24)  # every 15 min, cameras hourly
    flood = Alert.objects.filter(rule__name="水位超警戒")
    assert flood.count() == 4
    assert all(a.city_event_id for a in flood)
    assert sensors_demo_seed(seed=7) == "已存在，跳过"
