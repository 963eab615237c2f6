"""Publishing and delivering events.

event_publish() must run inside the writer's transaction: the event exists iff the change
does. After commit an in-process attempt delivers it at once; `digigov events work` delivers
whatever is left (a process that died after commit, a handler that failed), so nothing is lost.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from digigov.kernel.prepared import Prepared, row_add, rows_insert

from .models import Delivery, Event
from .registry import handlers_for

log = logging.getLogger(__name__)


def event_publish(*, topic: str, payload: dict) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_publish() must be called inside the writer's transaction")
    if not handlers_for(topic, payload):
        # Nobody subscribes, or no handler wants this payload (handlers register at start-up,
        # the same in every process): the event is kept for the record, already complete,
        # and costs no delivery transaction.
        return row_add(Event(topic=topic, payload=payload, completed_at=timezone.now()))
    # Every command publishes: no ORM compile per event, and inside rows_deferred one
    # statement for all of a unit of work's events.
    event = row_add(Event(topic=topic, payload=payload))
    if getattr(settings, "DIGIGOV_EVENTS_INLINE", True):
        # event.pk is read at commit: inside rows_deferred it is set when the work ends
        transaction.on_commit(lambda: event_deliver(event_id=event.pk), robust=True)
    return event


# The event row, locked while its handlers run (PostgreSQL; SQLite has one writer anyway).
_LOCKED = Prepared(
    lambda event_id: (
        Event.objects.filter(pk=event_id)
        .select_for_update(skip_locked=True)
        .values_list("topic", "payload", "completed_at")
    ),
    event_id=0,
)
_DELIVERIES = Prepared(
    lambda event_id: Delivery.objects.filter(event_id=event_id).values_list(
        "pk", "handler", "delivered_at", "attempts"
    ),
    event_id=0,
)


def event_deliver(*, event_id: int) -> bool:
    """Run every handler that has not yet processed the event. True when all have.

    The event row stays locked while its handlers run (PostgreSQL), so a second worker skips
    it instead of running the same handlers at the same time; SQLite has one writer anyway.
    Each handler runs in its own savepoint; its writes and its delivery mark commit together
    with the event's completion, and a handler's failure is recorded without stopping the
    others.
    """
    with transaction.atomic():
        row = _LOCKED.first(event_id=event_id)
        if row is None:  # gone, or being delivered by another worker right now
            return not Event.objects.filter(pk=event_id, completed_at__isnull=True).exists()
        topic, payload, completed_at = row
        if completed_at:
            return True
        done = {
            handler: (pk, delivered_at, attempts)
            for pk, handler, delivered_at, attempts in _DELIVERIES.all(event_id=event_id)
        }
        all_done = True
        first_marks: list[Delivery] = []
        for name, handler in handlers_for(topic, payload).items():
            pk, delivered_at, attempts = done.get(name, (None, None, 0))
            if delivered_at:
                continue
            try:
                with transaction.atomic():
                    handler(payload)
            except Exception as exc:  # a handler's failure must not stop the others
                all_done = False
                log.exception("event %s handler %s failed", event_id, name)
                delivered_at, error = None, repr(exc)[:2000]
            else:
                delivered_at, error = timezone.now(), ""
            if pk is None:
                first_marks.append(
                    Delivery(
                        event_id=event_id,
                        handler=name,
                        delivered_at=delivered_at,
                        attempts=1,
                        last_error=error,
                    )
                )
            else:
                Delivery.objects.filter(pk=pk).update(
                    delivered_at=delivered_at, attempts=attempts + 1, last_error=error
                )
        if first_marks:
            rows_insert(first_marks)
        if all_done:
            Event.objects.filter(pk=event_id).update(completed_at=timezone.now())
        return all_done


def events_pending(*, limit: int = 100) -> list[int]:
    pending = Event.objects.filter(completed_at__isnull=True).order_by("pk")
    if connection.vendor == "postgresql":
        with transaction.atomic():
            return list(
                pending.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit]
            )
    return list(pending.values_list("pk", flat=True)[:limit])


def events_work(*, limit: int = 100) -> int:
    """Deliver a batch of pending events; returns how many were completed."""
    return sum(1 for event_id in events_pending(limit=limit) if event_deliver(event_id=event_id))
