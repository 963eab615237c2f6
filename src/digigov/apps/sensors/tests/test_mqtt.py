"""End to end through the real Mosquitto broker at 127.0.0.1:1883: publish with paho, run
the worker loop in-process for a bounded number of messages, assert the rows; and a worker
that stops before it could commit loses nothing: the broker redelivers to the next one."""

from __future__ import annotations

import json
import threading
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.db import DatabaseError
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from digigov.apps.sensors.models import Alert, IngestCounter, Reading
from digigov.apps.sensors.services.ingest import IngestEngine
from digigov.apps.sensors.testing import device_make, rule_make, water_kind
from digigov.apps.sensors.worker import IngestWorker

pytestmark = pytest.mark.django_db


def publish(topic: str, payloads: list[bytes]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1) for payload in payloads]
        for info in infos:
            info.wait_for_publish(timeout=10)
            assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def reading(seq: int, value: float) -> bytes:
    return json.dumps({"seq": seq, "ts": timezone.now().isoformat(), "value": value}).encode()


def worker_for(code: str, client_id: str, **kwargs) -> IngestWorker:
    return IngestWorker(
        client_id=client_id,
        subscription=f"gd/sensors/440100/{code}/reading",
        session_expiry=120,
        batch_wait=0.05,
        **kwargs,
    )


def test_readings_published_over_mqtt_are_stored_and_raise_alerts():
    code = f"wl-{uuid.uuid4().hex[:8]}"
    device = device_make(code)
    rule_make(water_kind(), limit=10, consecutive=2)
    worker = worker_for(code, f"test-ingest-{uuid.uuid4().hex[:8]}")
    worker.connect()
    try:
        payloads = [reading(seq, 5 + seq) for seq in range(1, 9)]  # 6..13: 11, 12 breach
        payloads += [payloads[0], b"{not json"]  # a repeat and a malformed one
        publish(f"gd/sensors/440100/{code}/reading", payloads)
        totals = worker.run(threading.Event(), max_messages=10, idle_timeout=10)
    finally:
        worker.close()
    assert (totals.received, totals.stored, totals.duplicates, totals.rejected) == (10, 8, 1, 1)
    assert totals.acked == 10
    assert sorted(Reading.objects.filter(device=device).values_list("seq", flat=True)) == list(
        range(1, 9)
    )
    assert Alert.objects.get(device=device).value == 12
    counts = dict(IngestCounter.objects.values_list("key", "count"))
    assert counts["rejected:malformed"] == 1 and counts["duplicate"] == 1


class _DownEngine(IngestEngine):
    def process(self, messages):
        raise DatabaseError("database is down")


def test_nothing_received_is_lost_across_a_restart():
    code = f"wl-{uuid.uuid4().hex[:8]}"
    device = device_make(code)
    client_id = f"test-restart-{uuid.uuid4().hex[:8]}"
    first = worker_for(code, client_id, engine=_DownEngine(), retry_wait=0.05)
    first.connect()
    stop = threading.Event()
    try:
        publish(f"gd/sensors/440100/{code}/reading", [reading(s, 1.0) for s in (1, 2, 3)])
        timer = threading.Timer(1.0, stop.set)  # the worker is stopped while the DB is down
        timer.start()
        totals = first.run(stop, idle_timeout=5)
        timer.cancel()
    finally:
        first.close()
    assert totals.acked == 0 and totals.failures >= 1
    assert not Reading.objects.filter(device=device).exists()
    # the next worker with the same session gets the unacknowledged messages again
    second = worker_for(code, client_id)
    second.connect()
    try:
        totals = second.run(threading.Event(), max_messages=3, idle_timeout=10)
    finally:
        second.close()
    assert totals.stored == 3
    assert Reading.objects.filter(device=device).count() == 3
