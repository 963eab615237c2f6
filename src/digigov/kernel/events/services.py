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

from .models import Delivery, Event
from .registry import handlers_for

log = logging.getLogger(__name__)


def event_publish(*, topic: str, payload: dict) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_publish() must be called inside the writer's transaction")
    if not handlers_for(topic):
        # Nobody subscribes (handlers register at start-up, the same in every process): the
        # event is kept for the record, already complete, and costs no delivery transaction.
        return Event.objects.create(topic=topic, payload=payload, completed_at=timezone.now())
    event = Event.objects.create(topic=topic, payload=payload)
    if getattr(settings, "DIGIGOV_EVENTS_INLINE", True):
        transaction.on_commit(lambda: event_deliver(event_id=event.pk), robust=True)
    return event


def event_deliver(*, event_id: int) -> bool:
    """Run every handler that has not yet processed the event. True when all have.

    The event row stays locked while its handlers run (PostgreSQL), so a second worker skips
    it instead of running the same handlers at the same time; SQLite has one writer anyway.
    """
    with transaction.atomic():
        events = Event.objects.filter(pk=event_id)
        if connection.vendor == "postgresql":
            events = events.select_for_update(skip_locked=True)
        event = events.first()
        if event is None:  # gone, or being delivered by another worker right now
            return not Event.objects.filter(pk=event_id, completed_at__isnull=True).exists()
        if event.completed_at:
            return True
        all_done = True
        for name, handler in handlers_for(event.topic).items():
            delivery, _ = Delivery.objects.get_or_create(event=event, handler=name)
            if delivery.delivered_at:
                continue
            try:
                # The handler's writes and its delivery mark commit together.
                with transaction.atomic():
                    handler(event.payload)
                    Delivery.objects.filter(pk=delivery.pk).update(
                        delivered_at=timezone.now(), attempts=delivery.attempts + 1, last_error=""
                    )
            except Exception as exc:  # a handler's failure must not stop the others
                all_done = False
                log.exception("event %s handler %s failed", event.pk, name)
                Delivery.objects.filter(pk=delivery.pk).update(
                    attempts=delivery.attempts + 1, last_error=repr(exc)[:2000]
                )
        if all_done:
            Event.objects.filter(pk=event.pk).update(completed_at=timezone.now())
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
