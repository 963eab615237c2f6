"""MQTT ingest: 1,000 simulated devices publish readings with QoS 1 through the Mosquitto
broker at 127.0.0.1:1883 (several publisher processes, one connection each); three phases
in one run:

(a) baseline: a bare paho-mqtt subscriber (QoS 1, automatic acknowledgement) that only
    counts what it receives;
(b) sustained: the real ingest (IngestWorker + IngestEngine: persistent session, manual
    acknowledgement after commit, validation, dedup, batched insert into the partitioned
    readings table on PostgreSQL, rule evaluation) while the devices publish at --rate
    (default 6,000/s; (a) gets the same offered load): readings/s stored, loss (published and acknowledged by the broker,
    minus stored; must be 0), sensor-to-stored latency (device timestamp to commit) p95;
(c) burst: 20,000 readings/s offered for --burst-seconds (default 60), absorbed with no
    loss: time to drain and latency.

python -m bench mqtt_ingest [--seconds=30] [--rate=6000] [--burst-seconds=60]
                            [--burst-rate=20000] [--publishers=4] [--devices=1000]
                            [--workers=2] [--own-broker]

--own-broker runs the phases through a private Mosquitto started with the production
settings of docs/sensors.md (max_queued_messages raised) instead of the shared broker at
127.0.0.1:1883, whose default queue of 1,000 messages per client drops the tail of a burst
that the ingest cannot absorb as fast as it arrives.

Uses its own PostgreSQL database (digigov_bench_sensors, recreated each run: migrate, the
regions and departments, the device kinds, the devices and rules).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import PG_URL, ROOT, Figure, latency_summary, report

DB_NAME = "digigov_bench_sensors"
HOST = "127.0.0.1"
PORT = int(os.environ.get("DIGIGOV_BENCH_MQTT_PORT", "1883"))  # children read it too
TARGET_RATE, TARGET_P95_S = 5000, 2.0


def _own_broker(port: int, workdir: Path):
    """A private Mosquitto with the production settings of docs/sensors.md (a queue large
    enough for a burst); the shared broker keeps Mosquitto's default of 1,000 queued
    messages per client, which a long burst overflows."""
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 5000000\nmax_queued_bytes 0\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    import socket

    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("private mosquitto did not start")


def _arg(name: str, default: float) -> float:
    argv = sys.argv
    for i, item in enumerate(argv):
        if item == name and i + 1 < len(argv):
            return float(argv[i + 1])
        if item.startswith(name + "="):
            return float(item.split("=", 1)[1])
    return default


def database_url() -> str:
    return urlunsplit(urlsplit(PG_URL)._replace(path=f"/{DB_NAME}"))


# ---------------------------------------------------------------------------- database


def _prepare_database(devices: int) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(PG_URL)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "digigov.settings",
    }
    digigov = str(Path(sys.executable).with_name("digigov"))
    subprocess.run(
        [digigov, "migrate", "--noinput", "-v0", "--skip-checks"], env=env, cwd=ROOT, check=True
    )
    script = f"""
import django; django.setup()
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load
from digigov.kernel.organizations.services import organizations_seed
from digigov.apps.sensors.models import Device
from digigov.apps.sensors.services.devices import RuleInput, kind_ensure, rule_save
from digigov.apps.sensors.testing import SYSTEM
regions_load(); organizations_seed(county_level=False, town_level=False)
from digigov.kernel.organizations.models import Organization
kind = kind_ensure(code="water-level", name="水位", unit="m", min_value=0, max_value=50)
rule_save(principal=SYSTEM, data=RuleInput(kind_code="water-level", name="水位超警戒",
    rule_type="above", limit=8.0, consecutive=3, level="larger"))
rule_save(principal=SYSTEM, data=RuleInput(kind_code="water-level", name="水位骤涨",
    rule_type="rate", limit=30.0, consecutive=1, level="major"))
cities = list(Region.objects.filter(level="city").order_by("code"))
owner = Organization.objects.get(code="440000-slt")
Device.objects.bulk_create([
    Device(code=f"bench-{{n:04d}}", kind=kind, name=f"压测水位计 {{n:04d}}",
           longitude=113.2, latitude=23.1, region=cities[n % len(cities)],
           owner_organization=owner)
    for n in range({devices})
])
"""
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)


def _device_topics(devices: int) -> list[str]:
    import csv

    with (ROOT / "src/digigov/kernel/regions/data/guangdong_gbt2260.csv").open() as handle:
        cities = sorted(r["code"] for r in csv.DictReader(handle) if r["level"] == "city")
    return [f"gd/sensors/{cities[n % len(cities)]}/bench-{n:04d}/reading" for n in range(devices)]


# ---------------------------------------------------------------------------- publishers


def _publisher(topics: list[str], rate: float, seconds: float, seq_base: int, out) -> None:
    """Publish round-robin over the topics at `rate` per second (0: as fast as possible)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    acked = 0
    lock = threading.Lock()

    def on_publish(client, userdata, mid, reason_code, properties):
        nonlocal acked
        with lock:
            acked += 1

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}")
    # paho scans its in-flight messages on every acknowledgement: a small window is faster
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    client.on_publish = on_publish
    client.connect(HOST, PORT, keepalive=60)
    client.loop_start()
    sent = 0
    seq = seq_base
    start = time.time()
    deadline = start + seconds
    n = len(topics)
    while True:
        now = time.time()
        if now >= deadline:
            break
        with lock:
            outstanding = sent - acked
        if outstanding > 500:
            # a device sends when it measures: never let the simulator's own queue grow
            # (that would count the publisher's backlog as platform latency)
            time.sleep(0.001)
            continue
        if rate:
            due = int((now - start) * rate)
            if sent >= due:
                time.sleep(min(0.005, max(0.0, (sent + 1) / rate - (now - start))))
                continue
            chunk = min(due - sent, 200)
        else:
            chunk = 100
        for _ in range(min(chunk, 100)):
            topic = topics[sent % n]
            if sent % n == 0:
                seq += 1
            # steady levels (one gauge, the first, above its warning line: one alert)
            value = 9.5 if topic.endswith("/bench-0000/reading") else 4.0 + (sent % n % 7) * 0.1
            payload = json.dumps({"seq": seq, "ts": int(time.time() * 1000), "value": value})
            client.publish(topic, payload, qos=1)
            sent += 1
    # every publish acknowledged by the broker (bounded wait)
    wait_until = time.time() + 120
    while time.time() < wait_until:
        with lock:
            if acked >= sent:
                break
        time.sleep(0.05)
    client.disconnect()
    client.loop_stop()
    out.put({"sent": sent, "acked": acked, "seconds": time.time() - start})


def _publish(topics: list[str], publishers: int, rate: float, seconds: float, phase: int) -> dict:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    share = [topics[i::publishers] for i in range(publishers)]
    procs = [
        ctx.Process(
            target=_publisher,
            args=(share[i], rate / publishers, seconds, phase * 10_000_000, out),
        )
        for i in range(publishers)
    ]
    started = time.time()
    for proc in procs:
        proc.start()
    results = [out.get(timeout=seconds + 300) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    return {
        "sent": sum(r["sent"] for r in results),
        "acked": sum(r["acked"] for r in results),
        "seconds": max(r["seconds"] for r in results),
        "started": started,
    }


# ---------------------------------------------------------------------------- subscribers


def _baseline(ready, stop, out) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    state = {"count": 0, "first": 0.0, "last": 0.0}

    def on_message(client, userdata, message):
        now = time.time()
        if not state["count"]:
            state["first"] = now
        state["count"] += 1
        state["last"] = now

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-base-{uuid.uuid4().hex[:8]}",
        protocol=mqtt.MQTTv5,
    )
    client.on_message = on_message
    client.on_connect = lambda c, *a: c.subscribe("gd/sensors/+/+/reading", qos=1)
    client.on_subscribe = lambda *a: ready.set()
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = 65535  # as the ingest worker: the broker's window is not the limit
    client.connect(HOST, PORT, properties=properties)
    client.loop_start()
    stop.wait()
    client.disconnect()
    client.loop_stop()
    out.put(state)


def _ingest(ready, stop, out, client_id: str, subscriptions: list[str]) -> None:
    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digigov.settings")
    import django

    django.setup()
    from digigov.apps.sensors.services.ingest import IngestEngine
    from digigov.apps.sensors.worker import IngestWorker

    class TimedEngine(IngestEngine):
        """Sensor-to-stored latency: the device's timestamp to the batch's commit."""

        def __init__(self):
            super().__init__()
            self.latencies: list[float] = []
            self.first_commit = self.last_commit = 0.0

        def process(self, messages):
            outcome = super().process(messages)
            committed = time.time()
            self.first_commit = self.first_commit or committed
            self.last_commit = committed
            for message in messages[::10]:  # a 10 % sample
                ts = json.loads(message.payload)["ts"] / 1000
                self.latencies.append(committed - ts)
            return outcome

    engine = TimedEngine()
    worker = IngestWorker(
        host=HOST,
        port=PORT,
        client_id=client_id,
        engine=engine,
        session_expiry=60,
        subscription=subscriptions,
    )
    worker.connect()
    ready.set()
    totals = None
    phase_marks: list[dict] = []
    while True:
        # run until told to stop; report per phase when asked (stop is re-armed by the parent)
        totals = worker.run(stop, idle_timeout=None)
        phase_marks.append(
            {
                "received": totals.received,
                "stored": totals.stored,
                "duplicates": totals.duplicates,
                "rejected": totals.rejected,
                "failures": totals.failures,
                "alerts": totals.alerts,
                "latencies": engine.latencies,
                "first_commit": engine.first_commit,
                "last_commit": engine.last_commit,
            }
        )
        break
    worker.close()
    out.put(phase_marks[-1])


def _stored_count(since_seq: int, until_seq: int) -> int:
    import psycopg

    with psycopg.connect(database_url()) as conn:
        return conn.execute(
            "SELECT count(*) FROM sensors_reading WHERE seq >= %s AND seq < %s",
            [since_seq, until_seq],
        ).fetchone()[0]


def _wait_stored(expected: int, phase: int, timeout: float) -> tuple[int, float]:
    """Poll until the phase's rows are all stored (or nothing more arrives for a while)."""
    deadline = time.time() + timeout
    last, last_change = -1, time.time()
    while time.time() < deadline:
        stored = _stored_count(phase * 10_000_000, (phase + 1) * 10_000_000)
        if stored >= expected:
            return stored, time.time()
        if stored != last:
            last, last_change = stored, time.time()
        elif time.time() - last_change > 30:
            break
        time.sleep(0.2)
    return max(last, 0), time.time()


def _phase_ingest(topics, publishers, rate, seconds, phase, label, workers) -> dict:
    """Run `workers` ingest processes, each subscribed to a share of the regions (a
    device's readings reach one worker, which keeps its rule state), while publishing."""
    ctx = mp.get_context("spawn")
    regions = sorted({topic.split("/")[2] for topic in topics})
    stop, out = ctx.Event(), ctx.Queue()
    procs, readies = [], []
    for index in range(workers):
        ready = ctx.Event()
        mine = [f"gd/sensors/{code}/+/reading" for code in regions[index::workers]]
        client_id = f"bench-ingest-{phase}-{index}-{uuid.uuid4().hex[:6]}"
        procs.append(ctx.Process(target=_ingest, args=(ready, stop, out, client_id, mine)))
        readies.append(ready)
    for proc in procs:
        proc.start()
    for ready in readies:
        if not ready.wait(120):
            raise RuntimeError("ingest worker did not start")
    published = _publish(topics, publishers, rate, seconds, phase)
    stored, done_at = _wait_stored(published["acked"], phase, timeout=600)
    stop.set()
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    last_commit = max((r["last_commit"] for r in results), default=0.0) or done_at
    span = last_commit - published["started"]
    summed = {
        key: sum(r[key] for r in results)
        for key in ("received", "stored", "duplicates", "rejected", "failures", "alerts")
    }
    return {
        "label": label,
        "published": published,
        "stored": stored,
        "loss": published["acked"] - stored,
        "rate": stored / span if span > 0 else 0.0,
        "offered_rate": published["acked"] / published["seconds"],
        "drain_seconds": max(0.0, last_commit - published["started"] - published["seconds"]),
        "latency": latency_summary([lat for r in results for lat in r["latencies"]]),
        "worker": {"processes": workers, **summed},
    }


def main() -> None:
    seconds = _arg("--seconds", 30)
    rate = _arg("--rate", 6000)
    burst_seconds = _arg("--burst-seconds", 60)
    burst_rate = _arg("--burst-rate", 20000)
    publishers = int(_arg("--publishers", 4))
    devices = int(_arg("--devices", 1000))
    workers = int(_arg("--workers", 2))
    broker = None
    if "--own-broker" in sys.argv:
        from bench.common import free_port

        port = free_port()
        broker = _own_broker(port, ROOT / "bench" / "results" / "mosquitto")
        os.environ["DIGIGOV_BENCH_MQTT_PORT"] = str(port)  # spawned children inherit it
        globals()["PORT"] = port
    try:
        _run(seconds, rate, burst_seconds, burst_rate, publishers, devices, workers, broker)
    finally:
        if broker is not None:
            broker.terminate()
            broker.wait(timeout=10)


def _run(seconds, rate, burst_seconds, burst_rate, publishers, devices, workers, broker) -> None:
    print(f"mqtt_ingest: preparing {DB_NAME} ({devices} devices) ...", flush=True)
    _prepare_database(devices)
    topics = _device_topics(devices)

    # (a) the bare subscriber: what the broker and paho deliver when nothing is done
    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    base = ctx.Process(target=_baseline, args=(ready, stop, out))
    base.start()
    ready.wait(30)
    published = _publish(topics, publishers, rate, seconds, phase=1)
    time.sleep(2)
    stop.set()
    counted = out.get(timeout=60)
    base.join(timeout=30)
    base_span = max(1e-9, counted["last"] - published["started"])
    baseline_rate = counted["count"] / base_span
    print(
        f"(a) bare subscriber: {counted['count']} of {published['acked']} in {base_span:.1f}s",
        flush=True,
    )

    # (b) sustained: the real ingest while the devices publish at the offered rate
    sustained = _phase_ingest(topics, publishers, rate, seconds, 2, "sustained", workers)
    print(f"(b) sustained: {sustained['stored']} of {sustained['published']['acked']}", flush=True)
    figures = [
        Figure(
            "sustained ingest (MQTT QoS 1 -> validate, dedup, rules -> PostgreSQL, ack after commit)",
            sustained["rate"],
            "readings/s",
            baseline_name="bare paho subscriber that only counts",
            baseline_value=baseline_rate,
            target=f">= {TARGET_RATE:,}/s",
            extra={
                "devices": devices,
                "publishers": publishers,
                "seconds": seconds,
                "published": sustained["published"]["acked"],
                "offered_rate": round(sustained["offered_rate"]),
                "worker": sustained["worker"],
            },
        ),
        Figure("sustained loss (published - stored)", sustained["loss"], "readings", target="0"),
        Figure(
            "sustained sensor-to-stored p95",
            sustained["latency"]["p95_ms"] / 1000,
            "s",
            target=f"<= {TARGET_P95_S:g} s",
            extra=sustained["latency"],
        ),
    ]
    if burst_seconds > 0:
        burst = _phase_ingest(topics, publishers, burst_rate, burst_seconds, 3, "burst", workers)
        print(f"(c) burst: {burst['stored']} of {burst['published']['acked']}", flush=True)
        figures += [
            Figure(
                f"burst {burst_rate:,.0f}/s offered for {burst_seconds:g} s: stored rate",
                burst["rate"],
                "readings/s",
                extra={
                    "published": burst["published"]["acked"],
                    "achieved_offered_rate": round(burst["offered_rate"]),
                    "drain_seconds_after_publishing": round(burst["drain_seconds"], 2),
                    "worker": burst["worker"],
                },
            ),
            Figure("burst loss (published - stored)", burst["loss"], "readings", target="0"),
            Figure(
                "burst sensor-to-stored p95",
                burst["latency"]["p95_ms"] / 1000,
                "s",
                extra=burst["latency"],
            ),
        ]
    report("mqtt_ingest", figures)


if __name__ == "__main__":
    main()
