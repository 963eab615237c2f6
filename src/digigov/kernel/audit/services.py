"""Writing and checking the audit chain.

entry_hash = SM3(prev_hash || canonical JSON of the entry). Writers serialize on the chain
head (PostgreSQL advisory lock; SQLite's IMMEDIATE transactions), inside the caller's
transaction, so an audited act and its entry commit or roll back together.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.prepared import insert_part, rows_insert, rows_saved, server_cursor
from digigov.kernel.principals import Principal

from .chain import GENESIS, chain_head
from .models import AuditCheckpoint, AuditEntry

_LOCK_ID = 7_260_2601  # arbitrary, constant: the advisory lock of the audit chain head
_CHECKPOINT_PURPOSE = "audit-checkpoint"


def _canonical_parts(entry: AuditEntry) -> tuple[bytes, bytes]:
    """The entry's canonical JSON (sorted keys, no spaces) before and after its seq's digits:
    PostgreSQL assigns the seq and hashes prefix + seq + suffix (audit_chain_link)."""
    body = {
        "occurred_at": entry.occurred_at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "acting_for": entry.acting_for,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }
    # Sorted, "seq" and then "source_address" are the last keys.
    head = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    address = json.dumps(entry.source_address, ensure_ascii=False)
    return (head[:-1] + ',"seq":').encode(), (',"source_address":' + address + "}").encode()


def _canonical(entry: AuditEntry) -> bytes:
    prefix, suffix = _canonical_parts(entry)
    return prefix + str(entry.seq).encode() + suffix


def entry_hash(entry: AuditEntry) -> str:
    return crypto.digest(entry.prev_hash.encode() + _canonical(entry)).hex()


def _lock_chain_head() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


_local = threading.local()


def _batches() -> list[list[AuditEntry]]:
    if not hasattr(_local, "batches"):
        _local.batches = []
    return _local.batches


_LINKED_IN_DATABASE: dict[str, bool] = {}
_COLUMNS = (
    "occurred_at",
    "actor",
    "acting_for",
    "action",
    "object_type",
    "object_id",
    "source_address",
    "outcome",
    "detail",
)
_TYPES = ("timestamptz", *["varchar"] * 7, "text")


_LINK_STATEMENTS: dict[tuple, str] = {}


def _link_and_insert(count: int, before: str = "", lazy_commit: bool = False) -> str:
    """Link `count` entries (under the head lock) and insert them, in one statement: the lock
    is held from here to the commit, with no client round trip in between. Scalar parameters
    only (arrays cost more to adapt than the rest of the statement); built once per shape.
    `before`: another INSERT run by the same statement (a data-modifying CTE) ahead of the
    link. `lazy_commit`: the statement's transaction commits without waiting for the WAL
    flush (synchronous_commit off for that transaction only)."""
    key = (count, before, lazy_commit)
    found = _LINK_STATEMENTS.get(key)
    if found is None:
        marks = ", ".join(["%s"] * count)
        row = ", ".join(f"%s::{t}" for t in _TYPES)
        rows = ", ".join(f"({n}, {row})" for n in range(1, count + 1))
        link = f"audit_chain_link(%s, ARRAY[{marks}]::bytea[], ARRAY[{marks}]::bytea[]) AS l"
        if lazy_commit:  # a one-row join, evaluated with the link
            link = f"(SELECT set_config('synchronous_commit', 'off', true)) AS cfg, {link}"
        ctes = f"written AS ({before}), " if before else ""
        found = (
            f"WITH {ctes}link AS (SELECT l.* FROM {link}) "  # noqa: S608 (no values in it)
            f"INSERT INTO audit_auditentry (seq, {', '.join(_COLUMNS)}, prev_hash, entry_hash) "
            f"SELECT link.seq, {', '.join(f'v.{c}' for c in _COLUMNS[:-1])}, v.detail::jsonb, "
            f"link.prev_hash, link.entry_hash FROM link JOIN (VALUES {rows}) "
            f"AS v(n, {', '.join(_COLUMNS)}) ON v.n = link.n "
            "RETURNING seq, prev_hash, entry_hash"
        )
        if count <= 16:  # the hot paths write a few entries; big batches vary
            _LINK_STATEMENTS[key] = found
    return found


def _linked_in_database() -> bool:
    """PostgreSQL with audit_chain_link (migration 0005: pgcrypto with SM3)."""
    if connection.vendor != "postgresql":
        return False
    name = connection.settings_dict["NAME"]
    found = _LINKED_IN_DATABASE.get(name)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_regprocedure('audit_chain_link(bigint, bytea[], bytea[])') IS NOT NULL"
            )
            found = _LINKED_IN_DATABASE[name] = cursor.fetchone()[0]
    return found


def _append(entries: list[AuditEntry]) -> None:
    """Chain and insert entries under the chain-head lock, in the caller's transaction."""
    if _linked_in_database():
        _append_linked(entries)
        return
    with transaction.atomic(savepoint=False):
        prev_seq, prev_hash = chain_head(AuditEntry, _LOCK_ID)
        for entry in entries:
            prev_seq += 1
            entry.seq, entry.prev_hash = prev_seq, prev_hash
            entry.entry_hash = prev_hash = entry_hash(entry)
        rows_insert(entries)


def _append_linked(
    entries: list[AuditEntry], *, rows: list[Model] | None = None, lazy_commit: bool = False
) -> None:
    before, params = insert_part(rows, connection) if rows else ("", [])
    parts = [_canonical_parts(e) for e in entries]
    params += [_LOCK_ID, *(p for p, _ in parts), *(s for _, s in parts)]
    for e in entries:
        params += [getattr(e, c) for c in _COLUMNS[:-1]]
        params.append(json.dumps(e.detail, ensure_ascii=False))
    with server_cursor(connection, len(entries) <= 16) as cursor:
        cursor.execute(_link_and_insert(len(entries), before, lazy_commit), params)
        linked = sorted(cursor.fetchall())
    if rows:
        rows_saved(rows)
    for entry, (seq, prev_hash, digest) in zip(entries, linked, strict=True):
        entry.seq, entry.prev_hash, entry.entry_hash = seq, prev_hash, digest
        entry._state.adding, entry._state.db = False, connection.alias


@contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the audit entries of one unit of work and append them together when it ends.

    Use inside the work's transaction, around its writes (not around refusals, which must be
    written even though the work fails): the chain head is then locked only from the end of
    the work until its commit, instead of from its first audited step, so concurrent writers
    no longer queue behind each other's whole transactions. Nested batches join the outer one.
    If the work raises, its entries are dropped with it (its transaction rolls back)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_batch() must be used inside the work's transaction")
    batches = _batches()
    batches.append([])
    try:
        yield
        entries = batches[-1]
    finally:
        batches.pop()
    if batches:
        batches[-1].extend(entries)
    elif entries:
        _append(entries)


def audit_alone(
    entries: list[AuditEntry], *, rows: list[Model] | None = None, wait_for_disk: bool = True
) -> None:
    """Insert `rows` (of one model, keys left to the database) and append `entries` (from
    audit_entry) as a transaction of their own: for an act that writes nothing else, such as
    a verification. On PostgreSQL with audit_chain_link, outside any transaction, it is one
    statement whose implicit transaction commits as it ends (one round trip instead of
    BEGIN, insert, link, COMMIT; the chain head is locked for that statement only).
    `wait_for_disk=False`: that commit does not wait for the WAL flush, so a server crash can
    lose the last fraction of a second of such records, never break the chain. Inside a
    caller's transaction the writes join it, and its durability is left as it is."""
    if not entries:
        raise ValueError("audit_alone needs at least one audit entry")
    if (
        not connection.in_atomic_block
        and not _batches()
        and len(entries) <= 16
        and _linked_in_database()
    ):
        _append_linked(entries, rows=rows, lazy_commit=not wait_for_disk)
        return
    joined = connection.in_atomic_block
    with transaction.atomic(savepoint=False):
        if not wait_for_disk and not joined and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if rows:
            rows_insert(rows)
        for entry in entries:
            audit_record_entry(entry)


def audit_entry(
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str = "",
    outcome: str = AuditEntry.Outcome.SUCCESS,
    acting_for: str = "",
    source_address: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """An audit entry not yet written (audit_alone writes it), with its fields cut to size."""
    return AuditEntry(
        occurred_at=timezone.now(),
        actor=actor[:160],
        acting_for=acting_for[:160],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:160],
        source_address=source_address[:64],
        outcome=outcome,
        detail=detail or {},
    )


def audit_record_entry(entry: AuditEntry) -> AuditEntry:
    """audit_record for an entry built by audit_entry."""
    batches = _batches()
    if batches:
        batches[-1].append(entry)
    else:
        _append([entry])
    return entry


def audit_record(
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str = "",
    outcome: str = AuditEntry.Outcome.SUCCESS,
    acting_for: str = "",
    source_address: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry (inside an audit_batch: when the batch ends). Raises if it cannot be
    written: callers must not act unaudited.

    No savepoint of its own: a failed audit write must fail the caller's whole transaction
    anyway, and skipping it saves two round trips on every audited read."""
    return audit_record_entry(
        audit_entry(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            acting_for=acting_for,
            source_address=source_address,
            detail=detail,
        )
    )


def audit_as(
    principal: Principal,
    *,
    action: str,
    object_type: str = "",
    object_id: str = "",
    outcome: str = AuditEntry.Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """audit_record for what a principal did: its actor, acting-for and address filled in."""
    return audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        source_address=principal.source_address,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        detail=detail,
    )


@transaction.atomic
def audit_checkpoint() -> AuditCheckpoint | None:
    """Sign the current chain head with the audit key (SM2)."""
    _lock_chain_head()
    head = AuditEntry.objects.order_by("-seq").first()
    if head is None or AuditCheckpoint.objects.filter(seq=head.seq).exists():
        return None
    key_id = crypto.key_active(purpose=_CHECKPOINT_PURPOSE)
    message = f"{head.seq}:{head.entry_hash}".encode()
    return AuditCheckpoint.objects.create(
        seq=head.seq,
        entry_hash=head.entry_hash,
        key_id=key_id,
        signature=crypto.sign(key_id=key_id, data=message),
    )


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited", "inserted", "deleted", "checkpoint"
    message: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None

    @property
    def is_intact(self) -> bool:
        return self.problem is None


def _entries(chunk: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def _problem(checked: int, seq: int, kind: str, message: str) -> ChainReport:
    return ChainReport(checked, ChainProblem(seq, kind, message))


def _broken_link(checked: int, previous_seq: int, entry: AuditEntry) -> ChainReport:
    """entry.prev_hash does not match the entry before it: say which side was touched.

    audit_record gives every entry seq = previous seq + 1 and hashes that seq, so an
    original entry always links to the one just before it."""
    earlier = (
        AuditEntry.objects.filter(entry_hash=entry.prev_hash, seq__lt=previous_seq)
        .values_list("seq", flat=True)
        .first()
    )
    if earlier is not None:
        return _problem(
            checked,
            entry.seq,
            "inserted",
            f"第 {entry.seq} 条被插入：它接在第 {earlier} 条之后，而不是第 {previous_seq} 条之后",
        )
    if previous_seq and entry_hash(entry) == entry.entry_hash:
        # The entry is intact, so its prev_hash is what the entry before it hashed to when
        # it was written: that one changed since (its hash recomputed to hide the edit).
        return _problem(
            checked,
            previous_seq,
            "edited",
            f"第 {previous_seq} 条被修改或替换（摘要已被重算）：第 {entry.seq} 条记录的前一条"
            f"摘要与之不符（也可能是第 {entry.seq} 条被插入）",
        )
    return _problem(
        checked,
        entry.seq,
        "inserted",
        f"第 {entry.seq} 条被插入或替换：与前一条的链接断开",
    )


def audit_verify() -> ChainReport:
    """Walk the chain and name the first edited, inserted or deleted entry; then check the
    signed checkpoints, which catch a rewrite of the whole chain and a deleted tail."""
    checkpoints = dict(AuditCheckpoint.objects.values_list("seq", "entry_hash"))
    previous_seq, previous_hash = 0, GENESIS
    checked = 0
    for entry in _entries():
        if entry.seq <= previous_seq:
            return _problem(checked, entry.seq, "inserted", f"第 {entry.seq} 条序号无效")
        if entry.seq != previous_seq + 1:
            # Sequence numbers have no gaps (each is the previous one + 1, under a lock).
            first, last = previous_seq + 1, entry.seq - 1
            span = f"第 {first} 条" if first == last else f"第 {first} 条至第 {last} 条"
            return _problem(checked, first, "deleted", f"{span}被删除")
        if entry.prev_hash != previous_hash:
            return _broken_link(checked, previous_seq, entry)
        if entry_hash(entry) != entry.entry_hash:
            return _problem(checked, entry.seq, "edited", f"第 {entry.seq} 条内容被修改：摘要不符")
        if entry.seq in checkpoints and checkpoints[entry.seq] != entry.entry_hash:
            return _problem(
                checked,
                entry.seq,
                "checkpoint",
                f"第 {entry.seq} 条与已签名的检查点不符：日志链在检查点之前被整体重写",
            )
        previous_seq, previous_hash = entry.seq, entry.entry_hash
        checked += 1
    for checkpoint in AuditCheckpoint.objects.order_by("seq"):
        message = f"{checkpoint.seq}:{checkpoint.entry_hash}".encode()
        try:
            signed = crypto.verify(
                key_id=checkpoint.key_id, data=message, signature=bytes(checkpoint.signature)
            )
        except CryptoError:
            signed = False
        if not signed:
            return _problem(
                checked,
                checkpoint.seq,
                "checkpoint",
                f"截至第 {checkpoint.seq} 条的检查点签名无效：检查点被伪造或篡改",
            )
        if checkpoint.seq > previous_seq:
            return _problem(
                checked,
                previous_seq + 1,
                "deleted",
                f"第 {previous_seq + 1} 条及其后的条目被删除（已签名的检查点截至第 "
                f"{checkpoint.seq} 条）",
            )
    return ChainReport(checked, None)
