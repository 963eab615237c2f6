"""The head of a hash chain (the audit log, the exchange log), locked and read in one round
trip: every audited act passes through it, so it is plain SQL (with kernel.prepared's
rows_insert for the entries)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Model

GENESIS = "0" * 64


def chain_head(model: type[Model], lock_id: int) -> tuple[int, str]:
    """The chain's head (seq, entry_hash), locked until the caller's transaction ends; the
    model has `seq` and `entry_hash` columns."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # one round trip for lock and read (function chain_head, audit migration 0004)
            cursor.execute(
                "SELECT head_seq, head_hash FROM chain_head(%s::bigint, %s::regclass)",
                [lock_id, table],
            )
        else:  # SQLite: the IMMEDIATE transaction already holds the database's write lock
            cursor.execute(f"SELECT seq, entry_hash FROM {table} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)
