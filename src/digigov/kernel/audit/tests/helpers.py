"""Raw-SQL access to the audit table, as a database administrator (the attacker) has it."""

from __future__ import annotations

import json

from django.db import connection

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import audit_record, entry_hash

TABLE = AuditEntry._meta.db_table


def make_chain(count: int = 5) -> list[AuditEntry]:
    return [
        audit_record(
            actor=f"staff:{n}",
            action="registry.person.read",
            object_type="Person",
            object_id=f"44030019900101{n:04d}",
            source_address="10.0.0.1",
            detail={"n": n, "reason": "核验"},
        )
        for n in range(1, count + 1)
    ]


def execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def disable_append_only_triggers() -> None:
    """What an attacker with DBA rights does first (inside the test's transaction)."""
    if connection.vendor == "postgresql":
        execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_entry_append_only")
        execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER audit_checkpoint_append_only")
    else:
        for trigger in (
            "entry_no_update",
            "entry_no_delete",
            "checkpoint_no_update",
            "checkpoint_no_delete",
        ):
            execute(f"DROP TRIGGER audit_{trigger}")


def update_raw(seq: int, **values) -> None:
    assignments = ", ".join(f"{column} = %s" for column in values)
    # Column names come from the test's own keywords, never from input.
    execute(f"UPDATE {TABLE} SET {assignments} WHERE seq = %s", [*values.values(), seq])  # noqa: S608


def rehash(seq: int) -> str:
    """Recompute one entry's hash in place, as an attacker who knows the scheme would."""
    entry = AuditEntry.objects.get(seq=seq)
    new_hash = entry_hash(entry)
    update_raw(seq, entry_hash=new_hash)
    return new_hash


def insert_raw(entry: AuditEntry) -> None:
    execute(
        "INSERT INTO audit_auditentry (seq, occurred_at, actor, acting_for, action, object_type, "
        "object_id, source_address, outcome, detail, prev_hash, entry_hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            entry.seq,
            entry.occurred_at,
            entry.actor,
            entry.acting_for,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.source_address,
            entry.outcome,
            json.dumps(entry.detail),
            entry.prev_hash,
            entry.entry_hash,
        ],
    )
