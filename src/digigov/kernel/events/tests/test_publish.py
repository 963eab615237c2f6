"""Publishing: only inside the writer's transaction; handlers run after commit, never after
a rollback; a failing handler does not stop the others and keeps the event pending."""

import pytest
from django.db import transaction

from digigov.kernel.events.models import Delivery, Event
from digigov.kernel.events.services import event_deliver, event_publish

pytestmark = pytest.mark.django_db(transaction=True)


def test_publish_outside_a_transaction_raises():
    with pytest.raises(RuntimeError, match="inside the writer's transaction"):
        event_publish(topic="test.outside", payload={})

    assert not Event.objects.exists()


def test_handlers_run_after_commit(subscribe):
    handler = subscribe("test.committed", "test.handler")

    with transaction.atomic():
        event = event_publish(topic="test.committed", payload={"case": 7})
        assert handler.calls == []  # not before the change is committed

    assert handler.calls == [{"case": 7}]
    event.refresh_from_db()
    assert event.completed_at is not None
    delivery = Delivery.objects.get(event=event, handler="test.handler")
    assert delivery.delivered_at is not None
    assert delivery.attempts == 1


def test_handlers_do_not_run_after_rollback(subscribe):
    handler = subscribe("test.rolledback", "test.handler")

    with pytest.raises(RuntimeError), transaction.atomic():
        event_publish(topic="test.rolledback", payload={"case": 8})
        raise RuntimeError("the change failed")

    assert handler.calls == []
    assert not Event.objects.exists()


def test_event_in_a_rolled_back_savepoint_is_not_delivered(subscribe):
    handler = subscribe("test.savepoint", "test.handler")

    with transaction.atomic():
        kept = event_publish(topic="test.savepoint", payload={"n": 1})
        with pytest.raises(RuntimeError), transaction.atomic():
            event_publish(topic="test.savepoint", payload={"n": 2})
            raise RuntimeError("inner part failed")

    assert handler.calls == [{"n": 1}]
    assert list(Event.objects.values_list("pk", flat=True)) == [kept.pk]


def test_failing_handler_keeps_event_pending_and_others_delivered(subscribe):
    good = subscribe("test.partial", "test.good")
    bad = subscribe("test.partial", "test.bad")
    bad.fail_with = ValueError("下游系统不可用")

    with transaction.atomic():
        event = event_publish(topic="test.partial", payload={"id": 1})

    event.refresh_from_db()
    assert event.completed_at is None
    assert good.calls == bad.calls == [{"id": 1}]
    good_delivery = Delivery.objects.get(event=event, handler="test.good")
    bad_delivery = Delivery.objects.get(event=event, handler="test.bad")
    assert good_delivery.delivered_at is not None
    assert bad_delivery.delivered_at is None
    assert bad_delivery.attempts == 1
    assert "下游系统不可用" in bad_delivery.last_error


def test_retry_runs_only_the_handler_that_failed(subscribe):
    good = subscribe("test.retry", "test.good")
    bad = subscribe("test.retry", "test.bad")
    bad.fail_with = ValueError("temporarily down")
    with transaction.atomic():
        event = event_publish(topic="test.retry", payload={"id": 2})

    bad.fail_with = None
    assert event_deliver(event_id=event.pk) is True

    assert len(good.calls) == 1  # its Delivery row says it is done
    assert len(bad.calls) == 2
    event.refresh_from_db()
    assert event.completed_at is not None
    assert Delivery.objects.get(event=event, handler="test.bad").attempts == 2
    # A completed event is never delivered again.
    assert event_deliver(event_id=event.pk) is True
    assert (len(good.calls), len(bad.calls)) == (1, 2)


def test_handler_writes_roll_back_with_its_failure(subscribe):
    """A handler's own writes commit together with its delivery mark, or not at all."""
    from digigov.kernel.audit.models import AuditEntry
    from digigov.kernel.audit.services import audit_record

    attempts = []

    def handler(payload: dict) -> None:
        attempts.append(payload)
        audit_record(actor="system", action="test.handler-effect", object_id=str(payload["id"]))
        if len(attempts) == 1:
            raise RuntimeError("failed after writing")

    subscribe("test.effects", "test.effects", handler)
    with transaction.atomic():
        event = event_publish(topic="test.effects", payload={"id": 3})

    assert not AuditEntry.objects.filter(action="test.handler-effect").exists()
    event_deliver(event_id=event.pk)
    assert AuditEntry.objects.filter(action="test.handler-effect").count() == 1
    assert len(attempts) == 2


def test_event_without_handlers_completes(subscribe):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # kept for the record, complete at once: no delivery transaction after the commit
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        event = event_publish(topic="test.nobody-listens", payload={})
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split(" ", 1)[0] in ("INSERT", "SELECT", "UPDATE", "DELETE")
    ]
    assert len(statements) == 1 and statements[0].startswith("INSERT")

    event.refresh_from_db()
    assert event.completed_at is not None
    assert not Delivery.objects.filter(event=event).exists()


def test_handler_may_publish_a_follow_up_event(subscribe):
    second = subscribe("test.second", "test.second")

    def first(payload: dict) -> None:
        event_publish(topic="test.second", payload={"after": payload["n"]})

    subscribe("test.first", "test.first", first)
    with transaction.atomic():
        event_publish(topic="test.first", payload={"n": 1})

    assert second.calls == [{"after": 1}]
    assert Event.objects.filter(completed_at__isnull=True).count() == 0


def test_a_handler_runs_only_for_the_payloads_it_wants(subscribe):
    wanted = subscribe("test.filtered", "test.wanted", when=lambda p: p.get("license"))
    every = subscribe("test.filtered", "test.every")

    with transaction.atomic():
        first = event_publish(topic="test.filtered", payload={"case": 1, "license": "营业执照"})
        second = event_publish(topic="test.filtered", payload={"case": 2})

    assert wanted.calls == [{"case": 1, "license": "营业执照"}]
    assert every.calls == [{"case": 1, "license": "营业执照"}, {"case": 2}]
    assert set(Delivery.objects.filter(event=second).values_list("handler", flat=True)) == {
        "test.every"
    }
    first.refresh_from_db()
    assert first.completed_at is not None


def test_an_event_no_handler_wants_is_complete_at_once_without_deliveries(subscribe):
    handler = subscribe("test.unwanted", "test.handler", when=lambda p: False)

    with transaction.atomic():
        event = event_publish(topic="test.unwanted", payload={"case": 3})
        assert event.completed_at is not None  # stored complete, before the commit

    assert handler.calls == []
    assert not Delivery.objects.filter(event=event).exists()
