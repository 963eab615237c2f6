"""Handlers subscribe to topics here (from their app's handlers.py, imported in ready())."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Handler = Callable[[dict], None]
Predicate = Callable[[dict], bool]
_handlers: dict[str, dict[str, tuple[Handler, Predicate | None]]] = defaultdict(dict)


def subscribe(
    topic: str, *, name: str | None = None, when: Predicate | None = None
) -> Callable[[Handler], Handler]:
    """Register a handler. Handlers must be idempotent: delivery is at least once.

    `when`, a pure function of the payload, says whether the handler has anything to do
    with an event; an event that no handler wants is stored complete at once and costs no
    delivery transaction (e.g. a case approved with no license to issue)."""

    def register(handler: Handler) -> Handler:
        key = name or f"{handler.__module__}.{handler.__qualname__}"
        _handlers[topic][key] = (handler, when)
        return handler

    return register


def handlers_for(topic: str, payload: dict | None = None) -> dict[str, Handler]:
    """The topic's handlers; with a payload, only those that want it."""
    return {
        name: handler
        for name, (handler, when) in _handlers.get(topic, {}).items()
        if payload is None or when is None or when(payload)
    }


def unsubscribe(topic: str, name: str) -> None:
    _handlers.get(topic, {}).pop(name, None)
