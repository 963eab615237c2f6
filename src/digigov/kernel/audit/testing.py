"""Test support: let Django's test flush empty the append-only audit table.

Transactional tests (pytest `transaction=True`, live servers) end with `flush`, which runs
TRUNCATE (PostgreSQL) or DELETE (SQLite) on every table; the append-only triggers refuse
both, so every such test would error at teardown. For tests only, the flush lifts the
trigger around its own statements and restores it in the same transaction. Production
`flush` stays refused: nothing outside the test suite calls this.
"""

from __future__ import annotations

from importlib import import_module

from django.db import connections

_TABLES = ("audit_auditentry", "audit_auditcheckpoint")
_PG_TRIGGERS = {
    "audit_auditentry": "audit_entry_append_only",
    "audit_auditcheckpoint": "audit_checkpoint_append_only",
}


def _trigger_sql(vendor: str) -> tuple[list[str], list[str]]:
    entry = import_module("digigov.kernel.audit.migrations.0002_append_only")
    checkpoint = import_module("digigov.kernel.audit.migrations.0003_checkpoint_append_only")
    if vendor == "postgresql":
        return (
            [f"ALTER TABLE {t} DISABLE TRIGGER {n}" for t, n in _PG_TRIGGERS.items()],
            [f"ALTER TABLE {t} ENABLE TRIGGER {n}" for t, n in _PG_TRIGGERS.items()],
        )
    if vendor == "sqlite":
        drop = [
            "DROP TRIGGER IF EXISTS audit_entry_no_update",
            "DROP TRIGGER IF EXISTS audit_entry_no_delete",
            "DROP TRIGGER IF EXISTS audit_checkpoint_no_update",
            "DROP TRIGGER IF EXISTS audit_checkpoint_no_delete",
        ]
        return drop, [*entry.SQLITE, *checkpoint.SQLITE]
    return [], []


def allow_test_flush() -> None:
    """Wrap each backend's execute_sql_flush (idempotent)."""
    for connection in connections.all(initialized_only=False):
        operations_class = type(connection.ops)
        if getattr(operations_class, "_digigov_audit_flush", False):
            continue
        original = operations_class.execute_sql_flush

        def execute_sql_flush(self, sql_list, _original=original):
            if any(table in sql for sql in sql_list for table in _TABLES):
                before, after = _trigger_sql(self.connection.vendor)
                sql_list = [*before, *sql_list, *after]
            return _original(self, sql_list)

        operations_class.execute_sql_flush = execute_sql_flush
        operations_class._digigov_audit_flush = True
