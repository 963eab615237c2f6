"""Yellow and red warnings on dates the test sets, the threshold setting, the command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from digigov.kernel.events.models import Event
from digigov.kernel.principals import Principal
from digigov.kernel.workdays.services import holidays_seed

from ..models import Application, ClockSetting
from ..services import clock
from .clock_cases import accept, at, case_make

D = dt.date
WARNING = "services.application.warning"


@pytest.fixture
def case(db):
    holidays_seed()
    # 10 working days from 2024-09-30: deadline Friday 2024-10-18
    application = accept(case_make(promised_days=10), D(2024, 9, 30))
    assert application.deadline == D(2024, 10, 18)
    Event.objects.filter(topic=WARNING).delete()
    return application


def refresh(day: dt.date) -> dict:
    return clock.clock_warnings_refresh(today=day)


def warning_of(application: Application) -> str:
    application.refresh_from_db()
    return application.warning


def test_no_warning_with_time_to_spare(case):
    result = refresh(D(2024, 10, 14))  # 4 working days left, threshold max(2, 20% of 10) = 2
    assert result["checked"] == 1 and result["changed"] == 0
    assert warning_of(case) == ""


def test_yellow_two_working_days_before(case):
    result = refresh(D(2024, 10, 16))  # Wednesday: 17th and 18th left
    assert warning_of(case) == "yellow"
    assert result == {
        "date": "2024-10-16",
        "checked": 1,
        "red": 0,
        "yellow": 1,
        "changed": 1,
        "calendar_covers_year": True,
    }
    event = Event.objects.get(topic=WARNING)
    assert event.payload["number"] == case.number
    assert event.payload["warning"] == "yellow" and event.payload["days_left"] == 2


def test_red_after_the_deadline_and_events_only_on_change(case):
    refresh(D(2024, 10, 16))
    refresh(D(2024, 10, 17))  # still yellow: no new event
    assert Event.objects.filter(topic=WARNING).count() == 1
    refresh(D(2024, 10, 21))  # Monday after the deadline
    assert warning_of(case) == "red"
    assert Event.objects.filter(topic=WARNING).count() == 2


def test_threshold_is_configurable(case):
    ClockSetting.objects.create(pk=1, yellow_days=5, yellow_percent=0)
    refresh(D(2024, 10, 12))  # a 调休 Saturday: 14-18, 5 working days left
    assert warning_of(case) == "yellow"


def test_percent_of_a_long_limit(db):
    holidays_seed()
    application = accept(case_make(promised_days=20), D(2024, 9, 2))  # deadline 2024-09-30
    assert application.deadline == D(2024, 9, 30)
    refresh(D(2024, 9, 25))  # 26, 27, 29 (调休 Sunday), 30: 4 days left = 20% of 20
    assert warning_of(application) == "yellow"


def test_paused_clock_stands_still(case):
    clock.clock_pause(application=case, reason="correction", at=at(D(2024, 10, 14)))
    case.save()
    refresh(D(2024, 10, 30))  # long after the deadline, but the clock stopped on the 14th
    assert warning_of(case) == ""


def test_resume_extends_and_clears_red(case):
    refresh(D(2024, 10, 21))
    assert warning_of(case) == "red"
    case.refresh_from_db()
    # paused 10月17日, resumed 10月22日: 18, 21, 22 = 3 working days
    clock.clock_pause(application=case, reason="correction", at=at(D(2024, 10, 17)))
    clock.clock_resume(application=case, at=at(D(2024, 10, 22)))
    case.save()
    assert case.deadline == D(2024, 10, 23)
    assert warning_of(case) == "yellow"  # one working day left
    assert refresh(D(2024, 10, 22))["changed"] == 0


def test_closed_cases_are_not_checked(case):
    case.status = Application.Status.APPROVED
    case.save()
    assert refresh(D(2024, 11, 30))["checked"] == 0


def test_settings_need_the_rule_permission(case):
    from digigov.kernel.errors import PermissionDenied, ValidationFailed

    with pytest.raises(PermissionDenied):
        clock.clock_setting_update(
            principal=Principal(kind="staff", id="1"), yellow_days=3, yellow_percent=10
        )
    manager = Principal(kind="staff", id="1", permissions=frozenset({"services.manage_rules"}))
    with pytest.raises(ValidationFailed):
        clock.clock_setting_update(principal=manager, yellow_days=3, yellow_percent=150)
    clock.clock_setting_update(principal=manager, yellow_days=3, yellow_percent=10)
    assert ClockSetting.objects.get(pk=1).yellow_days == 3


def test_command(case):
    out = StringIO()
    call_command("services_clock", "--date", "2024-10-21", stdout=out)
    assert "红牌 1" in out.getvalue()
    assert warning_of(case) == "red"


def test_demo_seed_is_idempotent(case):
    from django.contrib.auth import get_user_model

    first = clock.clock_demo_seed()
    assert first.startswith("新建 2 个监督演示账号")
    second = clock.clock_demo_seed()
    assert "新建" not in second
    supervisor = get_user_model().objects.get(username="gz_supervisor")
    assert supervisor.as_principal().has_perm("services.supervise_application")
