"""粤政易 · 感知终端: the device registry (filters, search, pages), register and edit a device,
a device's latest readings with a chart, the rules editor, alerts to acknowledge and close,
and the ingest counters. Thin: parse the form, call one service or selector, render. Who
may is decided there."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.apps.sensors.selectors.access import (
    may_handle_alerts,
    may_manage_devices,
    may_manage_rules,
)
from digigov.apps.sensors.selectors.devices import (
    ALERT_STATE_LABELS,
    LEVEL_LABELS,
    RULE_TYPE_LABELS,
    STATE_LABELS,
    DeviceFilters,
    alert_list,
    device_get,
    device_list,
    ingest_stats,
    kind_list,
    owner_choices,
    readings_for_device,
    region_choices,
    rule_list,
)
from digigov.apps.sensors.services.alerts import alert_acknowledge, alert_close
from digigov.apps.sensors.services.devices import (
    DeviceInput,
    RuleInput,
    device_register,
    device_update,
    rule_save,
)
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

NAV = "sensors"
REFUSALS = (PermissionDenied, Unauthenticated)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _not_found(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": NAV, "page_title": "未找到", "message": error.message}
    return render(request, "staff/refused.html", context, status=404)


def _int(value: str | None, default: int | None = 1) -> int | None:
    try:
        return max(1, int(value or ""))
    except ValueError:
        return default


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _context(page_title: str, tab: str, **more) -> dict:
    return {**PORTAL, "nav": NAV, "page_title": page_title, "tab": tab, **more}


@require_safe
@staff_required
def devices(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    get = request.GET
    chosen = {
        "q": get.get("q", "").strip()[:60],
        "kind": get.get("kind", "").strip()[:40],
        "region": get.get("region", "").strip()[:12],
        "state": get.get("state", "") if get.get("state") in STATE_LABELS else "",
    }
    try:
        page = device_list(
            principal=principal,
            filters=DeviceFilters(
                search=chosen["q"],
                kind_code=chosen["kind"],
                region_code=chosen["region"],
                state=chosen["state"],
            ),
            page=_int(get.get("page")) or 1,
        )
    except REFUSALS as error:
        return _refused(request, error)
    context = _context(
        "感知设备",
        "devices",
        page=page,
        chosen=chosen,
        kinds=kind_list(),
        regions=region_choices(),
        states=STATE_LABELS,
        query=urlencode({k: v for k, v in chosen.items() if v}),
        may_manage=may_manage_devices(principal),
    )
    return render(request, "staff/sensors/devices.html", context)


def _device_values(source) -> dict[str, str]:
    names = ("code", "kind_code", "name", "longitude", "latitude", "region_code", "owner")
    values = {name: source.get(name, "").strip() for name in names}
    values["is_active"] = "1" if source.get("is_active") else ""
    return values


def _device_input(values: dict[str, str]) -> DeviceInput:
    return DeviceInput(
        code=values["code"],
        kind_code=values["kind_code"],
        name=values["name"],
        longitude=_float(values["longitude"]),
        latitude=_float(values["latitude"]),
        region_code=values["region_code"],
        owner_organization_id=_int(values["owner"], None),
        is_active=bool(values["is_active"]),
    )


def _device_form(request, *, device_id: int | None) -> HttpResponse:
    principal = request_principal(request)
    if not may_manage_devices(principal):
        return _refused(request, PermissionDenied("只有感知设备管理人员可以登记和修改设备"))
    errors: dict[str, list[str]] = {}
    status = 200
    current = None
    if device_id is not None:
        try:
            current = device_get(principal=principal, device_id=device_id)
        except NotFound as error:
            return _not_found(request, error)
    if request.method == "POST":
        values = _device_values(request.POST)
        if current is not None:
            values["code"] = current.code
        try:
            if current is None:
                saved = device_register(principal=principal, data=_device_input(values))
                messages.success(request, f"已登记设备 {saved.code}。")
            else:
                saved = device_update(
                    principal=principal, device_id=current.id, data=_device_input(values)
                )
                messages.success(request, f"已保存设备 {saved.code}。")
        except REFUSALS as error:
            return _refused(request, error)
        except DomainError as error:
            errors = {**error.fields, "form": [error.message]}
            status = 422
        else:
            return redirect("staff:sensors_device", device_id=saved.pk)
    elif current is not None:
        values = {
            "code": current.code,
            "kind_code": current.kind_code,
            "name": current.name,
            "longitude": f"{current.longitude:.6f}",
            "latitude": f"{current.latitude:.6f}",
            "region_code": current.region_code,
            "owner": str(current.owner_organization_id),
            "is_active": "1" if current.is_active else "",
        }
    else:
        values = {"is_active": "1"}
    context = _context(
        "修改设备" if current else "登记设备",
        "devices",
        values=values,
        errors=errors,
        current=current,
        kinds=kind_list(),
        regions=region_choices(counties=True),
        owners=owner_choices(),
    )
    return render(request, "staff/sensors/device_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def device_new(request: HttpRequest) -> HttpResponse:
    return _device_form(request, device_id=None)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def device_edit(request: HttpRequest, device_id: int) -> HttpResponse:
    return _device_form(request, device_id=device_id)


@require_safe
@staff_required
def device(request: HttpRequest, device_id: int) -> HttpResponse:
    principal = request_principal(request)
    try:
        row = device_get(principal=principal, device_id=device_id)
        readings = readings_for_device(principal=principal, device_id=device_id, limit=200)
        alerts = alert_list(principal=principal, device_id=device_id, page_size=20)
    except REFUSALS as error:
        return _refused(request, error)
    except NotFound as error:
        return _not_found(request, error)
    series = [[reading.recorded_at.isoformat(), reading.value] for reading in reversed(readings)]
    context = _context(
        row.name,
        "devices",
        device=row,
        readings=readings[:20],
        series={"name": f"{row.kind_name}（{row.unit}）", "points": series},
        alerts=alerts,
        may_manage=may_manage_devices(principal),
    )
    return render(request, "staff/sensors/device.html", context)


def _rule_values(source) -> dict[str, str]:
    names = ("kind_code", "device_code", "name", "rule_type", "limit", "consecutive", "level")
    values = {name: source.get(name, "").strip() for name in names}
    values["event_type_code"] = source.get("event_type_code", "").strip()
    values["raises_event"] = "1" if source.get("raises_event") else ""
    values["is_active"] = "1" if source.get("is_active") else ""
    return values


def _rule_input(values: dict[str, str]) -> RuleInput:
    return RuleInput(
        kind_code=values["kind_code"],
        name=values["name"],
        rule_type=values["rule_type"],
        limit=_float(values["limit"]),
        consecutive=_int(values["consecutive"], 0) or 0,
        level=values["level"],
        raises_event=bool(values["raises_event"]),
        event_type_code=values["event_type_code"],
        device_code=values["device_code"],
        is_active=bool(values["is_active"]),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def rules(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        rows = rule_list(principal=principal)
    except REFUSALS as error:
        return _refused(request, error)
    editing = _int(request.GET.get("edit") or request.POST.get("rule_id"), None)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = _rule_values(request.POST)
        try:
            rule_save(principal=principal, data=_rule_input(values), rule_id=editing)
        except REFUSALS as error:
            return _refused(request, error)
        except DomainError as error:
            errors = {**error.fields, "form": [error.message]}
            status = 422
        else:
            messages.success(request, "已保存规则，接入服务一分钟内生效。")
            return redirect("staff:sensors_rules")
    else:
        current = next((r for r in rows if r.id == editing), None)
        values = (
            {
                "kind_code": current.kind_code,
                "device_code": current.device_code,
                "name": current.name,
                "rule_type": current.rule_type,
                "limit": f"{current.limit:g}",
                "consecutive": str(current.consecutive),
                "level": current.level,
                "event_type_code": current.event_type_code,
                "raises_event": "1" if current.raises_event else "",
                "is_active": "1" if current.is_active else "",
            }
            if current
            else {"consecutive": "1", "is_active": "1"}
        )
    context = _context(
        "告警规则",
        "rules",
        rules=rows,
        values=values,
        errors=errors,
        editing=editing,
        kinds=kind_list(),
        rule_types=RULE_TYPE_LABELS,
        levels=LEVEL_LABELS,
        may_manage=may_manage_rules(principal),
    )
    return render(request, "staff/sensors/rules.html", context, status=status)


@require_safe
@staff_required
def alerts(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    get = request.GET
    chosen = {
        "state": get.get("state", "") if get.get("state") in ALERT_STATE_LABELS else "",
        "region": get.get("region", "").strip()[:12],
        "q": get.get("q", "").strip()[:60],
    }
    try:
        page = alert_list(
            principal=principal,
            state=chosen["state"],
            region_code=chosen["region"],
            search=chosen["q"],
            page=_int(get.get("page")) or 1,
        )
    except REFUSALS as error:
        return _refused(request, error)
    context = _context(
        "感知告警",
        "alerts",
        page=page,
        chosen=chosen,
        states=ALERT_STATE_LABELS,
        regions=region_choices(),
        query=urlencode({k: v for k, v in chosen.items() if v}),
        may_handle=may_handle_alerts(principal),
        highlight=_int(get.get("id"), None),
    )
    return render(request, "staff/sensors/alerts.html", context)


@require_POST
@staff_required
def alert_action(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    principal = request_principal(request)
    note = request.POST.get("note", "")
    service = {"acknowledge": alert_acknowledge, "close": alert_close}.get(action)
    if service is None:
        return _not_found(request, NotFound("没有这个操作"))
    try:
        service(principal=principal, alert_id=alert_id, note=note)
    except REFUSALS as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已确认告警。" if action == "acknowledge" else "已关闭告警。")
    back = request.POST.get("next", "")
    if back.startswith("/staff/sensors/"):
        return redirect(back)
    return redirect("staff:sensors_alerts")


@require_safe
@staff_required
def ingest(request: HttpRequest) -> HttpResponse:
    try:
        stats = ingest_stats(principal=request_principal(request))
    except REFUSALS as error:
        return _refused(request, error)
    context = _context("数据接入", "ingest", stats=stats, now=dt.datetime.now(dt.UTC))
    return render(request, "staff/sensors/ingest.html", context)
