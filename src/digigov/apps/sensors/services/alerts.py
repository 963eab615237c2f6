"""Alerts after they are raised: staff acknowledge and close them; those whose rule asks
for it become city events (城市事件). The alerts table is the outbox: an alert that wants an
event and has no event yet is pending, retried by the ingest worker's reporter thread and
by `digigov sensors_check_offline` (the periodic task), so a slow or failing event service
never blocks the ingest and no alert is forgotten. city_event_report is idempotent on
external_ref, so a retry after a lost answer does not create a second event."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_as, audit_record
from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.principals import Principal

from ..models import Alert
from ..selectors.access import may_handle_alerts

log = logging.getLogger(__name__)

MAX_EVENT_ATTEMPTS = 20


def _alert_for_update(alert_id: int) -> Alert:
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("告警不存在", code="alert_not_found")
    return alert


def _check(principal: Principal, action: str, alert_id: int) -> None:
    if not may_handle_alerts(principal):
        audit_as(
            principal, action=action, object_type="Alert", object_id=str(alert_id), outcome="denied"
        )
        raise PermissionDenied("只有感知告警处置人员可以确认或关闭告警")


def alert_acknowledge(*, principal: Principal, alert_id: int, note: str = "") -> Alert:
    _check(principal, "sensors.alert.acknowledge", alert_id)
    with transaction.atomic():
        alert = _alert_for_update(alert_id)
        if alert.state != Alert.State.OPEN:
            raise Conflict("只有待处理的告警可以确认", code="alert_not_open")
        alert.state = Alert.State.ACKNOWLEDGED
        alert.acknowledged_by = principal.actor
        alert.acknowledged_at = timezone.now()
        alert.note = (note or "").strip()[:300] or alert.note
        alert.save(update_fields=["state", "acknowledged_by", "acknowledged_at", "note"])
        audit_as(
            principal,
            action="sensors.alert.acknowledge",
            object_type="Alert",
            object_id=str(alert.pk),
        )
    return alert


def alert_close(*, principal: Principal, alert_id: int, note: str = "") -> Alert:
    _check(principal, "sensors.alert.close", alert_id)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写处置说明", fields={"note": ["请填写处置说明"]})
    with transaction.atomic():
        alert = _alert_for_update(alert_id)
        if alert.state == Alert.State.CLOSED:
            raise Conflict("告警已关闭", code="alert_closed")
        alert.state = Alert.State.CLOSED
        alert.closed_by = principal.actor
        alert.closed_at = timezone.now()
        alert.note = note[:300]
        alert.save(update_fields=["state", "closed_by", "closed_at", "note"])
        audit_as(
            principal,
            action="sensors.alert.close",
            object_type="Alert",
            object_id=str(alert.pk),
            detail={"note": alert.note},
        )
    return alert


def _report(alert: Alert):
    # imported here: the city-events app is a sibling, called only when an alert wants it
    from digigov.apps.cityevents.services import city_event_report

    device = alert.device
    return city_event_report(
        source="sensor",
        event_type_code=alert.event_type_code,
        lng=device.longitude,
        lat=device.latitude,
        title=f"{device.kind.name}告警：{device.name}",
        description=(
            f"设备 {device.code}（{device.name}）触发规则“{alert.rule.name}”，"
            f"读数 {alert.value:g}{device.kind.unit}，读数时间 "
            f"{timezone.localtime(alert.reading_at):%Y-%m-%d %H:%M:%S}。"
        ),
        level=alert.level,
        reporter=None,
        external_ref=f"sensor-alert:{alert.pk}",
    )


def alert_escalate(*, alert_id: int) -> bool:
    """Report one pending alert as a city event; True when it has its event."""
    alert = Alert.objects.select_related("device__kind", "rule").filter(pk=alert_id).first()
    if alert is None or not alert.wants_event:
        return False
    if alert.city_event_id:
        return True
    try:
        event = _report(alert)
    except Exception as error:  # the event service's failure is recorded and retried
        log.warning("city event for alert %s failed: %r", alert_id, error)
        Alert.objects.filter(pk=alert_id).update(
            event_attempts=alert.event_attempts + 1,
            event_error=(getattr(error, "message", "") or repr(error))[:300],
        )
        return False
    with transaction.atomic():
        Alert.objects.filter(pk=alert_id).update(
            city_event_id=event.id,
            city_event_number=str(getattr(event, "number", "") or ""),
            event_attempts=alert.event_attempts + 1,
            event_error="",
        )
        audit_record(
            actor="system:sensors",
            action="sensors.alert.city_event",
            object_type="Alert",
            object_id=str(alert_id),
            detail={"city_event_id": event.id, "number": str(getattr(event, "number", ""))},
        )
    return True


def alerts_escalate_pending(*, limit: int = 200) -> int:
    """Retry every alert that still waits for its city event; returns how many now have one."""
    pending = (
        Alert.objects.filter(
            wants_event=True, city_event_id__isnull=True, event_attempts__lt=MAX_EVENT_ATTEMPTS
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for alert_id in list(pending) if alert_escalate(alert_id=alert_id))
