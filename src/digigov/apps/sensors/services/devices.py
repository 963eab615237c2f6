"""Device registry and alert rules: register and edit devices, write rules. Staff with the
permission (or system/operator callers for the demo seed); every change is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_get

from ..models import Device, DeviceKind, Rule
from ..selectors.access import may_manage_devices, may_manage_rules

# Guangdong's extent with a margin (the mainland and its islands)
LNG_RANGE = (109.5, 117.5)
LAT_RANGE = (20.0, 25.7)
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,59}$")


@dataclass(frozen=True)
class DeviceInput:
    code: str
    kind_code: str
    name: str
    longitude: float | None
    latitude: float | None
    region_code: str
    owner_organization_id: int | None
    is_active: bool = True


def _deny(principal: Principal, action: str, object_type: str, object_id: str, message: str):
    audit_as(
        principal, action=action, object_type=object_type, object_id=object_id, outcome="denied"
    )
    raise PermissionDenied(message)


def _validated(data: DeviceInput, *, creating: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    code = (data.code or "").strip()
    if creating and not CODE_PATTERN.match(code):
        errors["code"] = ["设备编码为 2～60 位字母、数字、下划线或连字符，且以字母或数字开头"]
    name = (data.name or "").strip()
    if not name:
        errors["name"] = ["请填写设备名称"]
    kind = DeviceKind.objects.filter(code=(data.kind_code or "").strip()).first()
    if kind is None:
        errors["kind_code"] = ["请选择设备类型"]
    region = region_get((data.region_code or "").strip())
    if region is None or not region.code.startswith("44") or region.level == "province":
        errors["region_code"] = ["请选择设备所在的广东省市、县（区）"]
    organization = (
        Organization.objects.filter(pk=data.owner_organization_id, is_active=True).first()
        if data.owner_organization_id
        else None
    )
    if organization is None:
        errors["owner_organization_id"] = ["请选择权属单位"]
    lng, lat = data.longitude, data.latitude
    if lng is None or not LNG_RANGE[0] <= lng <= LNG_RANGE[1]:
        errors["longitude"] = ["经度须在广东省范围内（东经 109.5～117.5 度）"]
    if lat is None or not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        errors["latitude"] = ["纬度须在广东省范围内（北纬 20.0～25.7 度）"]
    if errors:
        raise ValidationFailed("设备信息不完整或不正确", code="device_invalid", fields=errors)
    return {
        "code": code,
        "kind": kind,
        "name": name[:120],
        "region": region,
        "owner_organization": organization,
        "longitude": float(lng),
        "latitude": float(lat),
        "is_active": bool(data.is_active),
    }


def device_register(*, principal: Principal, data: DeviceInput) -> Device:
    if not may_manage_devices(principal):
        _deny(
            principal,
            "sensors.device.register",
            "Device",
            data.code or "",
            "只有感知设备管理人员可以登记设备",
        )
    values = _validated(data, creating=True)
    try:
        with transaction.atomic():
            device = Device.objects.create(**values, registered_by=principal.actor)
            audit_as(
                principal,
                action="sensors.device.register",
                object_type="Device",
                object_id=str(device.pk),
                detail={"code": device.code},
            )
    except IntegrityError:
        raise Conflict(
            f"设备编码 {values['code']} 已登记",
            code="device_code_taken",
            fields={"code": ["设备编码已登记"]},
        ) from None
    return device


def device_update(*, principal: Principal, device_id: int, data: DeviceInput) -> Device:
    if not may_manage_devices(principal):
        _deny(
            principal,
            "sensors.device.update",
            "Device",
            str(device_id),
            "只有感知设备管理人员可以修改设备",
        )
    values = _validated(data, creating=False)
    values.pop("code")
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(pk=device_id).first()
        if device is None:
            raise NotFound("设备不存在", code="device_not_found")
        changed = {}
        for name, value in values.items():
            old = getattr(device, name)
            if old != value:
                changed[name] = [str(old), str(value)]
                setattr(device, name, value)
        if changed:
            device.save()
            audit_as(
                principal,
                action="sensors.device.update",
                object_type="Device",
                object_id=str(device.pk),
                detail={"changed": changed},
            )
    return device


@dataclass(frozen=True)
class RuleInput:
    kind_code: str
    name: str
    rule_type: str
    limit: float | None
    consecutive: int = 1
    level: str = Rule.Level.GENERAL
    raises_event: bool = False
    event_type_code: str = ""
    device_code: str = ""
    is_active: bool = True


def _rule_values(data: RuleInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    kind = DeviceKind.objects.filter(code=(data.kind_code or "").strip()).first()
    if kind is None:
        errors["kind_code"] = ["请选择设备类型"]
    device = None
    if (data.device_code or "").strip():
        device = Device.objects.filter(code=data.device_code.strip()).first()
        if device is None or (kind is not None and device.kind_id != kind.pk):
            errors["device_code"] = ["设备不存在或不属于所选类型"]
    name = (data.name or "").strip()
    if not name:
        errors["name"] = ["请填写规则名称"]
    if data.rule_type not in Rule.Type.values:
        errors["rule_type"] = ["请选择规则类型"]
    if data.limit is None:
        errors["limit"] = ["请填写阈值"]
    elif data.rule_type == Rule.Type.RATE and data.limit <= 0:
        errors["limit"] = ["变化率阈值须大于 0"]
    if not isinstance(data.consecutive, int) or not 1 <= data.consecutive <= 100:
        errors["consecutive"] = ["连续次数为 1～100"]
    if data.level not in Rule.Level.values:
        errors["level"] = ["请选择告警级别"]
    event_type = (data.event_type_code or "").strip()
    if data.raises_event and not event_type:
        errors["event_type_code"] = ["生成城市事件时须填写事件类型代码"]
    if errors:
        raise ValidationFailed("规则不完整或不正确", code="rule_invalid", fields=errors)
    return {
        "kind": kind,
        "device": device,
        "name": name[:120],
        "rule_type": data.rule_type,
        "limit": float(data.limit),
        "consecutive": data.consecutive,
        "level": data.level,
        "raises_event": bool(data.raises_event),
        "event_type_code": event_type[:40] if data.raises_event else "",
        "is_active": bool(data.is_active),
    }


def rule_save(*, principal: Principal, data: RuleInput, rule_id: int | None = None) -> Rule:
    """Create a rule, or replace an existing one's settings. The ingest worker picks the
    change up within a minute (it reloads rules periodically)."""
    if not may_manage_rules(principal):
        _deny(
            principal,
            "sensors.rule.save",
            "Rule",
            str(rule_id or ""),
            "只有感知告警规则管理人员可以维护规则",
        )
    values = _rule_values(data)
    with transaction.atomic():
        if rule_id is None:
            rule = Rule.objects.create(**values, updated_by=principal.actor)
        else:
            rule = Rule.objects.select_for_update().filter(pk=rule_id).first()
            if rule is None:
                raise NotFound("规则不存在", code="rule_not_found")
            for name, value in values.items():
                setattr(rule, name, value)
            rule.updated_by = principal.actor
            rule.save()
        audit_as(
            principal,
            action="sensors.rule.save",
            object_type="Rule",
            object_id=str(rule.pk),
            detail={
                "rule_type": rule.rule_type,
                "limit": rule.limit,
                "consecutive": rule.consecutive,
                "level": rule.level,
                "raises_event": rule.raises_event,
                "is_active": rule.is_active,
            },
        )
    return rule


def kind_ensure(
    *,
    code: str,
    name: str,
    unit: str,
    min_value: float,
    max_value: float,
    is_video: bool = False,
    expected_interval_seconds: int = 300,
) -> DeviceKind:
    """The seeded device kinds (operators add kinds in the back office)."""
    kind, _ = DeviceKind.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "unit": unit,
            "min_value": min_value,
            "max_value": max_value,
            "is_video": is_video,
            "expected_interval_seconds": expected_interval_seconds,
        },
    )
    return kind
