"""Prepared querysets answer exactly as the ORM does, on each backend, and refuse what they
cannot run faithfully."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from digigov.kernel.api.models import MachineClient
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import audit_record
from digigov.kernel.events.models import Event
from digigov.kernel.prepared import (
    Prepared,
    row_add,
    row_insert_if_new,
    row_update,
    rows_deferred,
    rows_insert,
)
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


REGION_WITH_PARENT = Prepared(
    lambda code: Region.objects.select_related("parent").filter(code=code), code=""
)


def test_model_querysets_give_instances_as_the_orm_does():
    Region.objects.get_or_create(code="440000", defaults={"name": "广东省", "level": "province"})
    Region.objects.get_or_create(
        code="440100", defaults={"name": "广州市", "level": "city", "parent_id": "440000"}
    )

    city = REGION_WITH_PARENT.first(code="440100")
    province = REGION_WITH_PARENT.first(code="440000")

    expected = Region.objects.select_related("parent").get(code="440100")
    assert isinstance(city, Region) and not city._state.adding
    assert [(f.attname, getattr(city, f.attname)) for f in Region._meta.concrete_fields] == [
        (f.attname, getattr(expected, f.attname)) for f in Region._meta.concrete_fields
    ]
    with CaptureQueriesContext(connection) as queries:
        assert city.parent.name == "广东省"  # loaded with the row, as select_related does
        assert province.parent is None
    assert len(queries) == 0
    assert REGION_WITH_PARENT.first(code="999999") is None


def test_annotated_model_querysets_are_refused():
    from django.db.models import Count

    annotated = Prepared(
        lambda code: Region.objects.filter(code=code).annotate(n=Count("children")), code=""
    )
    with pytest.raises(TypeError):
        annotated.all(code="440000")


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


def test_rows_insert_reads_back_generated_keys_in_order():
    clients = [MachineClient(name=f"系统{n}") for n in range(3)]

    rows_insert(clients, returning=True)

    assert all(c.pk is not None for c in clients)
    assert [MachineClient.objects.get(pk=c.pk).name for c in clients] == [
        "系统0",
        "系统1",
        "系统2",
    ]


def test_row_update_writes_every_column_as_save_does():
    client = MachineClient.objects.create(name="甲系统", scopes=["a"])
    client.name, client.scopes, client.is_active = "乙系统", ["b", "c"], False

    with CaptureQueriesContext(connection) as queries:
        row_update(client)

    stored = MachineClient.objects.get(pk=client.pk)
    assert (stored.name, stored.scopes, stored.is_active) == ("乙系统", ["b", "c"], False)
    assert len(queries) == 1
    MachineClient.objects.filter(pk=client.pk).delete()
    with pytest.raises(MachineClient.DoesNotExist):
        row_update(client)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side statements")
def test_on_postgresql_the_statements_are_prepared_once_per_connection():
    entry = audit_record(actor="alice", action="a.prepared")
    for _ in range(3):  # settings: prepared from the second run on
        assert BY_SEQ.first(seq=entry.seq) == ("a.prepared", {})

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "audit_auditentry" WHERE "audit_auditentry"."seq" = $1'],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1


def test_row_insert_if_new_skips_a_unique_conflict_without_breaking_the_transaction():
    first = MachineClient(name="甲系统")  # name is unique
    assert row_insert_if_new(first) and first.pk is not None

    clash = MachineClient(name="甲系统", scopes=["x"])
    assert not row_insert_if_new(clash)

    assert clash.pk is None and clash._state.adding
    assert MachineClient.objects.get(name="甲系统").scopes == []  # the first row untouched
    given = MachineClient(pk=first.pk + 1000, name="乙系统")
    with pytest.raises(ValueError):
        row_insert_if_new(given)  # a given key: nothing generated to read back


def test_rows_deferred_inserts_each_models_rows_together_at_the_end():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with rows_deferred():
            added = [row_add(MachineClient(name=f"延后{n}")) for n in range(3)]
            with rows_deferred():  # nested: joins the outer scope
                added.append(row_add(MachineClient(name="延后3")))
            assert all(c.pk is None for c in added)
            assert not MachineClient.objects.filter(name__startswith="延后").exists()
        inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]

    assert len(inserts) == 1
    assert [MachineClient.objects.get(pk=c.pk).name for c in added] == [
        "延后0",
        "延后1",
        "延后2",
        "延后3",
    ]
    outside = row_add(MachineClient(name="立即"))  # no scope: inserted at once
    assert outside.pk is not None


def test_rows_deferred_inserts_several_models_in_one_statement_on_postgresql():
    region = Region(code="449999000000", name="延后区", level="county")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with rows_deferred():
            first = row_add(MachineClient(name="多表0"))
            event = row_add(Event(topic="test.deferred", payload={"n": 1}))
            row_add(region)  # a given key: nothing to read back
            second = row_add(MachineClient(name="多表1"))
            events = [event, row_add(Event(topic="test.deferred", payload={"n": 2}))]
        inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]

    # one round trip on PostgreSQL (data-modifying CTEs); one per model elsewhere
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 3)
    assert MachineClient.objects.get(pk=first.pk).name == "多表0"
    assert MachineClient.objects.get(pk=second.pk).name == "多表1"
    assert first.pk < second.pk
    assert [Event.objects.get(pk=e.pk).payload["n"] for e in events] == [1, 2]
    assert Region.objects.get(code="449999000000").name == "延后区"
    assert not (first._state.adding or event._state.adding or region._state.adding)


def test_rows_deferred_drops_the_rows_of_work_that_fails():
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic(), rows_deferred():
        row_add(MachineClient(name="失败"))
        raise RuntimeError("boom")
    assert not MachineClient.objects.filter(name="失败").exists()
