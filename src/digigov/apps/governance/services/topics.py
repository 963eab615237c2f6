"""Topic dashboards (专题): configured by staff holding governance.manage_topics, audited.
The seed (from data/topics.json) gives 经济调节, 市场监管, 社会管理, 公共服务, 生态环境保护."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from digigov.kernel.audit.services import audit_as, audit_batch
from digigov.kernel.errors import PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.principals import Principal

from ..constants import DATA_DIR, FUNCTIONS, MANAGE_TOPICS
from ..models import Indicator, Topic
from ..selectors import sources
from ..selectors.calculators import sector_names

CODE = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


@dataclass(frozen=True)
class TopicInput:
    name: str
    function: str
    description: str = ""
    sectors: list[str] = field(default_factory=list)
    indicators: list[int] = field(default_factory=list)
    event_types: list[str] = field(default_factory=list)
    sensor_kinds: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    is_active: bool = True


def _deny(principal: Principal, code: str, reason: str) -> None:
    audit_as(
        principal,
        action="governance.topic.save",
        object_type="governance.Topic",
        object_id=code,
        outcome="denied",
        detail={"reason": reason},
    )


def _unknown(chosen: list[str], allowed: set[str]) -> list[str]:
    return [value for value in chosen if value not in allowed]


def _validated(data: TopicInput) -> dict:
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = ["请填写专题名称"]
    elif len(name) > 60:
        errors["name"] = ["名称不能超过 60 字"]
    if data.function not in FUNCTIONS:
        errors["function"] = ["请选择政府职能"]
    if len(data.description) > 300:
        errors["description"] = ["说明不能超过 300 字"]
    if bad := _unknown(data.sectors, set(sector_names())):
        errors["sectors"] = [f"未知的行业：{'、'.join(bad)}"]
    numbers = set(Indicator.objects.values_list("number", flat=True))
    if bad := [n for n in data.indicators if n not in numbers]:
        errors["indicators"] = [f"未知的指标：{'、'.join(map(str, bad))}"]
    # Event types, sensor kinds and datasets are checked against the owning areas' lists
    # once those exist; until then nothing can be chosen.
    for name_, values, lookup, function in (
        ("event_types", data.event_types, sources.cityevents_stat, "event_type_choices"),
        ("sensor_kinds", data.sensor_kinds, sources.sensors_stat, "sensor_kind_choices"),
        ("datasets", data.datasets, sources.opendata_stat, "open_dataset_choices"),
    ):
        allowed = {value for value, _label in sources.choices_of(lookup, function)}
        if bad := _unknown(values, allowed):
            errors[name_] = [f"未知的选项：{'、'.join(bad)}"]
    if errors:
        raise ValidationFailed("专题配置不符合要求", code="governance/topic_invalid", fields=errors)
    return {
        "name": name,
        "function": data.function,
        "description": data.description.strip(),
        "sectors": sorted(set(data.sectors)),
        "event_types": list(dict.fromkeys(data.event_types)),
        "sensor_kinds": list(dict.fromkeys(data.sensor_kinds)),
        "datasets": list(dict.fromkeys(data.datasets)),
        "is_active": data.is_active,
    }


def topic_save(*, principal: Principal, code: str, data: TopicInput) -> Topic:
    """Create (new code) or change a topic."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "staff" or not principal.has_perm(MANAGE_TOPICS):
        _deny(principal, code, "permission")
        raise PermissionDenied("无权配置专题", code="governance/not_topic_manager")
    code = (code or "").strip()
    if not CODE.match(code):
        raise ValidationFailed(
            "代码应为小写字母开头的字母、数字、下划线或连字符（2-40 位）",
            code="governance/topic_invalid",
            fields={"code": ["代码格式不正确"]},
        )
    values = _validated(data)
    with transaction.atomic(), audit_batch():
        topic, created = Topic.objects.update_or_create(
            code=code, defaults={**values, "updated_by": principal.actor}
        )
        topic.indicators.set(Indicator.objects.filter(number__in=data.indicators))
        audit_as(
            principal,
            action="governance.topic.save",
            object_type="governance.Topic",
            object_id=code,
            detail={"created": created, **values, "indicators": sorted(set(data.indicators))},
        )
    return topic


def _same(current, wanted) -> bool:
    if isinstance(current, Decimal) or (current is None) != (wanted is None):
        return current is not None and wanted is not None and current == Decimal(str(wanted))
    return current == wanted


def definitions_sync() -> int:
    """Indicator definitions from data/indicators.json (the plan's Table 1 and Annex 1):
    created or brought up to date. Idempotent; returns how many changed."""
    rows = json.loads((DATA_DIR / "indicators.json").read_text(encoding="utf-8"))
    changed = 0
    for row in rows:
        defaults = {k: v for k, v in row.items() if k != "number"}
        indicator, created = Indicator.objects.get_or_create(
            number=row["number"], defaults=defaults
        )
        stale = {k: v for k, v in defaults.items() if not _same(getattr(indicator, k), v)}
        if created or stale:
            changed += 1
        if stale and not created:
            for k, v in stale.items():
                setattr(indicator, k, v)
            indicator.save()
    return changed


def topics_seed() -> int:
    """The seed topics of data/topics.json that do not exist yet (a topic staff changed is
    left alone). Returns how many were created."""
    rows = json.loads((DATA_DIR / "topics.json").read_text(encoding="utf-8"))
    created = 0
    for row in rows:
        if Topic.objects.filter(code=row["code"]).exists():
            continue
        values = {k: v for k, v in row.items() if k not in ("code", "indicators")}
        topic = Topic.objects.create(code=row["code"], **values)
        topic.indicators.set(Indicator.objects.filter(number__in=row["indicators"]))
        created += 1
    return created
