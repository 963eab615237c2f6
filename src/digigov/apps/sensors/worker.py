"""The MQTT side of the ingest: a paho-mqtt v2 client with a persistent session (fixed
client id, clean_start False, session expiry) and manual acknowledgement. paho's network
thread only queues what arrives; the calling thread batches it (up to `batch_size` messages
or `batch_wait` seconds), hands it to the IngestEngine (one transaction) and acknowledges
each message after the commit. A batch the database refuses is retried, never acknowledged
unprocessed: if the process dies, the broker redelivers it on reconnect."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from .services.ingest import SUBSCRIPTION, BatchOutcome, Incoming, IngestEngine

log = logging.getLogger(__name__)

RECEIVE_MAXIMUM = (
    65_535  # unacknowledged messages the broker may send us at once (the most MQTT allows)
)


@dataclass
class WorkerTotals:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    acked: int = 0
    batches: int = 0
    failures: int = 0
    alerts: int = 0


class IngestWorker:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str = "digigov-sensors-ingest",
        subscription: str | list[str] = SUBSCRIPTION,
        batch_size: int = 1000,
        batch_wait: float = 0.1,
        session_expiry: int = 7 * 24 * 3600,
        engine: IngestEngine | None = None,
        on_committed: Callable[[BatchOutcome], None] | None = None,
        retry_wait: float = 1.0,
    ) -> None:
        self.host, self.port = host, port
        self.client_id = client_id
        # one filter, or several (a worker per group of regions: each device's readings
        # reach one worker, which keeps that device's rule state)
        self.subscriptions = [subscription] if isinstance(subscription, str) else subscription
        self.subscription = ", ".join(self.subscriptions)
        self.batch_size, self.batch_wait = batch_size, batch_wait
        self.session_expiry = session_expiry
        self.engine = engine or IngestEngine()
        self.on_committed = on_committed
        self.retry_wait = retry_wait
        self.inbox: queue.Queue[Incoming] = queue.Queue()
        self.totals = WorkerTotals()
        self.subscribed = threading.Event()
        self.client: mqtt.Client | None = None

    # ------------------------------------------------------------------ paho callbacks
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("MQTT connect refused: %s", reason_code)
            return
        client.subscribe([(topic, 1) for topic in self.subscriptions])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self.subscribed.set()

    def _on_message(self, client, userdata, message) -> None:
        self.inbox.put(
            Incoming(
                topic=message.topic,
                payload=message.payload,
                received_at=timezone.now(),
                token=(message.mid, message.qos),
            )
        )

    # ------------------------------------------------------------------ lifecycle
    def connect(self, timeout: float = 10.0) -> None:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=properties)
        client.loop_start()
        self.client = client
        if not self.subscribed.wait(timeout):
            raise RuntimeError(f"MQTT: not subscribed to {self.subscription} within {timeout}s")

    def close(self) -> None:
        if self.client is not None:
            self.client.disconnect()
            self.client.loop_stop()
            self.client = None

    # ------------------------------------------------------------------ the loop
    def _collect(self, stop: threading.Event) -> list[Incoming]:
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_wait
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self.inbox.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def process(self, batch: list[Incoming], stop: threading.Event) -> bool:
        """Store the batch (retrying while the database refuses), then acknowledge it."""
        while True:
            try:
                outcome = self.engine.process(batch)
                break
            except Exception:
                self.totals.failures += 1
                log.exception("ingest batch of %d failed; not acknowledged, retrying", len(batch))
                if not connection.in_atomic_block:  # (tests run inside one)
                    close_old_connections()  # a broken connection is reopened
                if stop.wait(self.retry_wait):
                    return False  # shutting down: the broker redelivers the batch
        for message in batch:
            self.ack(message)
        totals = self.totals
        totals.batches += 1
        totals.received += outcome.received
        totals.stored += outcome.stored
        totals.duplicates += outcome.duplicates
        totals.rejected += sum(outcome.rejected.values())
        totals.alerts += len(outcome.alert_ids)
        if self.on_committed is not None:
            self.on_committed(outcome)
        return True

    def ack(self, message: Incoming) -> None:
        if self.client is not None and message.token is not None:
            mid, qos = message.token
            if qos > 0:
                self.client.ack(mid, qos)
        self.totals.acked += 1

    def run(
        self,
        stop: threading.Event,
        *,
        max_messages: int | None = None,
        idle_timeout: float | None = None,
    ) -> WorkerTotals:
        """Until stop is set (SIGTERM), max_messages were received, or nothing arrived for
        idle_timeout seconds (tests, benchmarks)."""
        self.engine.warm()
        idle_since = time.monotonic()
        while not stop.is_set():
            if max_messages is not None and self.totals.received >= max_messages:
                break
            batch = self._collect(stop)
            if not batch:
                if idle_timeout is not None and time.monotonic() - idle_since > idle_timeout:
                    break
                continue
            idle_since = time.monotonic()
            if not self.process(batch, stop):
                break
        return self.totals
