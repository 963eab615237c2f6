"""Demo data: device kinds, about 200 devices across Guangdong's 21 cities, alert rules,
the last day of readings (through the ingest engine, so rules and alerts are real), a few
devices gone silent, and the alerts' city events."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from typing import Any

from django.utils import timezone

from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region

from ..models import Alert, Device, DeviceKind
from .alerts import alerts_escalate_pending
from .devices import DeviceInput, RuleInput, device_register, kind_ensure, rule_save
from .ingest import Incoming, IngestEngine
from .offline import devices_check_offline

log = logging.getLogger(__name__)
SYSTEM = Principal(kind="system", id="sensors-demo", label="感知终端演示数据")

# code, name, unit, min, max, video, interval (s), owner line, devices per city, normal value
KINDS: list[tuple[str, str, str, float, float, bool, int, str, int, float]] = [
    ("water-level", "水位", "m", 0, 50, False, 900, "slt", 2, 4.0),
    ("pm25", "空气质量 PM2.5", "μg/m³", 0, 1000, False, 900, "stt", 2, 35.0),
    ("noise", "噪声", "dB(A)", 20, 140, False, 900, "stt", 2, 58.0),
    ("temp-humidity", "温湿度", "°C", -20, 60, False, 900, "stt", 1, 27.0),
    ("camera", "视频监控", "", 0, 1, True, 3600, "gat", 3, 1.0),
]
# kind, name, type, limit, consecutive, level, city event type
RULES: list[tuple[str, str, str, float, int, str, str]] = [
    ("water-level", "水位超警戒", "above", 8.0, 2, "larger", "env.water_level"),
    ("water-level", "水位骤涨", "rate", 0.5, 1, "major", ""),
    ("pm25", "PM2.5 重度污染", "above", 150.0, 3, "general", "env.air_quality"),
    ("noise", "噪声超标", "above", 85.0, 3, "general", "env.noise"),
    ("temp-humidity", "高温预警", "above", 40.0, 2, "general", ""),
]


def _owner(city_code: str, line: str) -> int:
    found = Organization.objects.filter(code=f"{city_code}-{line}").values_list("pk", flat=True)
    return found.first() or Organization.objects.get(code=f"440000-{line}").pk


def _value(rng: random.Random, normal: float, step: int) -> float:
    wave = 0.15 * normal * ((step % 96) / 96 - 0.5)
    return round(max(0.0, normal + wave + rng.gauss(0, 0.05 * normal)), 2)


def sensors_demo_seed(*, seed: int = 2021, **_options: Any) -> str:
    if Device.objects.exists():
        return "已存在，跳过"
    rng = random.Random(seed)
    kinds: dict[str, DeviceKind] = {}
    for code, name, unit, low, high, video, interval, *_ in KINDS:
        kinds[code] = kind_ensure(
            code=code,
            name=name,
            unit=unit,
            min_value=low,
            max_value=high,
            is_video=video,
            expected_interval_seconds=interval,
        )
    for kind, name, rule_type, limit, consecutive, level, event_type in RULES:
        rule_save(
            principal=SYSTEM,
            data=RuleInput(
                kind_code=kind,
                name=name,
                rule_type=rule_type,
                limit=limit,
                consecutive=consecutive,
                level=level,
                raises_event=bool(event_type),
                event_type_code=event_type,
            ),
        )
    cities = list(Region.objects.filter(level="city", code__startswith="44").order_by("code"))
    devices: list[tuple[Device, float, int]] = []
    for city in cities:
        for code, name, _unit, _low, _high, _video, _interval, line, per_city, normal in KINDS:
            for n in range(1, per_city + 1):
                device = device_register(
                    principal=SYSTEM,
                    data=DeviceInput(
                        code=f"{code}-{city.code}-{n:02d}",
                        kind_code=code,
                        name=f"{city.name}{name}监测点 {n:02d}",
                        longitude=round(float(city.longitude) + rng.uniform(-0.08, 0.08), 6),
                        latitude=round(float(city.latitude) + rng.uniform(-0.06, 0.06), 6),
                        region_code=city.code,
                        owner_organization_id=_owner(city.code, line),
                    ),
                )
                devices.append((device, normal, 3600 if code == "camera" else 900))
    now = timezone.now()
    engine = IngestEngine()
    engine.warm()
    # planted: a few water-level gauges rise above the warning line in the last hour
    flooded = {d.pk for d, *_ in devices if d.kind_id == kinds["water-level"].pk}
    flooded = set(sorted(flooded)[:: max(1, len(flooded) // 4)][:4])
    batch: list[Incoming] = []
    readings = 0
    for step in range(95, -1, -1):
        at = now - dt.timedelta(minutes=15 * step + 1)
        for device, normal, interval in devices:
            if interval == 3600 and step % 4:
                continue
            value = _value(rng, normal, step)
            if device.pk in flooded and step < 4:
                value = round(8.5 + (4 - step) * 0.3, 2)
            if device.kind_id == kinds["camera"].pk:
                value = 1.0
            payload = {"seq": 96 - step, "ts": at.isoformat(), "value": value}
            topic = f"gd/sensors/{device.region_id}/{device.code}/reading"
            batch.append(Incoming(topic, json.dumps(payload).encode(), now))
            if len(batch) >= 1000:
                readings += engine.process(batch).stored
                batch = []
    if batch:
        readings += engine.process(batch).stored
    # a few devices went silent three hours ago
    silent = [d.pk for d, *_ in devices][5::37]
    Device.objects.filter(pk__in=silent).update(last_seen_at=now - dt.timedelta(hours=3))
    offline = devices_check_offline(now=now)
    try:
        events = alerts_escalate_pending()
    except Exception:  # the city events' catalogue may not be seeded on this node
        log.exception("sensor demo: city events not reported")
        events = 0
    return (
        f"设备类型 {len(kinds)} 类，设备 {len(devices)} 台，读数 {readings} 条，"
        f"告警 {Alert.objects.count()} 条（城市事件 {events} 件），离线设备 {offline} 台"
    )
