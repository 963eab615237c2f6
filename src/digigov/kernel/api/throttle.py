"""Per-caller call counters for rate limits: a fixed one-minute window counted in Django's
cache (per process unless the deployment configures a shared cache such as Redis)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

from digigov.kernel.errors import Throttled
from digigov.kernel.principals import Principal

WINDOW_SECONDS = 60


def caller_key(principal: Principal) -> str:
    """Who is counted: the signed-in principal, else the network address."""
    if principal.is_authenticated:
        return principal.actor
    return principal.source_address or "unknown"


def call_count(*, bucket: str) -> int:
    """Count one call in `bucket` for the current window and return the window's count."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"throttle:{bucket}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


def throttle_check(
    *, bucket: str, limit: int, error: Throttled, on_first_refusal: Callable[[], None]
) -> None:
    """Raise `error` once the caller is past `limit` calls this window (0: no limit). The
    first refusal of a window calls `on_first_refusal` (to audit it); later ones do not, so
    a flood cannot flood the logs too."""
    if limit <= 0:
        return
    count = call_count(bucket=bucket)
    if count <= limit:
        return
    if count == limit + 1:
        on_first_refusal()
    raise error
