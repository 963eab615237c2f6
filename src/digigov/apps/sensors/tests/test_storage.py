"""The readings table: append-only on both backends, partitioned by day on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from digigov.apps.sensors.models import Reading
from digigov.apps.sensors.services.ingest import Incoming, IngestEngine
from digigov.apps.sensors.services.partitions import (
    partition_name,
    readings_partitions,
    readings_partitions_ensure,
)
from digigov.apps.sensors.testing import device_make

pytestmark = pytest.mark.django_db


def _store_one() -> None:
    device_make()
    now = timezone.now()
    engine = IngestEngine()
    engine.warm()
    payload = f'{{"seq": 1, "ts": "{now.isoformat()}", "value": 1.5}}'.encode()
    engine.process([Incoming("gd/sensors/440100/wl-0001/reading", payload, now)])
    assert Reading.objects.count() == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE sensors_reading SET value = 99", "DELETE FROM sensors_reading"],
)
def test_readings_refuse_update_and_delete(statement):
    _store_one()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert Reading.objects.get().value == 1.5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions: PostgreSQL only")
def test_readings_are_partitioned_by_day_and_land_in_todays_partition():
    today = dt.datetime.now(dt.UTC).date()
    partitions = readings_partitions()
    assert "sensors_reading_default" in partitions
    assert partition_name(today) in partitions
    assert partition_name(today + dt.timedelta(days=7)) in partitions
    created = readings_partitions_ensure(days_ahead=9)
    assert created == [partition_name(today + dt.timedelta(days=d)) for d in (8, 9)]
    assert readings_partitions_ensure(days_ahead=9) == []  # idempotent
    _store_one()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM sensors_reading")
        assert cursor.fetchone()[0] == partition_name(today)
        # aimed at the partition itself: refused too (the row trigger is on every partition)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(f"DELETE FROM {partition_name(today)}")  # noqa: S608


def test_maintain_command_trims_old_rejections(capsys):
    from django.core.management import call_command

    from digigov.apps.sensors.models import Rejection

    old = timezone.now() - dt.timedelta(days=31)
    Rejection.objects.create(topic="t", reason="malformed", detail="x", received_at=old)
    Rejection.objects.create(topic="t", reason="malformed", detail="x", received_at=timezone.now())
    call_command("sensors_maintain", "--days-ahead", "1")
    assert Rejection.objects.count() == 1
    assert "清理拒收记录 1 条" in capsys.readouterr().out
