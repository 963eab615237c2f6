"""Signed checkpoints: a full rewrite of the chain, or a deleted tail, shows."""

import pytest
from django.core.management import call_command

from digigov.kernel.audit.models import AuditCheckpoint, AuditEntry
from digigov.kernel.audit.services import (
    GENESIS,
    audit_checkpoint,
    audit_record,
    audit_verify,
    entry_hash,
)
from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.models import CryptoKey

from .helpers import disable_append_only_triggers, execute, make_chain, update_raw

pytestmark = pytest.mark.django_db


def _rewrite_whole_chain(**changes) -> None:
    """The attacker edits entries and recomputes every hash from the start: self-consistent."""
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("seq"):
        for field, value in changes.items():
            setattr(entry, field, value)
        entry.prev_hash = previous
        entry.entry_hash = entry_hash(entry)
        update_raw(
            entry.seq,
            actor=entry.actor,
            prev_hash=entry.prev_hash,
            entry_hash=entry.entry_hash,
        )
        previous = entry.entry_hash


def test_checkpoint_signs_the_chain_head_with_sm2():
    make_chain(3)

    checkpoint = audit_checkpoint()

    head = AuditEntry.objects.get(seq=3)
    assert (checkpoint.seq, checkpoint.entry_hash) == (3, head.entry_hash)
    assert CryptoKey.objects.get(key_id=checkpoint.key_id).algorithm == "sm2"
    assert crypto.verify(
        key_id=checkpoint.key_id,
        data=f"3:{head.entry_hash}".encode(),
        signature=bytes(checkpoint.signature),
    )


def test_checkpoint_is_not_repeated_without_new_entries():
    assert audit_checkpoint() is None  # empty chain
    make_chain(2)
    assert audit_checkpoint() is not None
    assert audit_checkpoint() is None
    audit_record(actor="staff:1", action="test.more")
    assert audit_checkpoint().seq == 3
    assert AuditCheckpoint.objects.count() == 2


def test_intact_chain_with_checkpoints_verifies():
    make_chain(3)
    audit_checkpoint()
    make_chain(2)
    audit_checkpoint()

    report = audit_verify()

    assert report.is_intact
    assert report.checked == 5


def test_full_rewrite_is_invisible_to_the_chain_alone():
    """Why checkpoints exist: a consistent rewrite passes the hash chain."""
    make_chain(4)
    disable_append_only_triggers()
    _rewrite_whole_chain(actor="staff:999")

    assert audit_verify().is_intact


def test_full_rewrite_is_detected_by_a_checkpoint():
    make_chain(4)
    audit_checkpoint()
    make_chain(2)
    disable_append_only_triggers()
    _rewrite_whole_chain(actor="staff:999")

    report = audit_verify()

    assert not report.is_intact
    assert (report.problem.seq, report.problem.kind) == (4, "checkpoint")
    assert "第 4 条" in report.problem.message


def test_deleted_tail_is_detected_by_a_checkpoint():
    make_chain(5)
    audit_checkpoint()
    disable_append_only_triggers()
    execute("DELETE FROM audit_auditentry WHERE seq >= 4")

    report = audit_verify()

    assert (report.problem.seq, report.problem.kind) == (4, "deleted")
    assert "第 4 条及其后" in report.problem.message


def test_forged_checkpoint_is_detected():
    """Moving the checkpoint to match a rewritten chain needs the audit key's signature."""
    make_chain(3)
    checkpoint = audit_checkpoint()
    disable_append_only_triggers()
    _rewrite_whole_chain(actor="staff:999")
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(
        entry_hash=AuditEntry.objects.get(seq=3).entry_hash
    )

    report = audit_verify()

    assert (report.problem.seq, report.problem.kind) == (3, "checkpoint")
    assert "签名无效" in report.problem.message


def test_checkpoint_whose_key_was_removed_is_reported_not_crashing():
    make_chain(2)
    checkpoint = audit_checkpoint()
    CryptoKey.objects.filter(key_id=checkpoint.key_id).delete()
    crypto.cache_clear()

    report = audit_verify()

    assert report.problem.kind == "checkpoint"


def test_checkpoint_command(capsys):
    make_chain(2)

    call_command("audit", "checkpoint")
    assert "已签名检查点：第 2 条" in capsys.readouterr().out
    call_command("audit", "checkpoint")
    assert "无新条目" in capsys.readouterr().out


def test_verify_command_reports_a_rewrite_after_a_checkpoint():
    from django.core.management.base import CommandError

    make_chain(3)
    call_command("audit", "checkpoint")
    disable_append_only_triggers()
    _rewrite_whole_chain(actor="staff:999")

    with pytest.raises(CommandError, match="第 3 条"):
        call_command("audit", "verify")


def test_checkpoints_refuse_update_and_delete():
    from django.db import DatabaseError, transaction

    make_chain(2)
    checkpoint = audit_checkpoint()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(entry_hash="0" * 64)
    assert AuditCheckpoint.objects.get(pk=checkpoint.pk).entry_hash == checkpoint.entry_hash
