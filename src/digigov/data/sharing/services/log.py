"""The exchange log: one entry per exchange call, answered or refused.

entry_hash = SM3(prev_hash || canonical entry); each entry is signed with the platform's
exchange key (SM2, purpose "exchange-log") over "seq:entry_hash". Per-entry signing costs
about 0.5 ms of CPU (measured with the SM2 provider here), small beside the request, and it
means every single entry can be checked offline with the published key; checkpoints would
leave the newest entries unsigned until the next one.

Writers serialize on the chain head (a PostgreSQL advisory lock, SQLite's IMMEDIATE
transactions) inside the caller's transaction: the read and its entry commit together, or
neither does ("no log, no answer"). Callers append last, just before their commit, so the
head is locked only for the append and the commit.

The ID numbers whose records a call read are stored as SM3 digests (domain-separated) in
ExchangeSubject, and their sorted list is hashed into the entry, so deleting or changing a
subject row breaks the chain too."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.chain import GENESIS, chain_head
from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.prepared import rows_insert
from digigov.kernel.principals import Principal

from ..digests import subjects_digest
from ..models import ExchangeLogEntry, ExchangeSubject

KEY_PURPOSE = "exchange-log"
_LOCK_ID = 7_260_5501  # arbitrary, constant: the advisory lock of the exchange log head
_SUBJECT_BATCH = 5000


def _canonical(entry: ExchangeLogEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.astimezone(UTC).isoformat(),
        "client_id": entry.client_id,
        "client_label": entry.client_label,
        "organization_id": entry.organization_id,
        "resource_id": entry.resource_id,
        "resource_code": entry.resource_code,
        "operation": entry.operation,
        "fields": entry.fields,
        "purpose": entry.purpose,
        "row_count": entry.row_count,
        "outcome": entry.outcome,
        "error_code": entry.error_code,
        "source_address": entry.source_address,
        "subjects_digest": entry.subjects_digest,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: ExchangeLogEntry) -> str:
    return crypto.digest(entry.prev_hash.encode() + _canonical(entry)).hex()


def _signed_message(seq: int, digest: str) -> bytes:
    return f"{seq}:{digest}".encode()


_key_cache: dict[str, tuple[str, float]] = {}
_KEY_CACHE_SECONDS = 30.0  # as kernel.crypto caches keys: a rotation is seen within this


def exchange_log_key() -> str:
    """The active exchange-log signing key (created on first use)."""
    hit = _key_cache.get(KEY_PURPOSE)
    if hit is not None and time.monotonic() - hit[1] < _KEY_CACHE_SECONDS:
        return hit[0]
    key_id = crypto.key_active(purpose=KEY_PURPOSE)
    _key_cache[KEY_PURPOSE] = (key_id, time.monotonic())
    return key_id


def exchange_log_key_forget() -> None:
    """Forget the cached key id (tests; after a rotation on this host)."""
    _key_cache.clear()


def exchange_log_append(
    *,
    principal: Principal,
    operation: str,
    outcome: str,
    resource_id: int | None = None,
    resource_code: str = "",
    fields: list[str] | None = None,
    purpose: str = "",
    row_count: int = 0,
    error_code: str = "",
    subjects: Iterable[str] = (),
) -> ExchangeLogEntry:
    """Append one entry in the caller's transaction (it must be in one). `subjects` are the
    digests of the ID numbers read (subject_digest). Raises when it cannot write: the caller
    must then not answer."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("exchange_log_append() must run inside the read's transaction")
    digests = sorted(set(subjects))
    key_id = exchange_log_key()
    entry = ExchangeLogEntry(
        occurred_at=timezone.now(),
        client_id=int(principal.id) if principal.kind == "machine" and principal.id else None,
        client_label=(principal.label or principal.actor)[:160],
        organization_id=principal.organization_id,
        resource_id=resource_id,
        resource_code=resource_code[:60],
        operation=operation,
        fields=list(fields or []),
        purpose=purpose[:200],
        row_count=row_count,
        outcome=outcome,
        error_code=error_code[:40],
        source_address=principal.source_address[:64],
        subjects_digest=subjects_digest(digests),
        key_id=key_id,
    )
    prev_seq, prev_hash = chain_head(ExchangeLogEntry, _LOCK_ID)
    entry.seq, entry.prev_hash = prev_seq + 1, prev_hash
    entry.entry_hash = entry_hash(entry)
    message = _signed_message(entry.seq, entry.entry_hash)
    try:
        entry.signature = crypto.sign(key_id=key_id, data=message)
    except CryptoError:  # the cached key was retired (rotation) or is gone: look again
        exchange_log_key_forget()
        entry.key_id = exchange_log_key()
        entry.signature = crypto.sign(key_id=entry.key_id, data=message)
    rows_insert([entry])
    for start in range(0, len(digests), _SUBJECT_BATCH):
        rows_insert(
            [
                ExchangeSubject(entry_id=entry.seq, digest=d)
                for d in digests[start : start + _SUBJECT_BATCH]
            ]
        )
    return entry


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LogProblem:
    seq: int
    kind: str  # "edited", "deleted", "inserted", "signature", "subjects"
    message: str


@dataclass(frozen=True)
class LogReport:
    checked: int
    problem: LogProblem | None

    @property
    def is_intact(self) -> bool:
        return self.problem is None


def _entries(chunk: int = 2000) -> Iterator[tuple[ExchangeLogEntry, list[str]]]:
    last = 0
    while True:
        batch = list(ExchangeLogEntry.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        subjects: dict[int, list[str]] = {}
        for entry_id, digest in ExchangeSubject.objects.filter(
            entry_id__gte=batch[0].seq, entry_id__lte=batch[-1].seq
        ).values_list("entry_id", "digest"):
            subjects.setdefault(entry_id, []).append(digest)
        for entry in batch:
            yield entry, subjects.get(entry.seq, [])
        last = batch[-1].seq


def _signature_valid(entry: ExchangeLogEntry) -> bool:
    try:
        return crypto.verify(
            key_id=entry.key_id,
            data=_signed_message(entry.seq, entry.entry_hash),
            signature=bytes(entry.signature),
        )
    except CryptoError:
        return False


def exchange_log_verify() -> LogReport:
    """Walk the log and name the first changed, inserted or deleted entry (or subject row).

    Sequence numbers have no gaps (each is the previous one + 1, under the head lock), so a
    missing number is a deleted entry; a recomputed hash that differs is a changed entry; a
    hash recomputed to hide a change no longer matches the next entry's link or the SM2
    signature, which only the platform's key can make."""
    previous_seq, previous_hash, checked = 0, GENESIS, 0
    for entry, subjects in _entries():
        if entry.seq != previous_seq + 1:
            first, last = previous_seq + 1, entry.seq - 1
            span = f"第 {first} 条" if first == last else f"第 {first} 条至第 {last} 条"
            if entry.seq <= previous_seq:
                return LogReport(checked, LogProblem(entry.seq, "inserted", "序号无效"))
            return LogReport(checked, LogProblem(first, "deleted", f"{span}被删除"))
        if entry.prev_hash != previous_hash:
            return LogReport(
                checked,
                LogProblem(
                    previous_seq,
                    "edited",
                    f"第 {entry.seq} 条与前一条的链接断开：第 {previous_seq} 条被修改或替换",
                ),
            )
        if entry_hash(entry) != entry.entry_hash:
            return LogReport(
                checked, LogProblem(entry.seq, "edited", f"第 {entry.seq} 条内容被修改：摘要不符")
            )
        if subjects_digest(subjects) != entry.subjects_digest:
            return LogReport(
                checked,
                LogProblem(entry.seq, "subjects", f"第 {entry.seq} 条的当事人记录被修改或删除"),
            )
        if not _signature_valid(entry):
            return LogReport(
                checked,
                LogProblem(
                    entry.seq, "signature", f"第 {entry.seq} 条签名无效：条目被伪造或摘要被重算"
                ),
            )
        previous_seq, previous_hash = entry.seq, entry.entry_hash
        checked += 1
    return LogReport(checked, None)
