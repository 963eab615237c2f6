"""audit_alone: an act that writes only its trace (a verification) commits rows and audit
entries as one transaction of their own; on PostgreSQL as one statement."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import audit_alone, audit_entry, audit_record, audit_verify
from digigov.kernel.events.models import Event  # any model with generated keys will do

pytestmark = pytest.mark.django_db(transaction=True)


def _entry(action: str = "test.alone") -> AuditEntry:
    return audit_entry(actor="anonymous", action=action, object_id="x" * 200, detail={"名": "核验"})


def _row(topic: str | None) -> Event:
    return Event(topic=topic, payload={"n": 1})


def test_rows_and_entries_are_written_together_and_chained():
    audit_record(actor="citizen:1", action="before")
    rows = [_row("one")]
    with CaptureQueriesContext(connection) as queries:
        audit_alone([_entry()], rows=rows, wait_for_disk=False)
    if connection.vendor == "postgresql":  # one statement, its own implicit transaction
        statements = [q["sql"] for q in queries.captured_queries]
        assert len(statements) == 1, statements
        assert "audit_chain_link" in statements[0] and "events_event" in statements[0]
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.action for e in entries] == ["before", "test.alone"]
    assert entries[1].object_id == "x" * 160 and entries[1].detail == {"名": "核验"}
    assert Event.objects.filter(topic="one").exists()
    assert not rows[0]._state.adding
    assert audit_verify().is_intact


def test_inside_a_transaction_the_writes_join_it():
    with pytest.raises(ValueError), transaction.atomic():
        audit_alone([_entry()], rows=[_row("two")], wait_for_disk=False)
        assert AuditEntry.objects.count() == 1
        raise ValueError("the caller's work failed")
    assert not AuditEntry.objects.exists()
    assert not Event.objects.exists()


def test_a_failed_write_leaves_nothing():
    audit_alone([_entry("first")], rows=[_row("first")])
    with pytest.raises(IntegrityError):  # a topic is required
        audit_alone([_entry("second")], rows=[_row(None)])
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["first"]
    assert list(Event.objects.values_list("topic", flat=True)) == ["first"]
    assert audit_verify().is_intact


def test_an_entry_is_required():
    with pytest.raises(ValueError):
        audit_alone([], rows=[_row("four")])


def test_not_waiting_for_the_disk_holds_for_that_transaction_only():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    lagged = 0
    for _ in range(10):
        audit_alone([_entry()], wait_for_disk=False)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn()")
            lagged += cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on", "the setting leaked into the session"
    # The commit returned before its WAL was flushed (the WAL writer flushes it within
    # wal_writer_delay): at least once in ten, whatever the WAL writer's timing.
    assert lagged >= 1
    assert AuditEntry.objects.count() == 10 and audit_verify().is_intact
