"""Test support for the exchange log's append-only triggers: the test flush may empty the
tables (registered with kernel.audit.testing), and a tamper test can play the DBA who
drops the triggers first."""

from __future__ import annotations

from importlib import import_module

from django.db import connection

from digigov.kernel.audit.testing import AppendOnly, append_only_register

_MIGRATION = "digigov.data.sharing.migrations.0002_log_append_only"


def log_append_only() -> AppendOnly:
    migration = import_module(_MIGRATION)
    return AppendOnly(
        pg_triggers={table: f"{table}_append_only" for table in migration.TABLES},
        sqlite_drop=[
            statement.replace("DROP TRIGGER ", "DROP TRIGGER IF EXISTS ", 1)
            for statement in migration.SQLITE_REVERSE
        ],
        sqlite_create=list(migration.SQLITE),
    )


def allow_log_test_flush() -> None:
    append_only_register(log_append_only())


def disable_log_triggers() -> None:
    """What an attacker with DBA rights does first (inside the test's transaction)."""
    entry = log_append_only()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the rows just written have deferred foreign-key checks pending, and PostgreSQL
            # alters no table with pending trigger events: run the checks now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in entry.pg_triggers.items():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for statement in entry.sqlite_drop:
                cursor.execute(statement)
