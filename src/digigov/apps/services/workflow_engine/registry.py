"""Which workflow engine the services use. Tests swap the entry, not the code."""

from __future__ import annotations

from collections.abc import Callable

from .base import WorkflowEngine

_FACTORIES: dict[str, Callable[[], WorkflowEngine]] = {}
_INSTANCES: dict[str, WorkflowEngine] = {}
_ACTIVE = "spiff"


def engine_register(name: str, factory: Callable[[], WorkflowEngine]) -> None:
    _FACTORIES[name] = factory
    _INSTANCES.pop(name, None)


def engine_use(name: str) -> str:
    """Make `name` the active engine; returns the previous one (for tests)."""
    global _ACTIVE
    previous, _ACTIVE = _ACTIVE, name
    return previous


def workflow_engine(name: str | None = None) -> WorkflowEngine:
    """The active engine (one instance per process: it caches parsed process specs)."""
    key = name or _ACTIVE
    engine = _INSTANCES.get(key)
    if engine is None:
        if key not in _FACTORIES and key == "spiff":
            from .contrib.spiff import SpiffEngine

            _FACTORIES["spiff"] = SpiffEngine
        engine = _INSTANCES[key] = _FACTORIES[key]()
    return engine
