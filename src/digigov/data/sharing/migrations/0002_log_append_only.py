"""The exchange log and its subject rows refuse UPDATE and DELETE at the database, on both
backends: the hash chain and the signatures detect a rewrite, these prevent one (and the
deletion of the newest entries, which a chain alone cannot show)."""

from django.db import migrations

TABLES = ("sharing_exchangelogentry", "sharing_exchangesubject")
SQLITE = [
    f"""CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table}
       BEGIN SELECT RAISE(ABORT, 'exchange log is append-only'); END"""
    for table in TABLES
    for verb in ("update", "delete")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER {table}_no_{verb}" for table in TABLES for verb in ("update", "delete")
]
POSTGRES = [
    """CREATE FUNCTION sharing_log_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'exchange log is append-only'; END; $$ LANGUAGE plpgsql""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
       ON {table} FOR EACH STATEMENT EXECUTE FUNCTION sharing_log_append_only()"""
        for table in TABLES
    ],
]
POSTGRES_REVERSE = [
    *[f"DROP TRIGGER {table}_append_only ON {table}" for table in TABLES],
    "DROP FUNCTION sharing_log_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
