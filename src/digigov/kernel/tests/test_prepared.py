"""Prepared querysets answer exactly as the ORM does, on each backend, and refuse what they
cannot run faithfully."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digigov.kernel.api.models import MachineClient
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import audit_record
from digigov.kernel.prepared import Prepared, rows_insert
from digigov.kernel.regions.models import Region

pytestmark = pytest.mark.django_db


def _entries(actor: str):
    return (
        AuditEntry.objects.filter(actor=actor, outcome="success")
        .order_by("seq")
        .values("seq", "occurred_at", "detail", "actor")
    )


BY_ACTOR = Prepared(_entries, actor="")
BY_SEQ = Prepared(
    lambda seq: AuditEntry.objects.filter(seq=seq).values_list("action", "detail"), seq=0
)


def test_rows_and_converted_values_equal_the_orms():
    audit_record(actor="alice", action="a.one", detail={"n": 1, "名": "张三"})
    audit_record(actor="bob", action="a.two", detail={"n": 2})
    audit_record(actor="alice", action="a.three", detail={"list": [1, 2]})

    rows = BY_ACTOR.all(actor="alice")

    assert rows == list(_entries("alice"))
    assert [r["detail"] for r in rows] == [{"n": 1, "名": "张三"}, {"list": [1, 2]}]
    assert isinstance(rows[0]["occurred_at"], dt.datetime)  # SQLite's text converted too
    assert rows[0]["occurred_at"].tzinfo is not None
    assert BY_ACTOR.all(actor="carol") == []


def test_values_list_and_first():
    entry = audit_record(actor="alice", action="a.one", detail={"k": "v"})

    assert BY_SEQ.first(seq=entry.seq) == ("a.one", {"k": "v"})
    assert BY_SEQ.first(seq=entry.seq + 1000) is None


def test_one_query_per_call_and_values_are_parameters_not_sql():
    audit_record(actor="x' OR '1'='1", action="a.one")
    with CaptureQueriesContext(connection) as queries:
        rows = BY_ACTOR.all(actor="x' OR '1'='1")
        assert BY_ACTOR.all(actor="' OR 1=1 --") == []

    assert len(rows) == 1
    assert len(queries) == 2


def test_a_value_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError):
        BY_SEQ.all(seq="1")


def test_lookups_that_rewrite_their_value_cannot_be_prepared():
    rewritten = Prepared(
        lambda name: Region.objects.filter(name__icontains=name).values("code"), name=""
    )
    with pytest.raises(ValueError, match="unchanged"):
        rewritten.all(name="广州")


def test_only_values_querysets_are_accepted():
    models = Prepared(lambda code: Region.objects.filter(code=code), code="")
    with pytest.raises(TypeError):
        models.all(code="440000")


def test_rows_insert_writes_what_save_would():
    clients = [
        MachineClient(name="甲系统", scopes=["registry:read"]),
        MachineClient(name="乙系统", is_active=False),
    ]

    rows_insert(clients)

    stored = {c.name: c for c in MachineClient.objects.filter(name__in=["甲系统", "乙系统"])}
    assert stored["甲系统"].scopes == ["registry:read"] and stored["甲系统"].is_active
    assert stored["乙系统"].scopes == [] and not stored["乙系统"].is_active
    assert all(c.created_at is not None for c in stored.values())  # auto_now_add applied
    assert all(not c._state.adding for c in clients)
