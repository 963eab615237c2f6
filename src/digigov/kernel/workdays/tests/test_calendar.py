"""The working-day calendar: holidays and 调休 from chinese_calendar, edits, the fallback."""

import datetime as dt
import logging

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.principals import Principal
from digigov.kernel.workdays import selectors
from digigov.kernel.workdays.models import Holiday
from digigov.kernel.workdays.services import holiday_delete, holiday_set, holidays_demo_seed

D = dt.date
OPERATOR = Principal(kind="staff", id="1", label="运维")


@pytest.fixture
def seeded(db):
    holidays_demo_seed()


def test_seed_covers_package_years_and_is_idempotent(seeded):
    assert selectors.calendar_covers(2004)
    assert selectors.calendar_covers(2026)
    assert not selectors.calendar_covers(2027)
    count = Holiday.objects.count()
    assert holidays_demo_seed() == "已存在，跳过"
    assert Holiday.objects.count() == count
    assert Holiday.objects.get(date=D(2024, 10, 1)).name == "国庆节"


def test_spring_festival_2024_and_its_adjusted_working_days(seeded):
    # 2024 春节: 2月10日-17日 off, 2月4日 (Sunday) and 2月18日 (Sunday) working days
    assert not selectors.is_working_day(D(2024, 2, 12))  # Monday, holiday
    assert not selectors.is_working_day(D(2024, 2, 16))  # Friday, holiday
    assert selectors.is_working_day(D(2024, 2, 4))  # Sunday, 调休上班
    assert selectors.is_working_day(D(2024, 2, 18))  # Sunday, 调休上班
    assert not selectors.is_working_day(D(2024, 2, 3))  # ordinary Saturday
    # 除夕 2月9日 (Friday) was a working day in 2024; the next one is Sunday 2月18日
    assert selectors.working_days_add(D(2024, 2, 8), 1) == D(2024, 2, 9)
    assert selectors.working_days_add(D(2024, 2, 9), 1) == D(2024, 2, 18)
    assert selectors.working_days_between(D(2024, 2, 9), D(2024, 2, 19)) == 2


def test_national_day_2024_deadline_runs_across_the_holiday(seeded):
    # accepted Monday 9月30日: 10月1日-7日 off, 10月12日 (Saturday) a working day
    assert selectors.working_days_add(D(2024, 9, 30), 1) == D(2024, 10, 8)
    assert selectors.working_days_add(D(2024, 9, 30), 5) == D(2024, 10, 12)
    assert selectors.working_days_add(D(2024, 9, 30), 6) == D(2024, 10, 14)
    assert selectors.working_days_between(D(2024, 9, 30), D(2024, 10, 14)) == 6
    assert selectors.working_days_between(D(2024, 10, 14), D(2024, 9, 30)) == -6
    assert selectors.working_days_between(D(2024, 10, 8), D(2024, 10, 8)) == 0
    assert selectors.working_days_add(D(2024, 10, 8), 0) == D(2024, 10, 8)


def test_2027_falls_back_to_monday_to_friday_and_says_so(seeded, caplog):
    selectors.calendar_cache_clear()
    with caplog.at_level(logging.WARNING, logger="digigov.kernel.workdays.selectors"):
        # 2027-10-01 is a Friday: without the State Council's notice it counts as working
        assert selectors.is_working_day(D(2027, 10, 1))
        assert selectors.working_days_add(D(2027, 9, 30), 2) == D(2027, 10, 4)
    assert not selectors.calendar_covers(2027)
    assert "2027" in caplog.text


def test_an_edit_is_seen_at_once_and_audited(seeded):
    assert selectors.is_working_day(D(2027, 10, 1))
    holiday_set(principal=OPERATOR, day=D(2027, 10, 1), is_workday=False, name="国庆节")
    assert not selectors.is_working_day(D(2027, 10, 1))
    assert selectors.calendar_covers(2027)
    assert AuditEntry.objects.filter(action="workdays.holiday.set").exists()
    holiday_delete(principal=OPERATOR, day=D(2027, 10, 1))
    assert selectors.is_working_day(D(2027, 10, 1))
    assert not selectors.calendar_covers(2027)


def test_edits_by_another_process_are_noticed(seeded):
    assert not selectors.is_working_day(D(2024, 10, 2))
    # as another process would: straight to the table, no cache clear here
    Holiday.objects.filter(date=D(2024, 10, 2)).delete()
    assert selectors.is_working_day(D(2024, 10, 2))


def test_empty_table_is_monday_to_friday(db):
    assert selectors.working_days_add(D(2024, 9, 30), 5) == D(2024, 10, 7)
    assert selectors.calendar_years() == []


def test_snapshot_answers_without_queries(seeded, django_assert_num_queries):
    work_calendar = selectors.calendar()
    with django_assert_num_queries(0):
        for offset in range(200):
            work_calendar.add(D(2024, 1, 1) + dt.timedelta(days=offset), 20)


def test_years_listing(seeded):
    years = {row["year"]: row for row in selectors.calendar_years()}
    assert years[2024]["workdays"] == 8
    assert years[2024]["holidays"] > 20
