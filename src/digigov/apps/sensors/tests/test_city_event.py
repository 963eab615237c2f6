"""An alert whose rule asks for it becomes a city event (apps/cityevents), once: the alerts
table is the outbox, retried until the event exists; a failure is recorded, not lost."""

from __future__ import annotations

import pytest
from django.utils import timezone

from digigov.apps.sensors.models import Alert
from digigov.apps.sensors.services.alerts import alert_escalate, alerts_escalate_pending
from digigov.apps.sensors.services.ingest import Incoming, IngestEngine
from digigov.apps.sensors.testing import device_make, rule_make, water_kind

pytestmark = pytest.mark.django_db


def _breach(event_type_code: str) -> Alert:
    from digigov.apps.cityevents.services.catalog import event_types_seed

    device_make("wl-0001")
    event_types_seed()
    rule_make(water_kind(), limit=10, raises_event=True, event_type_code=event_type_code)
    engine = IngestEngine()
    engine.warm()
    now = timezone.now()
    payload = f'{{"seq": 1, "ts": "{now.isoformat()}", "value": 20}}'.encode()
    outcome = engine.process([Incoming("gd/sensors/440100/wl-0001/reading", payload, now)])
    alert = Alert.objects.get()
    assert outcome.event_alert_ids == [alert.pk]
    return alert


def test_alert_becomes_one_city_event():

    alert = _breach("env.water_level")
    assert alerts_escalate_pending() == 1
    alert.refresh_from_db()
    assert alert.city_event_id and alert.city_event_number.startswith("SJ")
    first = (alert.city_event_id, alert.city_event_number)
    assert alert_escalate(alert_id=alert.pk)  # again: the same event, nothing new
    alert.refresh_from_db()
    assert (alert.city_event_id, alert.city_event_number) == first
    assert alerts_escalate_pending() == 0


def test_a_failing_event_service_leaves_the_alert_pending_with_the_reason():
    alert = _breach("no.such_type")
    assert alerts_escalate_pending() == 0
    alert.refresh_from_db()
    assert alert.city_event_id is None
    assert alert.event_attempts == 1 and "事件类型" in alert.event_error
