"""audit_batch: the entries of one unit of work are chained together when it ends."""

import pytest
from django.db import transaction

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import audit_batch, audit_record, audit_verify

pytestmark = pytest.mark.django_db


def _record(action: str) -> None:
    audit_record(actor="citizen:1", action=action, object_type="test", object_id="1")


def test_entries_are_written_in_order_when_the_batch_ends():
    _record("before")
    with transaction.atomic(), audit_batch():
        _record("one")
        _record("two")
        assert AuditEntry.objects.count() == 1  # nothing written (nor locked) yet
        _record("three")
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["before", "one", "two", "three"]
    report = audit_verify()
    assert report.is_intact and report.checked == 4


def test_a_failed_unit_of_work_leaves_no_entries():
    with pytest.raises(ValueError), transaction.atomic(), audit_batch():
        _record("one")
        raise ValueError("the work failed")
    assert not AuditEntry.objects.exists()
    _record("after")
    assert audit_verify().is_intact


def test_a_nested_batch_joins_the_outer_one():
    with transaction.atomic(), audit_batch():
        _record("outer")
        with transaction.atomic(), audit_batch():
            _record("inner")
        assert not AuditEntry.objects.exists()
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == [
        "outer",
        "inner",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_batch_needs_the_work_transaction():
    with pytest.raises(RuntimeError), audit_batch():
        pass


def test_a_batch_is_linked_by_the_database_as_python_would_link_it():
    """On PostgreSQL the entries are chained by audit_chain_link (SM3 in pgcrypto) and
    inserted in one statement; the hashes it computes are the ones audit_verify recomputes
    in Python, also for text JSON escapes (quotes, backslashes, Chinese, nested details)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from digigov.kernel.audit.services import entry_hash

    _record("before")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, audit_batch():
        audit_record(
            actor='citizen:"引号"\\反斜杠',
            action="one",
            source_address='10.0.0.1"}',
            detail={"名": "张三", "seq": 0, "source_address": "x", "nested": {"a": [1, "二"]}},
        )
        _record("two")
    writes = [q["sql"] for q in queries.captured_queries if "audit_auditentry" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(writes) == 1 and "audit_chain_link" in writes[0]
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert all(entry_hash(e) == e.entry_hash for e in entries)
    assert audit_verify().is_intact
