"""Offline detection: a device that has sent nothing for its kind's expected interval times
the kind's grace factor is flagged offline; its next reading brings it back (ingest)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_batch, audit_record

from ..models import Device, DeviceKind


def devices_check_offline(*, now: dt.datetime | None = None) -> int:
    """Flag silent devices offline; returns how many were flagged now."""
    now = now or timezone.now()
    flagged = 0
    with transaction.atomic(), audit_batch():
        for kind in DeviceKind.objects.all():
            silent_since = now - dt.timedelta(
                seconds=kind.expected_interval_seconds * kind.offline_grace_factor
            )
            ids = list(
                Device.objects.select_for_update()
                .filter(
                    kind=kind,
                    is_active=True,
                    state=Device.State.ONLINE,
                    last_seen_at__lt=silent_since,
                )
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            Device.objects.filter(pk__in=ids).update(
                state=Device.State.OFFLINE, state_changed_at=now
            )
            for device_id in ids:
                audit_record(
                    actor="system:sensors",
                    action="sensors.device.offline",
                    object_type="Device",
                    object_id=str(device_id),
                    detail={"silent_since": silent_since.isoformat()},
                )
            flagged += len(ids)
    return flagged
