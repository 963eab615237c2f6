"""The event-type catalogue: a realistic seed (城市管理 / 12345 classifications, and the types
sensor alerts map to) and the staff edit of a type's routing and SLAs."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.principals import Principal

from ..models import LEVEL_LABELS, OPEN_STAGES, REGION_LEVELS, EventType


def _sla(reported: float, registered: float, dispatched: float, handled: float, verified: float):
    """SLA hours for 一般; each higher level gets tighter deadlines (较大 x0.5, 重大 x0.25,
    特别重大 x0.125, at least one hour)."""
    base = dict(
        zip(OPEN_STAGES, (reported, registered, dispatched, handled, verified), strict=True)
    )
    factors = {"general": 1, "larger": 0.5, "major": 0.25, "especially_major": 0.125}
    return {
        level: {stage: max(1, round(hours * factor, 1)) for stage, hours in base.items()}
        for level, factor in factors.items()
    }


# code, name, category, department function, handling level, SLA (一般), town override
EVENT_TYPES: list[tuple[str, str, str, str, str, dict, dict]] = [
    ("cityapp.garbage", "垃圾堆放", "city_appearance", "cgj", "town", _sla(2, 2, 24, 24, 8), {}),
    (
        "cityapp.street_vendor",
        "占道经营",
        "city_appearance",
        "cgj",
        "town",
        _sla(2, 1, 8, 24, 8),
        {},
    ),
    (
        "cityapp.illegal_ad",
        "违规广告张贴",
        "city_appearance",
        "cgj",
        "town",
        _sla(4, 4, 48, 24, 8),
        {},
    ),
    (
        "cityapp.illegal_building",
        "违法建设",
        "city_appearance",
        "cgj",
        "county",
        _sla(4, 8, 240, 48, 24),
        {},
    ),
    ("roads.pothole", "道路坑洼破损", "roads", "jtt", "county", _sla(2, 4, 72, 24, 8), {}),
    ("roads.illegal_parking", "违规停车", "roads", "gat", "county", _sla(1, 1, 4, 8, 4), {}),
    ("roads.signal_fault", "交通信号灯故障", "roads", "gat", "county", _sla(1, 1, 8, 8, 4), {}),
    ("facilities.manhole", "井盖缺失破损", "facilities", "cgj", "county", _sla(1, 1, 12, 8, 4), {}),
    (
        "facilities.streetlight",
        "路灯不亮",
        "facilities",
        "cgj",
        "county",
        _sla(4, 4, 72, 24, 8),
        {},
    ),
    (
        "safety.fire_hazard",
        "消防通道堵塞",
        "public_safety",
        "xf",
        "county",
        _sla(1, 1, 12, 8, 4),
        {},
    ),
    (
        "safety.gas_leak",
        "燃气泄漏隐患",
        "public_safety",
        "yjglt",
        "city",
        _sla(0.5, 0.5, 4, 4, 2),
        {},
    ),
    ("safety.slope", "边坡、危房隐患", "public_safety", "zjt", "county", _sla(2, 2, 48, 24, 8), {}),
    ("eco.sewage", "污水直排", "ecology", "stt", "county", _sla(2, 4, 72, 24, 8), {}),
    ("eco.smoke", "露天焚烧、油烟扰民", "ecology", "stt", "county", _sla(2, 2, 24, 24, 8), {}),
    ("market.food_safety", "食品安全隐患", "market", "scjg", "county", _sla(2, 2, 48, 24, 8), {}),
    ("market.price", "价格违法", "market", "scjg", "county", _sla(4, 4, 120, 24, 8), {}),
    ("water.flooding", "道路积水内涝", "water", "slt", "county", _sla(0.5, 0.5, 6, 4, 2), {}),
    # Types that sensor alerts (apps/sensors) map to.
    ("env.water_level", "水位超限", "water", "slt", "city", _sla(0.5, 0.5, 6, 4, 2), {}),
    ("env.air_quality", "空气质量超标", "ecology", "stt", "city", _sla(1, 1, 24, 8, 4), {}),
    ("env.noise", "噪声超标", "ecology", "stt", "county", _sla(2, 2, 24, 24, 8), {}),
]


def event_types_seed(**_options: Any) -> str:
    """Create the catalogue's types that are missing (staff edits of existing ones stay)."""
    existing = set(EventType.objects.values_list("code", flat=True))
    new = [
        EventType(
            code=code,
            name=name,
            category=category,
            department_function=function,
            handling_level=level,
            sla_hours=sla,
            department_by_level=by_level,
        )
        for code, name, category, function, level, sla, by_level in EVENT_TYPES
        if code not in existing
    ]
    EventType.objects.bulk_create(new)
    return f"新建 {len(new)} 个事件类型" if new else "已存在，跳过"


def _check_sla(sla_hours: Any) -> dict:
    if not isinstance(sla_hours, dict):
        raise ValidationFailed(
            "时限格式无效", code="cityevents/bad_sla", fields={"sla_hours": ["无效"]}
        )
    cleaned: dict[str, dict[str, float]] = {}
    for level, stages in sla_hours.items():
        if level not in LEVEL_LABELS or not isinstance(stages, dict):
            raise ValidationFailed(
                f"未知的事件等级：{str(level)[:20]}",
                code="cityevents/bad_sla",
                fields={"sla_hours": ["事件等级无效"]},
            )
        cleaned[level] = {}
        for stage, hours in stages.items():
            try:
                value = float(hours)
            except (TypeError, ValueError):
                value = -1
            if stage not in OPEN_STAGES or not (0 < value <= 24 * 365):
                raise ValidationFailed(
                    f"{LEVEL_LABELS[level]}事件的“{stage}”时限无效（应为 0 至 8760 小时）",
                    code="cityevents/bad_sla",
                    fields={"sla_hours": ["时限无效"]},
                )
            cleaned[level][stage] = value
    return cleaned


def event_type_update(
    *,
    principal: Principal,
    code: str,
    name: str,
    department_function: str,
    handling_level: str,
    sla_hours: dict,
    duplicate_radius_m: int,
    duplicate_window_hours: int,
    is_active: bool,
) -> EventType:
    if principal.kind != "staff" or not principal.has_perm("cityevents.manage_eventtype"):
        raise PermissionDenied("只有事件类型管理员可以修改事件类型", code="cityevents/no_manage")
    event_type = EventType.objects.filter(code=code).first()
    if event_type is None:
        raise NotFound("事件类型不存在", code="cityevents/unknown_type")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["必填"]
    if handling_level not in REGION_LEVELS[:4]:
        errors["handling_level"] = ["应为省、市、县、镇街之一"]
    department_function = (department_function or "").strip()
    if not department_function.isalnum():
        errors["department_function"] = ["职能条线代码无效"]
    if not (10 <= int(duplicate_radius_m) <= 5000):
        errors["duplicate_radius_m"] = ["应在 10 至 5000 米之间"]
    if not (1 <= int(duplicate_window_hours) <= 720):
        errors["duplicate_window_hours"] = ["应在 1 至 720 小时之间"]
    if errors:
        raise ValidationFailed("事件类型信息有误", code="cityevents/bad_type", fields=errors)
    cleaned_sla = _check_sla(sla_hours)
    with transaction.atomic():
        before = {
            "name": event_type.name,
            "department_function": event_type.department_function,
            "handling_level": event_type.handling_level,
            "sla_hours": event_type.sla_hours,
            "is_active": event_type.is_active,
        }
        event_type.name = name[:60]
        event_type.department_function = department_function[:40]
        event_type.handling_level = handling_level
        event_type.sla_hours = cleaned_sla
        event_type.duplicate_radius_m = int(duplicate_radius_m)
        event_type.duplicate_window_hours = int(duplicate_window_hours)
        event_type.is_active = bool(is_active)
        event_type.save()
        audit_as(
            principal,
            action="cityevents.type.update",
            object_type="cityevents.eventtype",
            object_id=code,
            detail={"before": before},
        )
    return event_type
