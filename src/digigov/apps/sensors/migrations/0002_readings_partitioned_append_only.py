"""The readings log: append-only on both backends; on PostgreSQL, partitioned by day on the
reading time (declarative range partitioning, a DEFAULT partition catches anything outside
the partitions created ahead by `digigov sensors_maintain`).

A partitioned table's keys must contain the partition key, hence PRIMARY KEY (id,
recorded_at) and UNIQUE (device_id, seq, recorded_at): the model keeps `id` as its key for
Django, which only ever inserts and reads these rows. `bigserial`, not an identity column:
PostgreSQL 15 refuses identity columns on partitioned tables."""

import datetime as dt

from django.db import migrations

TABLE = "sensors_reading"
PG_ROW_TRIGGER = "sensors_reading_append_only"
PG_TRUNCATE_TRIGGER = "sensors_reading_no_truncate"

SQLITE = [
    f"""CREATE TRIGGER {TABLE}_no_{verb} BEFORE {verb.upper()} ON {TABLE}
       BEGIN SELECT RAISE(ABORT, 'sensor readings are append-only'); END"""
    for verb in ("update", "delete")
]
SQLITE_REVERSE = [f"DROP TRIGGER {TABLE}_no_{verb}" for verb in ("update", "delete")]

POSTGRES = [
    f"DROP TABLE {TABLE}",
    f"""CREATE TABLE {TABLE} (
        id bigserial NOT NULL,
        device_id bigint NOT NULL REFERENCES sensors_device (id) DEFERRABLE INITIALLY DEFERRED,
        seq bigint NOT NULL,
        recorded_at timestamp with time zone NOT NULL,
        received_at timestamp with time zone NOT NULL,
        stored_at timestamp with time zone NOT NULL,
        value double precision NOT NULL,
        PRIMARY KEY (id, recorded_at),
        CONSTRAINT sensors_reading_once UNIQUE (device_id, seq, recorded_at)
    ) PARTITION BY RANGE (recorded_at)""",
    f"CREATE INDEX sensors_reading_device_time ON {TABLE} (device_id, recorded_at)",
    f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT",
    """CREATE FUNCTION sensors_reading_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'sensor readings are append-only'; END; $$ LANGUAGE plpgsql""",
    # row-level: cloned onto every partition, present and future, so a statement aimed at
    # one partition is refused too
    f"""CREATE TRIGGER {PG_ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
       FOR EACH ROW EXECUTE FUNCTION sensors_reading_append_only()""",
    f"""CREATE TRIGGER {PG_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {TABLE}
       FOR EACH STATEMENT EXECUTE FUNCTION sensors_reading_append_only()""",
]
POSTGRES_REVERSE = [
    f"DROP TABLE {TABLE}",
    "DROP FUNCTION sensors_reading_append_only()",
]


def _forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(statement)
    if vendor == "postgresql":
        # a week of daily partitions from today; sensors_maintain keeps creating them ahead
        today = dt.datetime.now(dt.UTC).date()
        for offset in range(-1, 8):
            day = today + dt.timedelta(days=offset)
            schema_editor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE}_p{day:%Y%m%d} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{day.isoformat()} 00:00+00') "
                f"TO ('{(day + dt.timedelta(days=1)).isoformat()} 00:00+00')"
            )


def _reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(statement)
    if vendor == "postgresql":
        schema_editor.create_model(apps.get_model("sensors", "Reading"))


class Migration(migrations.Migration):
    dependencies = [("sensors", "0001_sensors_initial")]

    operations = [migrations.RunPython(_forward, _reverse)]
