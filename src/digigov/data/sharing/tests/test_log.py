"""The exchange log: chained, signed per entry, and `exchange_log_verify` finds a changed or
deleted entry (or subject row), also when the attacker recomputes the hashes."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from digigov.kernel.crypto import services as crypto
from digigov.kernel.principals import Principal

from ..digests import subject_digest
from ..models import ExchangeLogEntry, ExchangeSubject
from ..services.log import GENESIS, entry_hash, exchange_log_append, exchange_log_verify
from ..testing import disable_log_triggers

CLIENT = Principal(kind="machine", id="7", label="测试系统", source_address="10.1.1.1")


def _chain(count: int = 4) -> list[ExchangeLogEntry]:
    entries = []
    for n in range(count):
        with transaction.atomic():
            entries.append(
                exchange_log_append(
                    principal=CLIENT,
                    operation="record",
                    outcome="answered",
                    resource_code="R1",
                    fields=["name"],
                    purpose=f"核对{n}",
                    row_count=1,
                    subjects=[subject_digest(f"44010119900101{n:04d}")],
                )
            )
    return entries


def _sql(statement: str, params: list) -> None:
    """Tampering as a DBA would: the append-only triggers dropped first."""
    disable_log_triggers()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE sharing_exchangelogentry SET purpose = 'x' WHERE seq = 2",
        "DELETE FROM sharing_exchangelogentry WHERE seq = 3",
        "UPDATE sharing_exchangesubject SET digest = 'x'",
        "DELETE FROM sharing_exchangesubject",
    ],
    ids=["update-entry", "delete-newest-entry", "update-subject", "delete-subjects"],
)
def test_the_log_refuses_update_and_delete(db, statement):
    _chain(3)
    before = list(ExchangeLogEntry.objects.order_by("seq").values_list("seq", "purpose"))
    subjects = ExchangeSubject.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert list(ExchangeLogEntry.objects.order_by("seq").values_list("seq", "purpose")) == before
    assert ExchangeSubject.objects.count() == subjects
    assert exchange_log_verify().is_intact


def test_entries_are_chained_and_signed(db):
    entries = _chain(3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].entry_hash
    message = f"{entries[2].seq}:{entries[2].entry_hash}".encode()
    assert crypto.verify(
        key_id=entries[2].key_id, data=message, signature=bytes(entries[2].signature)
    )
    report = exchange_log_verify()
    assert report.is_intact and report.checked == 3
    call_command("exchange_log_verify")


def test_append_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError):
        exchange_log_append(principal=CLIENT, operation="record", outcome="answered")


def test_a_changed_entry_is_found(db):
    _chain(4)
    _sql("UPDATE sharing_exchangelogentry SET purpose = %s WHERE seq = %s", ["随便看看", 2])
    report = exchange_log_verify()
    assert report.problem.seq == 2 and report.problem.kind == "edited"
    with pytest.raises(CommandError):
        call_command("exchange_log_verify")


def test_a_change_with_the_hash_recomputed_is_found(db):
    _chain(4)
    entry = ExchangeLogEntry.objects.get(seq=4)  # the last one: no next link to break
    entry.row_count = 0
    _sql(
        "UPDATE sharing_exchangelogentry SET row_count = 0, entry_hash = %s WHERE seq = 4",
        [entry_hash(entry)],
    )
    report = exchange_log_verify()
    assert report.problem.seq == 4 and report.problem.kind == "signature"


def test_a_deleted_entry_is_found(db):
    _chain(4)
    _sql("DELETE FROM sharing_exchangesubject WHERE entry_id = %s", [3])
    _sql("DELETE FROM sharing_exchangelogentry WHERE seq = %s", [3])
    report = exchange_log_verify()
    assert report.problem.seq == 3 and report.problem.kind == "deleted"


def test_a_deleted_subject_row_is_found(db):
    _chain(3)
    _sql("DELETE FROM sharing_exchangesubject WHERE entry_id = %s", [2])
    report = exchange_log_verify()
    assert report.problem.seq == 2 and report.problem.kind == "subjects"
    assert ExchangeSubject.objects.count() == 2
