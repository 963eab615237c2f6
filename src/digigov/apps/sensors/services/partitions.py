"""Daily partitions of the readings table on PostgreSQL, created ahead of time. A reading
whose day has no partition lands in the DEFAULT partition (never lost); a partition cannot
be created for a day the DEFAULT partition already holds rows of, so create them ahead."""

from __future__ import annotations

import datetime as dt

from django.db import DatabaseError, connection, transaction

TABLE = "sensors_reading"


def partition_name(day: dt.date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def readings_partitions_ensure(*, days_ahead: int = 7, today: dt.date | None = None) -> list[str]:
    """Create the daily partitions (UTC days) from today to today + days_ahead; returns the
    names created now. SQLite: nothing to do."""
    if connection.vendor != "postgresql":
        return []
    today = today or dt.datetime.now(dt.UTC).date()
    existing = set(readings_partitions())
    created = []
    for offset in range(days_ahead + 1):
        day = today + dt.timedelta(days=offset)
        name = partition_name(day)
        if name in existing:
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TABLE {name} PARTITION OF {TABLE} "
                    f"FOR VALUES FROM ('{day.isoformat()} 00:00+00') "
                    f"TO ('{(day + dt.timedelta(days=1)).isoformat()} 00:00+00')"
                )
        except DatabaseError:
            continue  # the DEFAULT partition already holds rows of that day: left there
        created.append(name)
    return created


def readings_partitions() -> list[str]:
    """The partitions of the readings table (PostgreSQL), oldest first."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid
               JOIN pg_class p ON p.oid = i.inhparent
               WHERE p.relname = %s ORDER BY c.relname""",
            [TABLE],
        )
        return [row[0] for row in cursor.fetchall()]
