"""Ingest: validate a batch of MQTT messages, store the readings in one transaction, evaluate
the rules, raise alerts. The caller acknowledges the messages only after `process` returns
(the transaction has committed): a message whose batch fails is never acknowledged, so the
broker redelivers it, and the unique (device, seq, recorded_at) absorbs the repeat.

One engine per worker process: it keeps the devices, the effective rules and each rule's
per-device state in memory, warmed from the database at start."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_batch, audit_record

from ..constants import REASONS
from ..models import Alert, Device, IngestCounter, Reading, Rejection, Rule

TOPIC_ROOT = "gd/sensors"
SUBSCRIPTION = f"{TOPIC_ROOT}/+/+/reading"
MAX_AGE = dt.timedelta(days=1)
MAX_AHEAD = dt.timedelta(minutes=5)
LAST_SEEN_PRECISION = dt.timedelta(seconds=15)  # last_seen_at is written at most this often
DEVICE_REFRESH_SECONDS = 60.0
UNKNOWN_REFRESH_SECONDS = 5.0
ACTOR = "system:sensors-ingest"


@dataclass(frozen=True)
class Incoming:
    topic: str
    payload: bytes
    received_at: dt.datetime
    token: Any = None  # what the transport needs to acknowledge it (paho: mid, qos)


@dataclass
class DeviceInfo:
    id: int
    code: str
    region_code: str
    kind_id: int
    min_value: float
    max_value: float
    state: str
    last_seen_at: dt.datetime | None  # as persisted


@dataclass(frozen=True)
class RuleInfo:
    id: int
    name: str
    rule_type: str
    limit: float
    consecutive: int
    level: str
    raises_event: bool
    event_type_code: str


@dataclass(slots=True)
class RuleState:
    streak: int = 0
    firing: bool = False  # an alert is open or the condition has not cleared yet
    last_at: dt.datetime | None = None
    last_value: float | None = None

    def copy(self) -> RuleState:
        return RuleState(self.streak, self.firing, self.last_at, self.last_value)


@dataclass
class Accepted:
    device: DeviceInfo
    seq: int
    recorded_at: dt.datetime
    value: float
    received_at: dt.datetime


@dataclass
class BatchOutcome:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: Counter = field(default_factory=Counter)
    alert_ids: list[int] = field(default_factory=list)
    event_alert_ids: list[int] = field(default_factory=list)  # want a city event
    stored_devices: list[int] = field(default_factory=list)


class Rejected(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail or REASONS[reason]
        super().__init__(self.detail)


def _parse_ts(raw: Any) -> dt.datetime:
    if isinstance(raw, bool):
        raise Rejected("malformed", "ts 必须是 ISO 8601 时间或毫秒时间戳")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise Rejected("malformed", "ts 不是有效的时间戳")
        try:
            return dt.datetime.fromtimestamp(raw / 1000, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise Rejected("malformed", "ts 不是有效的时间戳") from None
    if isinstance(raw, str):
        try:
            parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise Rejected("malformed", "ts 不是有效的 ISO 8601 时间") from None
        if parsed.tzinfo is None:
            raise Rejected("malformed", "ts 必须带时区（如 +08:00 或 Z）")
        return parsed.astimezone(dt.UTC)
    raise Rejected("malformed", "ts 必须是 ISO 8601 时间或毫秒时间戳")


def payload_parse(payload: bytes) -> tuple[int, dt.datetime, float]:
    """seq, ts, value of one payload; Rejected("malformed") otherwise."""
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise Rejected("malformed", "消息不是合法的 JSON") from None
    if not isinstance(body, dict):
        raise Rejected("malformed", "消息必须是 JSON 对象")
    seq, value = body.get("seq"), body.get("value")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 2**63:
        raise Rejected("malformed", "seq 必须是非负整数")
    if "ts" not in body:
        raise Rejected("malformed", "缺少 ts（读数时间）")
    recorded_at = _parse_ts(body["ts"])
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise Rejected("malformed", "value 必须是数值")
    return seq, recorded_at, float(value)


def topic_parse(topic: str) -> tuple[str, str]:
    """region code and device code of a reading topic."""
    parts = topic.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != TOPIC_ROOT or parts[4] != "reading":
        raise Rejected("bad_topic")
    if not parts[2] or not parts[3]:
        raise Rejected("bad_topic")
    return parts[2], parts[3]


def rules_effective(rules: Iterable[Rule], devices: dict[str, DeviceInfo]) -> dict[int, list]:
    """device id -> its rules: the kind's, except where the device has its own of that type."""
    by_kind: dict[int, list[Rule]] = defaultdict(list)
    by_device: dict[int, list[Rule]] = defaultdict(list)
    for rule in rules:
        (by_device[rule.device_id] if rule.device_id else by_kind[rule.kind_id]).append(rule)
    effective: dict[int, list[RuleInfo]] = {}
    for device in devices.values():
        own = by_device.get(device.id, [])
        own_types = {rule.rule_type for rule in own}
        chosen = own + [r for r in by_kind.get(device.kind_id, []) if r.rule_type not in own_types]
        effective[device.id] = [
            RuleInfo(
                id=r.id,
                name=r.name,
                rule_type=r.rule_type,
                limit=r.limit,
                consecutive=max(1, r.consecutive),
                level=r.level,
                raises_event=r.raises_event,
                event_type_code=r.event_type_code,
            )
            for r in chosen
        ]
    return effective


def rule_breached(rule: RuleInfo, state: RuleState, at: dt.datetime, value: float) -> bool:
    """Whether one reading breaches the rule (rate: against the device's previous reading)."""
    if rule.rule_type == Rule.Type.ABOVE:
        return value > rule.limit
    if rule.rule_type == Rule.Type.BELOW:
        return value < rule.limit
    if state.last_at is None or state.last_value is None or at <= state.last_at:
        return False
    minutes = (at - state.last_at).total_seconds() / 60
    return abs(value - state.last_value) / minutes > rule.limit


class IngestEngine:
    def __init__(self, *, clock: Callable[[], dt.datetime] = timezone.now) -> None:
        self.clock = clock
        self.devices: dict[str, DeviceInfo] = {}
        self.rules: dict[int, list[RuleInfo]] = {}
        self.states: dict[tuple[int, int], RuleState] = {}
        self._loaded_at = 0.0
        self._unknown_checked_at = 0.0

    # ------------------------------------------------------------------ caches
    def warm(self) -> None:
        """Load devices and rules, and each rule's state: firing while an alert is open, the
        last reading for rates."""
        devices = {
            d.code: DeviceInfo(
                id=d.id,
                code=d.code,
                region_code=d.region_id,
                kind_id=d.kind_id,
                min_value=d.kind.min_value,
                max_value=d.kind.max_value,
                state=d.state,
                last_seen_at=d.last_seen_at,
            )
            for d in Device.objects.filter(is_active=True).select_related("kind")
        }
        rules = rules_effective(Rule.objects.filter(is_active=True), devices)
        open_pairs = set(
            Alert.objects.exclude(state=Alert.State.CLOSED).values_list("device_id", "rule_id")
        )
        states: dict[tuple[int, int], RuleState] = {}
        for device_id, device_rules in rules.items():
            for rule in device_rules:
                old = self.states.get((device_id, rule.id))
                state = old.copy() if old else RuleState()
                # an open alert keeps the rule quiet for that device until it is closed
                state.firing = state.firing or (device_id, rule.id) in open_pairs
                states[(device_id, rule.id)] = state
        self.devices, self.rules, self.states = devices, rules, states
        self._loaded_at = time.monotonic()

    def _refresh_if_due(self, unknown: bool) -> None:
        now = time.monotonic()
        if now - self._loaded_at > DEVICE_REFRESH_SECONDS or (
            unknown and now - self._unknown_checked_at > UNKNOWN_REFRESH_SECONDS
        ):
            self._unknown_checked_at = now
            self.warm()

    # ------------------------------------------------------------------ validation
    def validate(self, message: Incoming, now: dt.datetime) -> Accepted:
        region_code, device_code = topic_parse(message.topic)
        device = self.devices.get(device_code)
        if device is None:
            self._refresh_if_due(unknown=True)
            device = self.devices.get(device_code)
            if device is None:
                raise Rejected("unknown_device", f"设备 {device_code[:60]} 未登记或已停用")
        if region_code != device.region_code:
            raise Rejected("region_mismatch")
        seq, recorded_at, value = payload_parse(message.payload)
        if recorded_at < now - MAX_AGE:
            raise Rejected("stale")
        if recorded_at > now + MAX_AHEAD:
            raise Rejected("future")
        if not device.min_value <= value <= device.max_value:
            raise Rejected(
                "out_of_range",
                f"读数 {value:g} 超出量程 {device.min_value:g}～{device.max_value:g}",
            )
        return Accepted(device, seq, recorded_at, value, message.received_at)

    # ------------------------------------------------------------------ the batch
    def process(self, messages: list[Incoming]) -> BatchOutcome:
        """Validate, store, evaluate, in one transaction. Raises if the database refuses:
        then nothing of the batch is stored and the caller must not acknowledge it."""
        self._refresh_if_due(unknown=False)
        now = self.clock()
        outcome = BatchOutcome(received=len(messages))
        accepted: dict[tuple[int, int], Accepted] = {}
        rejections: list[Rejection] = []
        for message in messages:
            try:
                reading = self.validate(message, now)
            except Rejected as refused:
                outcome.rejected[refused.reason] += 1
                rejections.append(
                    Rejection(
                        topic=message.topic[:200],
                        reason=refused.reason,
                        detail=refused.detail[:300],
                        payload_excerpt=message.payload[:300].decode("utf-8", "replace")[:300],
                        received_at=message.received_at,
                    )
                )
                continue
            key = (reading.device.id, reading.seq)
            if key in accepted:
                outcome.duplicates += 1
            else:
                accepted[key] = reading
        staged: dict[tuple[int, int], RuleState] = {}
        with transaction.atomic():
            stored = _readings_insert(list(accepted.values()), now) if accepted else set()
            outcome.stored = len(stored)
            outcome.duplicates += len(accepted) - len(stored)
            fresh = sorted(
                (accepted[key] for key in stored), key=lambda r: (r.device.id, r.recorded_at)
            )
            device_updates = self._devices_touch(fresh, now)
            alerts = self._rules_evaluate(fresh, staged, now)
            with audit_batch():
                if alerts:
                    Alert.objects.bulk_create(alerts)
                    for alert in alerts:
                        audit_record(
                            actor=ACTOR,
                            action="sensors.alert.raise",
                            object_type="Alert",
                            object_id=str(alert.pk),
                            detail={
                                "device_id": alert.device_id,
                                "rule_id": alert.rule_id,
                                "value": alert.value,
                                "level": alert.level,
                            },
                        )
                for device, previous in device_updates:
                    if previous == Device.State.OFFLINE:
                        audit_record(
                            actor=ACTOR,
                            action="sensors.device.online",
                            object_type="Device",
                            object_id=str(device.id),
                        )
            if rejections:
                Rejection.objects.bulk_create(rejections)
            counts = {
                "received": outcome.received,
                "stored": outcome.stored,
                "duplicate": outcome.duplicates,
            }
            counts.update({f"rejected:{r}": n for r, n in outcome.rejected.items()})
            counters_add(counts, now)
        # committed: the in-memory state follows the database
        self.states.update(staged)
        for device, _ in device_updates:
            device.state, device.last_seen_at = Device.State.ONLINE, now
        outcome.alert_ids = [a.pk for a in alerts]
        outcome.event_alert_ids = [a.pk for a in alerts if a.wants_event]
        outcome.stored_devices = sorted({r.device.id for r in fresh})
        return outcome

    def _devices_touch(self, fresh: list[Accepted], now: dt.datetime):
        """Online, last seen and last value: written when the stored time is older than
        LAST_SEEN_PRECISION or the device is not known online (one write per device per
        15 s at most). The state is read back from the database for those rows: the offline
        check may have flagged a device since this worker last wrote it (a device it flags
        has been silent far longer than 15 s, so it is always among them)."""
        latest: dict[int, Accepted] = {}
        for reading in fresh:
            latest[reading.device.id] = reading  # sorted by time within each device
        due = [
            reading
            for reading in latest.values()
            if reading.device.state != Device.State.ONLINE
            or reading.device.last_seen_at is None
            or now - reading.device.last_seen_at >= LAST_SEEN_PRECISION
        ]
        if not due:
            return []
        stored_states = dict(
            Device.objects.filter(pk__in=[r.device.id for r in due]).values_list("pk", "state")
        )
        moved, kept, touched = [], [], []
        for reading in due:
            previous = stored_states.get(reading.device.id, reading.device.state)
            row = Device(
                id=reading.device.id,
                state=Device.State.ONLINE,
                last_seen_at=now,
                last_value=reading.value,
                state_changed_at=now,
            )
            (kept if previous == Device.State.ONLINE else moved).append(row)
            touched.append((reading.device, previous))
        if moved:
            Device.objects.bulk_update(
                moved, ["state", "last_seen_at", "last_value", "state_changed_at"]
            )
        if kept:
            Device.objects.bulk_update(kept, ["last_seen_at", "last_value"])
        return touched

    def _rules_evaluate(self, fresh: list[Accepted], staged, now: dt.datetime) -> list[Alert]:
        alerts: list[Alert] = []
        for reading in fresh:
            for rule in self.rules.get(reading.device.id, ()):
                key = (reading.device.id, rule.id)
                state = staged.get(key)
                if state is None:
                    known = self.states.get(key)
                    state = staged[key] = known.copy() if known else RuleState()
                if state.last_at is not None and reading.recorded_at <= state.last_at:
                    continue  # late or redelivered: rules look forward in time only
                breached = rule_breached(rule, state, reading.recorded_at, reading.value)
                state.last_at, state.last_value = reading.recorded_at, reading.value
                if not breached:
                    state.streak, state.firing = 0, False
                    continue
                state.streak += 1
                if state.firing or state.streak < rule.consecutive:
                    continue
                state.firing = True
                alerts.append(
                    Alert(
                        device_id=reading.device.id,
                        rule_id=rule.id,
                        value=reading.value,
                        reading_at=reading.recorded_at,
                        raised_at=now,
                        level=rule.level,
                        wants_event=rule.raises_event and bool(rule.event_type_code),
                        event_type_code=rule.event_type_code if rule.raises_event else "",
                    )
                )
        return alerts


def _readings_insert(readings: list[Accepted], now: dt.datetime) -> set[tuple[int, int]]:
    """Insert, skipping repeats; returns the (device id, seq) actually stored."""
    table = Reading._meta.db_table
    columns = "device_id, seq, recorded_at, received_at, stored_at, value"
    ending = "ON CONFLICT DO NOTHING RETURNING device_id, seq"
    stored: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # six array parameters instead of 6,000 placeholders: one cheap statement
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT d, s, to_timestamp(r), "  # noqa: S608
                "to_timestamp(c), %s, v FROM unnest(%s::bigint[], %s::bigint[], "
                f"%s::float8[], %s::float8[], %s::float8[]) AS t(d, s, r, c, v) {ending}",
                [
                    now,
                    [r.device.id for r in readings],
                    [r.seq for r in readings],
                    # epoch seconds: floats are cheaper to send than timestamps
                    [r.recorded_at.timestamp() for r in readings],
                    [r.received_at.timestamp() for r in readings],
                    [r.value for r in readings],
                ],
            )
            return {(row[0], row[1]) for row in cursor.fetchall()}
        adapt = connection.ops.adapt_datetimefield_value
        for start in range(0, len(readings), 1000):
            chunk = readings[start : start + 1000]
            params: list[Any] = []
            for r in chunk:
                params += [
                    r.device.id,
                    r.seq,
                    adapt(r.recorded_at),
                    adapt(r.received_at),
                    adapt(now),
                    r.value,
                ]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            # constant names and placeholders only: the values are parameters
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} {ending}"  # noqa: S608
            cursor.execute(sql, params)
            stored.update((row[0], row[1]) for row in cursor.fetchall())
    return stored


def counters_add(counts: dict[str, int], now: dt.datetime) -> None:
    """One upsert for the batch's counts: concurrent workers add up instead of racing to
    create a counter row (both backends support ON CONFLICT ... DO UPDATE)."""
    rows = [(key, n) for key, n in sorted(counts.items()) if n]  # one lock order: no deadlock
    if not rows:
        return
    table = IngestCounter._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (key, count, updated_at) VALUES {values} "  # noqa: S608
        f"ON CONFLICT (key) DO UPDATE SET count = {table}.count + excluded.count, "
        "updated_at = excluded.updated_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for key, n in rows for value in (key, n, stamp)])


def rejections_trim(*, keep_days: int = 30) -> int:
    """Forget refused messages older than keep_days (the counters keep the totals)."""
    cutoff = timezone.now() - dt.timedelta(days=keep_days)
    deleted, _ = Rejection.objects.filter(received_at__lt=cutoff).delete()
    return deleted
