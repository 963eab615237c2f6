"""Working days (工作日): Monday to Friday, minus statutory holidays, plus the weekend days
made working days (调休上班), as stored in `Holiday`.

The table is cached per process. Each public call checks a cheap stamp (row count and last
update) so an edit in the back office, in any process, is seen by the next call; callers
that compute many dates (a list, a refresh of every open case) take one `calendar()`
snapshot and use its methods without further queries. A year without rows falls back to
Monday to Friday, says so through `calendar_covers`, and logs a warning once per process.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max

from .models import Holiday

log = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """An immutable view of the holiday table: date -> is_workday, and the years covered."""

    exceptions: dict[dt.date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        if day.year not in self.years:
            _warn_uncovered(day.year)
            return day.weekday() < 5
        known = self.exceptions.get(day)
        if known is not None:
            return known
        return day.weekday() < 5

    def add(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (time limits run from the next day,
        as 行政许可法 counts them); `start` itself when days is 0."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                days -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start. So a deadline
        of tomorrow (a working day) is 1 day away, today 0, yesterday -1."""
        if end == start:
            return 0
        sign, low, high = (1, start, end) if end > start else (-1, end, start)
        count = 0
        day = low
        while day < high:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return sign * count

    def uncovered_years(self, years: list[int]) -> list[int]:
        return [year for year in years if year not in self.years]


_lock = threading.Lock()
_cached: tuple[tuple[int, object], WorkCalendar] | None = None
_warned_years: set[int] = set()


def _warn_uncovered(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        log.warning(
            "工作日历未录入 %s 年法定节假日，按周一至周五计算工作日；请在后台录入国务院办公厅当年节假日安排",
            year,
        )


def _stamp() -> tuple[int, object]:
    row = Holiday.objects.aggregate(count=Count("id"), last=Max("updated_at"))
    return row["count"], row["last"]


def calendar() -> WorkCalendar:
    """The current calendar: one stamp query, and a reload only when the table changed."""
    global _cached
    stamp = _stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        rows = list(Holiday.objects.values_list("date", "is_workday"))
        built = WorkCalendar(exceptions=dict(rows), years=frozenset(day.year for day, _ in rows))
        _cached = (stamp, built)
    return built


def calendar_cache_clear() -> None:
    global _cached
    _cached = None
    _warned_years.clear()


def is_working_day(day: dt.date) -> bool:
    return calendar().is_working_day(day)


def working_days_add(start: dt.date, days: int) -> dt.date:
    return calendar().add(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return calendar().between(start, end)


def calendar_covers(year: int) -> bool:
    """Whether the State Council's arrangement for `year` is in the table; if not, working
    days of that year are Monday to Friday and pages show a warning."""
    covered = calendar().covers(year)
    if not covered:
        _warn_uncovered(year)
    return covered


def calendar_years() -> list[dict[str, int]]:
    """Per covered year: holidays and adjusted working days, for the back office and docs."""
    rows = (
        Holiday.objects.values("date__year", "is_workday")
        .annotate(count=Count("id"))
        .order_by("date__year", "is_workday")
    )
    years: dict[int, dict[str, int]] = {}
    for row in rows:
        entry = years.setdefault(
            row["date__year"], {"year": row["date__year"], "holidays": 0, "workdays": 0}
        )
        entry["workdays" if row["is_workday"] else "holidays"] = row["count"]
    return list(years.values())
