"""Writers from many threads (each its own connection and transaction) keep one chain."""

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import audit_record, audit_verify

from .helpers import execute


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_produce_an_intact_chain_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite has a single writer)")
    threads_count, per_thread = 8, 15
    start = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(actor=f"machine:{n}", action="test.concurrent", object_id=str(i))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads_count * per_thread + 1))
    report = audit_verify()
    assert report.is_intact
    assert report.checked == threads_count * per_thread


@pytest.mark.django_db(transaction=True)
def test_test_flush_keeps_the_append_only_trigger():
    """The test-suite flush lifts the trigger only for itself (kernel.audit.testing)."""
    audit_record(actor="staff:1", action="test.flush")

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEntry.objects.exists()
    audit_record(actor="staff:1", action="test.after-flush")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 1
