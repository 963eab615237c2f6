"""限时办结: the statutory clock of a case, in working days.

First version: Monday to Friday only. To be replaced by the holiday-aware calendar
(kernel.workdays) with pauses counted in working days and yellow/red warnings."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models import Application


def add_working_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def clock_start(*, application: Application, at: dt.datetime) -> None:
    days = application.item_version.promised_days or application.item_version.statutory_days
    application.deadline = add_working_days(timezone.localdate(at), days)


def clock_pause(*, application: Application, reason: str, at: dt.datetime) -> None:
    application.paused_since = at
    application.paused_reason = reason


def clock_resume(*, application: Application, at: dt.datetime) -> None:
    application.paused_since = None
    application.paused_reason = ""


def clock_stop(*, application: Application, at: dt.datetime) -> None:
    application.paused_since = None
    application.paused_reason = ""
