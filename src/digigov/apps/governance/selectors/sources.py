"""The other areas' statistics the indicators and dashboards read, in one place.

Open data (data/opendata), city events (apps/cityevents) and sensors (apps/sensors) provide
`selectors.stats` modules with agreed signatures. Until an area ships its module, the lookup
returns None and the figure shows "暂无数据" (never a made-up number)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def opendata_stat(name: str) -> Callable[..., Any] | None:
    try:
        from digigov.data.opendata.selectors import stats
    except ImportError:
        return None
    return getattr(stats, name, None)


def cityevents_stat(name: str) -> Callable[..., Any] | None:
    try:
        from digigov.apps.cityevents.selectors import stats
    except ImportError:
        return None
    return getattr(stats, name, None)


def sensors_stat(name: str) -> Callable[..., Any] | None:
    try:
        from digigov.apps.sensors.selectors import stats
    except ImportError:
        return None
    return getattr(stats, name, None)


def choices_of(
    lookup: Callable[[str], Callable[..., Any] | None], name: str
) -> list[tuple[str, str]]:
    """A choices function of another area, or no choices while it is not there."""
    function = lookup(name)
    if function is None:
        return []
    return [(str(value), str(label)) for value, label in function()]
