"""Steps shared by the sensor browser tests: readings published over MQTT through the real
Mosquitto broker and taken in by the ingest worker (in-process, bounded)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from digigov.apps.sensors.testing import allow_readings_test_flush
from digigov.apps.sensors.worker import IngestWorker


@pytest.fixture(autouse=True)
def readings_flushable():
    """Import into a test module: lets the flush between tests empty the append-only log."""
    allow_readings_test_flush()


def mqtt_publish(topic: str, payloads: list[bytes]) -> None:
    """Publish with QoS 1 and wait until the broker has each message."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"e2e-{uuid.uuid4().hex[:8]}")
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        for info in [client.publish(topic, p, qos=1) for p in payloads]:
            info.wait_for_publish(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


def reading_payloads(values: list[float], *, now: dt.datetime) -> list[bytes]:
    """One reading a minute, the last one a minute before `now`."""
    return [
        json.dumps(
            {"seq": n, "ts": (now - dt.timedelta(minutes=len(values) - n)).isoformat(), "value": v}
        ).encode()
        for n, v in enumerate(values)
    ]


def mqtt_ingest(topic: str, payloads: list[bytes], *, prefix: str, on_committed=None):
    """Subscribe the ingest worker, publish, and run it until every message is taken in;
    returns its totals."""
    worker = IngestWorker(
        client_id=f"{prefix}-{uuid.uuid4().hex[:6]}",
        subscription=topic,
        session_expiry=60,
        batch_wait=0.05,
        on_committed=on_committed,
    )
    worker.connect()
    try:
        mqtt_publish(topic, payloads)
        return worker.run(threading.Event(), max_messages=len(payloads), idle_timeout=10)
    finally:
        worker.close()
