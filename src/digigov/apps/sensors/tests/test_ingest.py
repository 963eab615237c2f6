"""The ingest engine: validation (each reject reason), dedup, rules, device state, counters,
and no acknowledgement when the database refuses the batch."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import DatabaseError
from django.utils import timezone

from digigov.apps.sensors.models import Alert, Device, IngestCounter, Reading, Rejection
from digigov.apps.sensors.services import ingest
from digigov.apps.sensors.services.ingest import Incoming, IngestEngine
from digigov.apps.sensors.testing import device_make, rule_make, water_kind
from digigov.apps.sensors.worker import IngestWorker

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def msg(seq, value, *, code="wl-0001", region="440100", ts=None, payload=None, token=None):
    ts = ts or NOW - dt.timedelta(seconds=100 - seq)
    body = (
        payload
        if payload is not None
        else json.dumps({"seq": seq, "ts": ts.isoformat(), "value": value}).encode()
    )
    return Incoming(
        topic=f"gd/sensors/{region}/{code}/reading", payload=body, received_at=NOW, token=token
    )


def engine() -> IngestEngine:
    e = IngestEngine(clock=lambda: NOW)
    e.warm()
    return e


def counters() -> dict[str, int]:
    return dict(IngestCounter.objects.values_list("key", "count"))


def test_valid_readings_are_stored_and_device_goes_online():
    device = device_make()
    outcome = engine().process([msg(1, 3.5), msg(2, 3.7)])
    assert (outcome.received, outcome.stored, outcome.duplicates) == (2, 2, 0)
    values = list(Reading.objects.order_by("seq").values_list("seq", "value"))
    assert values == [(1, 3.5), (2, 3.7)]
    device.refresh_from_db()
    assert device.state == Device.State.ONLINE
    assert device.last_value == 3.7
    assert counters() == {"received": 2, "stored": 2}


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (Incoming("gd/sensors/440100/wl-0001", b"{}", NOW), "bad_topic"),
        (Incoming("other/440100/wl-0001/reading", b"{}", NOW), "bad_topic"),
        ("payload:not json", "malformed"),
        ("payload:[1, 2]", "malformed"),
        ('payload:{"seq": "1", "ts": 1780300000000, "value": 1}', "malformed"),
        ('payload:{"seq": 1, "value": 1}', "malformed"),
        ('payload:{"seq": 1, "ts": "2026-06-01T07:59:00", "value": 1}', "malformed"),
        ('payload:{"seq": 1, "ts": "2026-06-01T07:59:00Z", "value": true}', "malformed"),
        ('payload:{"seq": 1, "ts": "2026-06-01T07:59:00Z", "value": "NaN"}', "malformed"),
        ("unknown", "unknown_device"),
        ("region", "region_mismatch"),
        ("range", "out_of_range"),
        ("stale", "stale"),
        ("future", "future"),
    ],
)
def test_each_bad_message_is_rejected_with_its_reason_and_stores_nothing(message, reason):
    device_make()
    if isinstance(message, str):
        kind, _, rest = message.partition(":")
        message = {
            "payload": lambda: msg(1, 1, payload=rest.encode()),
            "unknown": lambda: msg(1, 1, code="nope-1"),
            "region": lambda: msg(1, 1, region="440300"),
            "range": lambda: msg(1, 51),
            "stale": lambda: msg(1, 1, ts=NOW - dt.timedelta(days=2)),
            "future": lambda: msg(1, 1, ts=NOW + dt.timedelta(hours=1)),
        }[kind]()
    outcome = engine().process([message])
    assert outcome.rejected == {reason: 1}
    assert outcome.stored == 0
    assert not Reading.objects.exists()
    rejection = Rejection.objects.get()
    assert rejection.reason == reason and rejection.detail
    assert counters() == {"received": 1, f"rejected:{reason}": 1}


def test_epoch_milliseconds_are_accepted():
    device_make()
    ts_ms = int((NOW - dt.timedelta(seconds=5)).timestamp() * 1000)
    payload = json.dumps({"seq": 9, "ts": ts_ms, "value": 2}).encode()
    assert engine().process([msg(9, 2, payload=payload)]).stored == 1
    assert Reading.objects.get().recorded_at == NOW - dt.timedelta(seconds=5)


def test_duplicates_in_a_batch_and_across_batches_are_ignored_and_counted():
    device_make()
    e = engine()
    first = e.process([msg(1, 1.0), msg(1, 1.0), msg(2, 1.1)])
    assert (first.stored, first.duplicates) == (2, 1)
    again = e.process([msg(1, 1.0), msg(2, 1.1), msg(3, 1.2)])  # a redelivery
    assert (again.stored, again.duplicates) == (1, 2)
    assert Reading.objects.count() == 3
    assert counters()["duplicate"] == 3


def test_threshold_needs_n_consecutive_readings_and_fires_once():
    device = device_make()
    rule = rule_make(water_kind(), limit=10, consecutive=3)
    e = engine()
    e.process([msg(1, 11), msg(2, 12), msg(3, 5), msg(4, 11), msg(5, 12)])
    assert not Alert.objects.exists()  # the streak was broken at seq 3
    outcome = e.process([msg(6, 13), msg(7, 14), msg(8, 15)])
    alert = Alert.objects.get()
    assert outcome.alert_ids == [alert.pk]
    assert (alert.device_id, alert.rule_id, alert.value) == (device.pk, rule.pk, 13)
    assert alert.state == Alert.State.OPEN and not alert.wants_event
    # still breaching: no second alert; clears, then breaches again: a new one
    e.process([msg(9, 16), msg(10, 1), msg(11, 20), msg(12, 21)])
    assert Alert.objects.count() == 1
    e.process([msg(13, 22)])
    assert Alert.objects.count() == 2


def test_below_threshold_and_device_override_replaces_the_kind_rule():
    kind = water_kind()
    device_make("wl-0001")
    device_make("wl-0002")
    rule_make(kind, rule_type="below", limit=2)
    own = rule_make(kind, rule_type="below", limit=1, device_code="wl-0002")
    e = engine()
    e.process([msg(1, 1.5, code="wl-0001"), msg(1, 1.5, code="wl-0002")])
    alerts = list(Alert.objects.values_list("device__code", "rule_id"))
    assert len(alerts) == 1 and alerts[0][0] == "wl-0001"
    e.process([msg(2, 0.5, code="wl-0002")])
    assert Alert.objects.filter(device__code="wl-0002", rule=own).count() == 1


def test_rate_of_change_per_minute():
    device_make()
    rule_make(water_kind(), rule_type="rate", limit=2.0)  # metres per minute
    e = engine()
    base = NOW - dt.timedelta(minutes=10)
    e.process([msg(1, 5.0, ts=base), msg(2, 6.0, ts=base + dt.timedelta(minutes=1))])
    assert not Alert.objects.exists()  # 1 m/min
    e.process([msg(3, 7.6, ts=base + dt.timedelta(minutes=1, seconds=30))])  # 3.2 m/min
    assert Alert.objects.get().value == 7.6


def test_alert_configured_for_events_is_marked_for_the_outbox():
    device_make()
    rule_make(water_kind(), limit=10, raises_event=True, event_type_code="flood")
    outcome = engine().process([msg(1, 20)])
    alert = Alert.objects.get()
    assert outcome.event_alert_ids == [alert.pk]
    assert alert.wants_event and alert.event_type_code == "flood"
    assert alert.city_event_id is None


def test_open_alert_keeps_the_rule_quiet_after_a_restart():
    device_make()
    rule_make(water_kind(), limit=10)
    engine().process([msg(1, 20)])
    engine().process([msg(2, 5), msg(3, 21)])  # a fresh engine (restart) warms from the DB
    assert Alert.objects.count() == 2  # cleared at seq 2, breached again at 3
    engine().process([msg(4, 22)])
    assert Alert.objects.count() == 2  # open alert: quiet


def test_new_device_is_picked_up_without_restart(monkeypatch):
    monkeypatch.setattr(ingest, "UNKNOWN_REFRESH_SECONDS", 0.0)
    device_make("wl-0001")
    e = engine()
    device_make("wl-0009")
    assert e.process([msg(1, 1, code="wl-0009")]).stored == 1


class _FailingEngine(IngestEngine):
    def __init__(self, failures: int):
        super().__init__(clock=lambda: NOW)
        self.failures = failures

    def process(self, messages):
        if self.failures:
            self.failures -= 1
            raise DatabaseError("database is down")
        return super().process(messages)


def test_a_batch_the_database_refuses_is_not_acknowledged(monkeypatch):
    import threading

    device_make()
    acked: list[int] = []
    worker = IngestWorker(engine=_FailingEngine(failures=10), retry_wait=0.0)
    monkeypatch.setattr(worker, "ack", lambda m: acked.append(m.token))
    worker.engine.warm()
    stop = threading.Event()
    stop.set()  # shutting down while the database refuses: give up the batch unacked
    assert worker.process([msg(1, 1, token=1), msg(2, 1, token=2)], stop) is False
    assert acked == [] and not Reading.objects.exists()
    # the database comes back: the same batch (redelivered) is stored, then acknowledged
    worker.engine.failures = 1
    assert worker.process([msg(1, 1, token=1), msg(2, 1, token=2)], threading.Event())
    assert acked == [1, 2]
    assert Reading.objects.count() == 2
    assert worker.totals.failures == 2


def test_offline_detection_and_back_online():
    from digigov.apps.sensors.services.offline import devices_check_offline

    device = device_make()  # water kind: every 60 s, grace x3
    engine().process([msg(1, 1)])
    assert devices_check_offline(now=NOW + dt.timedelta(seconds=170)) == 0
    assert devices_check_offline(now=NOW + dt.timedelta(seconds=181)) == 1
    device.refresh_from_db()
    assert device.state == Device.State.OFFLINE
    later = NOW + dt.timedelta(minutes=10)
    e = IngestEngine(clock=lambda: later)
    e.warm()
    e.process([msg(2, 1, ts=later - dt.timedelta(seconds=1))])
    device.refresh_from_db()
    assert device.state == Device.State.ONLINE
    assert timezone.localtime(device.last_seen_at) == timezone.localtime(later)


def test_a_running_worker_brings_a_device_flagged_offline_back_online():
    from digigov.apps.sensors.services.offline import devices_check_offline

    device = device_make()
    clock = {"now": NOW}
    e = IngestEngine(clock=lambda: clock["now"])
    e.warm()
    e.process([msg(1, 1)])
    assert devices_check_offline(now=NOW + dt.timedelta(minutes=5)) == 1
    clock["now"] = NOW + dt.timedelta(minutes=6)
    e.process([msg(2, 1, ts=clock["now"] - dt.timedelta(seconds=1))])  # same engine
    device.refresh_from_db()
    assert device.state == Device.State.ONLINE
