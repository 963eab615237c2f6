"""Reads that one unit of work repeats, answered once.

A submission reads the applicant's registry record for the applicant check, the prefill and
the rules, and the same regions several times; inside `memo_scope()` each distinct read
runs once and the later calls get the same answer (also a consistent one: the rules see the
record the form was prefilled from). Outside a scope every call reads. Scopes are opened
by services for one command, never per request, so a write in the same request cannot be
hidden behind an earlier read; values are shared, so callers must not mutate them."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_store: ContextVar[dict[Hashable, Any] | None] = ContextVar("digigov_memo", default=None)


@contextmanager
def memo_scope() -> Iterator[None]:
    """Open a scope (nested scopes share the outermost one)."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def memoized(key: Hashable, read: Callable[[], T]) -> T:
    """`read()` once per scope and key; every time outside a scope."""
    store = _store.get()
    if store is None:
        return read()
    if key in store:
        return store[key]
    value = store[key] = read()
    return value


def memo_prime(key: Hashable, value: Any) -> None:
    """Record an answer already in hand (e.g. from the request's own account row)."""
    store = _store.get()
    if store is not None:
        store.setdefault(key, value)


def memoizing(function: Callable[..., T]) -> Callable[..., T]:
    """Run a command inside a memo scope (decorator)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with memo_scope():
            return function(*args, **kwargs)

    return wrapper
