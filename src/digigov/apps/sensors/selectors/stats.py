"""What the dashboards (apps/governance) read: device counts toward indicators 13 (video
terminals) and 14 (IoT sensing terminals), recent alerts, and the kinds to pick from in a
topic. Aggregates only (no personal data), so no principal: the dashboard decides who sees
the dashboard."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse

from ..models import Device, DeviceKind
from .devices import LEVEL_LABELS, alerts_with_device, region_filter


def _kinds_filter(field: str, kinds: Iterable[str] | None) -> Q:
    if kinds is None:
        return Q()
    return Q(**{f"{field}__in": list(kinds)})


def device_counts(*, region_code: str | None = None, kinds: Iterable[str] | None = None) -> dict:
    """Registered, active devices: total, online, offline (never-seen devices count as
    neither), video and non-video, and per kind label."""
    rows = (
        Device.objects.filter(is_active=True)
        .filter(region_filter("region", region_code))
        .filter(_kinds_filter("kind__code", kinds))
        .values("kind__name", "kind__is_video", "state")
        .annotate(n=Count("id"))
    )
    counts = {"total": 0, "online": 0, "offline": 0, "video": 0, "non_video": 0, "by_kind": {}}
    for row in rows:
        n = row["n"]
        counts["total"] += n
        if row["state"] == Device.State.ONLINE:
            counts["online"] += n
        elif row["state"] == Device.State.OFFLINE:
            counts["offline"] += n
        counts["video" if row["kind__is_video"] else "non_video"] += n
        counts["by_kind"][row["kind__name"]] = counts["by_kind"].get(row["kind__name"], 0) + n
    return counts


def _alert_url(alert_id: int) -> str:
    try:
        return reverse("staff:sensors_alerts") + f"?id={alert_id}"
    except NoReverseMatch:
        return ""


def recent_alerts(
    *, region_code: str | None = None, kinds: Iterable[str] | None = None, limit: int = 20
) -> list[dict]:
    alerts = (
        alerts_with_device()
        .filter(region_filter("device__region", region_code))
        .filter(_kinds_filter("device__kind__code", kinds))
        .order_by("-raised_at", "-id")[: max(1, min(limit, 200))]
    )
    return [
        {
            "id": a.pk,
            "device_code": a.device.code,
            "kind_label": a.device.kind.name,
            "rule_label": a.rule.name,
            "value": a.value,
            "raised_at": a.raised_at,
            "level": LEVEL_LABELS.get(a.level, a.level),
            "region_name": a.device.region.name,
            "url": _alert_url(a.pk),
        }
        for a in alerts
    ]


def sensor_kind_choices() -> list[tuple[str, str]]:
    return list(DeviceKind.objects.order_by("code").values_list("code", "name"))
