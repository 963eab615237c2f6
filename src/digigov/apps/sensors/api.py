"""/api/v1/sensors: the device registry (staff), readings by device and time range, alerts.
Thin: parse, call one service or selector, render. Who may is decided there."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from digigov.kernel.api.auth import require_scope

from .schemas import (
    AlertActionIn,
    AlertOut,
    AlertPageOut,
    DeviceIn,
    DeviceOut,
    DevicePageOut,
    ReadingOut,
    RuleOut,
)
from .selectors.access import READ_SCOPE, WRITE_SCOPE
from .selectors.devices import (
    DeviceFilters,
    alert_get,
    alert_list,
    device_get,
    device_list,
    readings_for_device,
    rule_list,
)
from .services.alerts import alert_acknowledge, alert_close
from .services.devices import DeviceInput, device_register, device_update

router = Router(tags=["感知终端"])


class DeviceQuery(Schema):
    q: str = ""
    kind: str = ""
    region: str = ""
    state: str = ""
    page: int = 1
    page_size: int = 20


class ReadingQuery(Schema):
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 500


class AlertQuery(Schema):
    state: str = ""
    region: str = ""
    device_id: int | None = None
    q: str = ""
    page: int = 1
    page_size: int = 20


def _input(body: DeviceIn) -> DeviceInput:
    return DeviceInput(**body.dict())


@router.get(
    "/devices", response=DevicePageOut, summary="感知设备清单（可按类型、区划、状态筛选和搜索）"
)
def devices(request: HttpRequest, filters: Query[DeviceQuery]):
    principal = require_scope(request, READ_SCOPE)
    return device_list(
        principal=principal,
        filters=DeviceFilters(
            search=filters.q,
            kind_code=filters.kind,
            region_code=filters.region,
            state=filters.state,
        ),
        page=filters.page,
        page_size=filters.page_size,
    )


@router.post("/devices", response={201: DeviceOut}, summary="登记感知设备")
def device_create(request: HttpRequest, body: DeviceIn):
    principal = require_scope(request, WRITE_SCOPE)
    device = device_register(principal=principal, data=_input(body))
    return Status(201, device_get(principal=principal, device_id=device.pk))


@router.get("/devices/{device_id}", response=DeviceOut, summary="一台感知设备")
def device(request: HttpRequest, device_id: int):
    principal = require_scope(request, READ_SCOPE)
    return device_get(principal=principal, device_id=device_id)


@router.put("/devices/{device_id}", response=DeviceOut, summary="修改感知设备（编码不可改）")
def device_change(request: HttpRequest, device_id: int, body: DeviceIn):
    principal = require_scope(request, WRITE_SCOPE)
    device_update(principal=principal, device_id=device_id, data=_input(body))
    return device_get(principal=principal, device_id=device_id)


@router.get(
    "/devices/{device_id}/readings",
    response=list[ReadingOut],
    summary="设备读数（按时间范围，新的在前，最多 5000 条）",
)
def readings(request: HttpRequest, device_id: int, filters: Query[ReadingQuery]):
    principal = require_scope(request, READ_SCOPE)
    return readings_for_device(
        principal=principal,
        device_id=device_id,
        since=filters.since,
        until=filters.until,
        limit=filters.limit,
    )


@router.get("/alerts", response=AlertPageOut, summary="感知告警（可按状态、区划、设备筛选）")
def alerts(request: HttpRequest, filters: Query[AlertQuery]):
    principal = require_scope(request, READ_SCOPE)
    return alert_list(
        principal=principal,
        state=filters.state,
        region_code=filters.region,
        device_id=filters.device_id,
        search=filters.q,
        page=filters.page,
        page_size=filters.page_size,
    )


def _alert_out(principal, alert) -> AlertOut:
    return alert_get(principal=principal, alert_id=alert.pk)


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut, summary="确认告警")
def acknowledge(request: HttpRequest, alert_id: int, body: AlertActionIn):
    principal = require_scope(request, WRITE_SCOPE)
    return _alert_out(
        principal, alert_acknowledge(principal=principal, alert_id=alert_id, note=body.note)
    )


@router.post("/alerts/{alert_id}/close", response=AlertOut, summary="关闭告警（须填写处置说明）")
def close(request: HttpRequest, alert_id: int, body: AlertActionIn):
    principal = require_scope(request, WRITE_SCOPE)
    return _alert_out(
        principal, alert_close(principal=principal, alert_id=alert_id, note=body.note)
    )


@router.get("/rules", response=list[RuleOut], summary="告警规则")
def rules(request: HttpRequest):
    return rule_list(principal=require_scope(request, READ_SCOPE))
