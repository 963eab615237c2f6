"""Writes of the working-day calendar: the seed from the `chinese_calendar` package and the
operators' edits (audited). Every write invalidates this process's cache; other processes
notice through the stamp check in selectors."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound
from digigov.kernel.principals import Principal

from .models import Holiday
from .selectors import calendar_cache_clear

# chinese_calendar names its holidays in English
HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _package_days() -> dict[dt.date, tuple[bool, str]]:
    from chinese_calendar import constants

    days: dict[dt.date, tuple[bool, str]] = {}
    for day, name in constants.holidays.items():
        days[day] = (False, HOLIDAY_NAMES.get(str(name), str(name)))
    for day, name in constants.workdays.items():
        days[day] = (True, HOLIDAY_NAMES.get(str(name), str(name)))
    return days


@transaction.atomic
def holidays_seed() -> int:
    """Every date the package knows (2004 to its last year), added when missing; rows an
    operator entered or changed by hand are kept. Returns the number added."""
    existing = set(Holiday.objects.values_list("date", flat=True))
    new = [
        Holiday(date=day, is_workday=is_workday, name=name, source=Holiday.Source.PACKAGE)
        for day, (is_workday, name) in sorted(_package_days().items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(new, batch_size=500)
    calendar_cache_clear()
    return len(new)


def holidays_demo_seed(**_options) -> str:
    added = holidays_seed()
    if not added:
        return "已存在，跳过"
    years = Holiday.objects.dates("date", "year")
    return f"新增 {added} 天（{years.first().year}–{years.last().year} 年）"


def holiday_set(*, principal: Principal, day: dt.date, is_workday: bool, name: str) -> Holiday:
    """Enter or correct one date (e.g. next year's arrangement from the State Council's
    notice): a holiday (is_workday False) or a weekend working day (is_workday True)."""
    with transaction.atomic():
        holiday, created = Holiday.objects.update_or_create(
            date=day,
            defaults={"is_workday": is_workday, "name": name, "source": Holiday.Source.MANUAL},
        )
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="workdays.holiday.set",
            object_type="workdays.holiday",
            object_id=day.isoformat(),
            source_address=principal.source_address,
            detail={"is_workday": is_workday, "name": name, "created": created},
        )
    calendar_cache_clear()
    return holiday


def holiday_delete(*, principal: Principal, day: dt.date) -> None:
    with transaction.atomic():
        deleted, _ = Holiday.objects.filter(date=day).delete()
        if not deleted:
            raise NotFound("该日期没有节假日记录", code="workdays/not_found")
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="workdays.holiday.delete",
            object_type="workdays.holiday",
            object_id=day.isoformat(),
            source_address=principal.source_address,
        )
    calendar_cache_clear()
