"""Writing the chain: each entry hashed over the previous one, committed with the act."""

import itertools

import pytest
from django.db import transaction

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import (
    GENESIS,
    _canonical,
    audit_record,
    audit_verify,
    entry_hash,
)
from digigov.kernel.crypto import services as crypto

from .helpers import make_chain

pytestmark = pytest.mark.django_db


def test_entries_are_numbered_and_chained():
    entries = make_chain(5)
    stored = list(AuditEntry.objects.order_by("seq"))

    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == GENESIS
    for previous, current in itertools.pairwise(stored):
        assert current.prev_hash == previous.entry_hash
    assert [e.entry_hash for e in stored] == [e.entry_hash for e in entries]
    assert len({e.entry_hash for e in stored}) == 5


def test_stored_hash_recomputes_after_a_database_round_trip():
    make_chain(3)

    for entry in AuditEntry.objects.order_by("seq"):
        assert len(entry.entry_hash) == 64
        assert entry_hash(entry) == entry.entry_hash


def test_hash_is_sm3_over_previous_hash_and_content():
    """entry_hash = SM3(prev_hash || canonical JSON): same input, same SM3 digest."""
    (entry,) = make_chain(1)
    stored = AuditEntry.objects.get(seq=entry.seq)
    canonical = _canonical(stored)
    assert crypto.digest(GENESIS.encode() + canonical).hex() == entry.entry_hash
    assert b'"seq":1' in canonical and "核验".encode() in canonical

    # Every recorded field takes part in the hash.
    for field, value in [
        ("actor", "staff:999"),
        ("acting_for", "citizen:1"),
        ("action", "registry.person.export"),
        ("object_id", "other"),
        ("source_address", "10.9.9.9"),
        ("outcome", "denied"),
        ("detail", {"n": 2}),
        ("prev_hash", "f" * 64),
    ]:
        original = getattr(stored, field)
        setattr(stored, field, value)
        assert entry_hash(stored) != entry.entry_hash, field
        setattr(stored, field, original)
    assert entry_hash(stored) == entry.entry_hash


def test_entry_records_who_what_when_where_and_outcome():
    entry = audit_record(
        actor="staff:12",
        acting_for="citizen:7",
        action="registry.person.read",
        object_type="Person",
        object_id=440300199001011234,  # not a string: stored as one
        outcome="denied",
        source_address="192.0.2.1",
        detail={"reason": "越权"},
    )
    stored = AuditEntry.objects.get(seq=entry.seq)

    assert (stored.actor, stored.acting_for, stored.action) == (
        "staff:12",
        "citizen:7",
        "registry.person.read",
    )
    assert (stored.object_type, stored.object_id, stored.outcome) == (
        "Person",
        "440300199001011234",
        "denied",
    )
    assert stored.source_address == "192.0.2.1"
    assert stored.detail == {"reason": "越权"}
    assert stored.occurred_at is not None


def test_overlong_values_are_cut_not_refused():
    entry = audit_record(actor="x" * 500, action="test.long", object_id="y" * 500)

    stored = AuditEntry.objects.get(seq=entry.seq)
    assert len(stored.actor) == 160 and len(stored.object_id) == 160
    assert entry_hash(stored) == stored.entry_hash


def test_entry_rolls_back_with_the_act_it_records():
    make_chain(2)

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor="staff:1", action="registry.person.update", object_id="1")
        raise RuntimeError("the act failed after it was audited")

    assert AuditEntry.objects.count() == 2
    # The next entry continues the chain where the committed one ends.
    nxt = audit_record(actor="staff:1", action="registry.person.read")
    assert nxt.seq == 3
    assert audit_verify().is_intact


def test_verify_intact_chain():
    make_chain(7)

    report = audit_verify()

    assert report.is_intact
    assert report.problem is None
    assert report.checked == 7


def test_verify_empty_chain():
    report = audit_verify()

    assert report.is_intact
    assert report.checked == 0


def test_audit_as_records_the_principals_actor_and_address():
    from digigov.kernel.audit.services import audit_as
    from digigov.kernel.principals import Principal

    who = Principal(kind="staff", id="12", acting_for="person:1", source_address="10.0.0.9")
    audit_as(who, action="test.act", object_type="test.thing", object_id="7", detail={"a": 1})
    entry = AuditEntry.objects.get(action="test.act")
    assert (entry.actor, entry.acting_for, entry.source_address) == (
        "staff:12",
        "person:1",
        "10.0.0.9",
    )
    assert (entry.object_type, entry.object_id, entry.detail) == ("test.thing", "7", {"a": 1})
    assert audit_verify().is_intact
