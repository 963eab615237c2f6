"""Tampering through raw SQL: the triggers refuse it, and when a DBA disables them, verify
names the first edited, deleted or inserted entry."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import audit_verify, entry_hash

from .helpers import (
    disable_append_only_triggers,
    execute,
    insert_raw,
    make_chain,
    rehash,
    update_raw,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(AuditEntry.objects.order_by("seq").values())


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'forged' WHERE seq = 2",
        "UPDATE audit_auditentry SET detail = '{}'",
        "DELETE FROM audit_auditentry WHERE seq = 2",
        "DELETE FROM audit_auditentry",
    ],
    ids=["update-one", "update-all", "delete-one", "delete-all"],
)
def test_append_only_triggers_refuse_update_and_delete(sql):
    make_chain(3)
    before = _snapshot()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(sql)

    assert _snapshot() == before


def test_orm_update_and_delete_are_refused_too():
    make_chain(2)
    before = _snapshot()

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(actor="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).delete()

    assert _snapshot() == before


def test_edited_entry_is_named():
    make_chain(5)
    disable_append_only_triggers()
    update_raw(3, actor="staff:999")

    report = audit_verify()

    assert not report.is_intact
    assert (report.problem.seq, report.problem.kind) == (3, "edited")
    assert "第 3 条" in report.problem.message
    assert report.checked == 2


def test_first_of_several_edits_is_named():
    make_chain(6)
    disable_append_only_triggers()
    update_raw(5, outcome="denied")
    update_raw(2, detail='{"n": 2, "reason": "改过"}')

    assert audit_verify().problem.seq == 2


def test_edit_with_recomputed_hash_is_named():
    """A DBA who knows the scheme rehashes the edited entry: the next link still breaks."""
    make_chain(5)
    disable_append_only_triggers()
    update_raw(3, object_id="someone-else")
    rehash(3)

    report = audit_verify()

    assert (report.problem.seq, report.problem.kind) == (3, "edited")
    assert "第 3 条" in report.problem.message


def test_edit_of_the_newest_entry_is_named():
    make_chain(4)
    disable_append_only_triggers()
    update_raw(4, action="registry.person.export")

    assert (audit_verify().problem.seq, audit_verify().problem.kind) == (4, "edited")


def test_deleted_entry_is_named_as_a_gap():
    make_chain(5)
    disable_append_only_triggers()
    execute("DELETE FROM audit_auditentry WHERE seq = 3")

    report = audit_verify()

    assert (report.problem.seq, report.problem.kind) == (3, "deleted")
    assert "第 3 条被删除" in report.problem.message


def test_deleted_range_is_named():
    make_chain(6)
    disable_append_only_triggers()
    execute("DELETE FROM audit_auditentry WHERE seq IN (2, 3, 4)")

    report = audit_verify()

    assert (report.problem.seq, report.problem.kind) == (2, "deleted")
    assert "第 2 条至第 4 条" in report.problem.message


def test_deleted_first_entry_is_named():
    make_chain(3)
    disable_append_only_triggers()
    execute("DELETE FROM audit_auditentry WHERE seq = 1")

    assert (audit_verify().problem.seq, audit_verify().problem.kind) == (1, "deleted")


def test_deletion_hidden_by_relinking_the_next_entry_is_still_named():
    """The attacker deletes #3 and points #4 at #2, rehashing #4: the gap in seq remains."""
    entries = make_chain(5)
    disable_append_only_triggers()
    execute("DELETE FROM audit_auditentry WHERE seq = 3")
    update_raw(4, prev_hash=entries[1].entry_hash)
    rehash(4)

    report = audit_verify()

    assert (report.problem.seq, report.problem.kind) == (3, "deleted")


def test_inserted_entry_with_a_broken_link_is_named():
    entries = make_chain(4)
    disable_append_only_triggers()
    forged = AuditEntry(
        seq=5,
        occurred_at=entries[-1].occurred_at,
        actor="staff:1",
        action="registry.person.read",
        outcome="success",
        prev_hash="a" * 64,
        entry_hash="b" * 64,
    )
    insert_raw(forged)

    report = audit_verify()

    assert (report.problem.seq, report.problem.kind) == (5, "inserted")
    assert report.checked == 4


def test_inserted_entry_that_links_to_an_older_entry_is_named():
    """A forged #5 hashed correctly but chained onto #3 (what the forger had at hand)."""
    entries = make_chain(4)
    disable_append_only_triggers()
    forged = AuditEntry(
        seq=5,
        occurred_at=entries[-1].occurred_at,
        actor="staff:1",
        action="registry.person.read",
        outcome="success",
        detail={"forged": True},
        prev_hash=entries[2].entry_hash,
    )
    forged.entry_hash = entry_hash(forged)
    insert_raw(forged)

    report = audit_verify()

    assert (report.problem.seq, report.problem.kind) == (5, "inserted")
    assert "第 3 条之后" in report.problem.message


def test_replaced_entry_is_named():
    """Delete #2 and insert a forgery in its place, correctly linked to #1 and hashed."""
    entries = make_chain(4)
    disable_append_only_triggers()
    execute("DELETE FROM audit_auditentry WHERE seq = 2")
    forged = AuditEntry(
        seq=2,
        occurred_at=entries[1].occurred_at,
        actor="staff:2",
        action="registry.person.read",
        outcome="success",
        detail={"forged": True},
        prev_hash=entries[0].entry_hash,
    )
    forged.entry_hash = entry_hash(forged)
    insert_raw(forged)

    report = audit_verify()

    assert report.problem.seq == 2


def test_verify_command_passes_on_an_intact_chain(capsys):
    make_chain(3)

    call_command("audit", "verify")

    assert "审计链完整" in capsys.readouterr().out


def test_verify_command_fails_and_names_the_entry():
    from django.core.management.base import CommandError

    make_chain(5)
    disable_append_only_triggers()
    update_raw(4, actor="staff:999")

    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify")

    assert "第 4 条" in str(excinfo.value)
    assert "edited" in str(excinfo.value)
