"""Handlers subscribe to topics here (from their app's handlers.py, imported in ready())."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Handler = Callable[[dict], None]
_handlers: dict[str, dict[str, Handler]] = defaultdict(dict)


def subscribe(topic: str, *, name: str | None = None) -> Callable[[Handler], Handler]:
    """Register a handler. Handlers must be idempotent: delivery is at least once."""

    def register(handler: Handler) -> Handler:
        _handlers[topic][name or f"{handler.__module__}.{handler.__qualname__}"] = handler
        return handler

    return register


def handlers_for(topic: str) -> dict[str, Handler]:
    return dict(_handlers.get(topic, {}))


def unsubscribe(topic: str, name: str) -> None:
    _handlers.get(topic, {}).pop(name, None)
