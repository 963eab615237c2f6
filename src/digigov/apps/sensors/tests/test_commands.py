"""Operator commands: the ingest worker starts, subscribes and stops cleanly; the periodic
check flags silent devices and reports pending city events."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from digigov.apps.sensors.models import Device
from digigov.apps.sensors.testing import device_make

pytestmark = pytest.mark.django_db


def test_ingest_command_subscribes_and_exits_when_idle(capsys):
    call_command(
        "sensors_ingest",
        "--client-id",
        f"test-cmd-{uuid.uuid4().hex[:8]}",
        "--regions",
        "449999",  # nobody publishes there
        "--idle-exit",
        "0.5",
    )
    out = capsys.readouterr().out
    assert "已订阅 gd/sensors/449999/+/reading" in out
    assert "收到 0，入库 0" in out


def test_check_offline_command(capsys):
    device = device_make()
    Device.objects.filter(pk=device.pk).update(
        state=Device.State.ONLINE, last_seen_at=timezone.now() - dt.timedelta(hours=1)
    )
    call_command("sensors_check_offline")
    assert "离线设备 1 台" in capsys.readouterr().out
    device.refresh_from_db()
    assert device.state == Device.State.OFFLINE
