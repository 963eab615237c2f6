"""Test support: let Django's test flush empty the append-only tables.

Transactional tests (pytest `transaction=True`, live servers) end with `flush`, which runs
TRUNCATE (PostgreSQL) or DELETE (SQLite) on every table; the append-only triggers refuse
both, so every such test would error at teardown. For tests only, the flush lifts the
triggers around its own statements and restores them in the same transaction. Production
`flush` stays refused: nothing outside the test suite calls this.

The audit log's tables are registered here; other append-only logs (the exchange log)
register theirs with `append_only_register` from their own testing module.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.db import connections


@dataclass(frozen=True)
class AppendOnly:
    pg_triggers: dict[str, str]  # table -> trigger name
    sqlite_drop: list[str]
    sqlite_create: list[str]


_registered: list[AppendOnly] = []


def append_only_register(entry: AppendOnly) -> None:
    if entry not in _registered:
        _registered.append(entry)


def _audit_tables() -> AppendOnly:
    entry = import_module("digigov.kernel.audit.migrations.0002_append_only")
    checkpoint = import_module("digigov.kernel.audit.migrations.0003_checkpoint_append_only")
    return AppendOnly(
        pg_triggers={
            "audit_auditentry": "audit_entry_append_only",
            "audit_auditcheckpoint": "audit_checkpoint_append_only",
        },
        sqlite_drop=[
            "DROP TRIGGER IF EXISTS audit_entry_no_update",
            "DROP TRIGGER IF EXISTS audit_entry_no_delete",
            "DROP TRIGGER IF EXISTS audit_checkpoint_no_update",
            "DROP TRIGGER IF EXISTS audit_checkpoint_no_delete",
        ],
        sqlite_create=[*entry.SQLITE, *checkpoint.SQLITE],
    )


def _trigger_sql(vendor: str, tables: set[str]) -> tuple[list[str], list[str]]:
    before: list[str] = []
    after: list[str] = []
    for entry in _registered:
        if not tables & set(entry.pg_triggers):
            continue
        if vendor == "postgresql":
            before += [f"ALTER TABLE {t} DISABLE TRIGGER {n}" for t, n in entry.pg_triggers.items()]
            after += [f"ALTER TABLE {t} ENABLE TRIGGER {n}" for t, n in entry.pg_triggers.items()]
        elif vendor == "sqlite":
            before += entry.sqlite_drop
            after += entry.sqlite_create
    return before, after


def allow_test_flush() -> None:
    """Wrap each backend's execute_sql_flush (idempotent)."""
    append_only_register(_audit_tables())
    for connection in connections.all(initialized_only=False):
        operations_class = type(connection.ops)
        if getattr(operations_class, "_digigov_audit_flush", False):
            continue
        original = operations_class.execute_sql_flush

        def execute_sql_flush(self, sql_list, _original=original):
            tables = {
                table
                for entry in _registered
                for table in entry.pg_triggers
                if any(table in sql for sql in sql_list)
            }
            if tables:
                before, after = _trigger_sql(self.connection.vendor, tables)
                sql_list = [*before, *sql_list, *after]
            return _original(self, sql_list)

        operations_class.execute_sql_flush = execute_sql_flush
        operations_class._digigov_audit_flush = True
