"""The worker: events whose process died after commit are delivered later, at least once."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from digigov.kernel.events.models import Delivery, Event
from digigov.kernel.events.services import event_deliver, event_publish, events_work

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def process_dies_after_commit(settings):
    """No in-process delivery: as if the process died right after its commit."""
    settings.DIGIGOV_EVENTS_INLINE = False


def test_event_committed_without_delivery_stays_pending(process_dies_after_commit, subscribe):
    handler = subscribe("test.worker", "test.handler")

    with transaction.atomic():
        event = event_publish(topic="test.worker", payload={"n": 1})

    assert handler.calls == []
    event.refresh_from_db()
    assert event.completed_at is None


def test_worker_command_delivers_pending_events(process_dies_after_commit, subscribe, capsys):
    handler = subscribe("test.worker", "test.handler")
    with transaction.atomic():
        first = event_publish(topic="test.worker", payload={"n": 1})
        second = event_publish(topic="test.worker", payload={"n": 2})

    call_command("events", "work", "--once")

    assert "已投递 2 个事件" in capsys.readouterr().out
    assert handler.calls == [{"n": 1}, {"n": 2}]  # in publication order
    assert (
        Event.objects.filter(pk__in=[first.pk, second.pk], completed_at__isnull=True).count() == 0
    )
    # Running again delivers nothing twice.
    call_command("events", "work", "--once")
    assert "已投递 0 个事件" in capsys.readouterr().out
    assert len(handler.calls) == 2


def test_worker_retries_a_failed_handler_until_it_succeeds(process_dies_after_commit, subscribe):
    good = subscribe("test.worker", "test.good")
    flaky = subscribe("test.worker", "test.flaky")
    flaky.fail_with = ConnectionError("timeout")
    with transaction.atomic():
        event = event_publish(topic="test.worker", payload={"n": 1})

    assert events_work() == 0
    assert events_work() == 0
    flaky.fail_with = None
    assert events_work() == 1

    assert len(good.calls) == 1
    assert len(flaky.calls) == 3
    assert Delivery.objects.get(event=event, handler="test.flaky").attempts == 3
    assert events_work() == 0


def test_worker_respects_the_batch_limit(process_dies_after_commit, subscribe):
    handler = subscribe("test.worker", "test.handler")
    with transaction.atomic():
        for n in range(5):
            event_publish(topic="test.worker", payload={"n": n})

    assert events_work(limit=2) == 2
    assert [c["n"] for c in handler.calls] == [0, 1]
    assert events_work(limit=10) == 3


def test_event_being_delivered_elsewhere_is_skipped_on_postgresql(
    process_dies_after_commit, subscribe
):
    """Two workers never run the same event's handlers at the same time."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite has a single writer)")
    entered, release = threading.Event(), threading.Event()

    def slow(payload: dict) -> None:
        entered.set()
        release.wait(timeout=30)

    subscribe("test.claim", "test.slow", slow)
    fast = subscribe("test.claim", "test.fast")
    with transaction.atomic():
        event = event_publish(topic="test.claim", payload={})

    def other_worker() -> None:
        try:
            event_deliver(event_id=event.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert entered.wait(timeout=30)
        # The other worker is inside the handlers: this worker must not run them too.
        assert event_deliver(event_id=event.pk) is False
        assert events_work() == 0
        assert fast.calls == []  # not run by this worker (the other runs it after `slow`)
    finally:
        release.set()
        thread.join(timeout=30)

    assert len(fast.calls) == 1
    event.refresh_from_db()
    assert event.completed_at is not None
