"""限时办结: deadlines in working days across holidays, pauses extending them."""

import datetime as dt

import pytest

from digigov.kernel.events.models import Event
from digigov.kernel.workdays.services import holidays_seed

from ..models import Application, ClockPause
from ..services import clock
from ..services.cases import case_transition
from .clock_cases import HANDLER_PERMS, accept, at, case_make, staff

D = dt.date
S = Application.Status


@pytest.fixture
def calendar_seeded(db):
    holidays_seed()


def test_deadline_runs_across_national_day(calendar_seeded):
    # accepted 2024-09-30, 10 working days promised: 10月1日-7日 off, 10月12日 worked
    application = accept(case_make(promised_days=10), D(2024, 9, 30))
    application.refresh_from_db()
    assert application.deadline == D(2024, 10, 18)


def test_deadline_runs_across_spring_festival(calendar_seeded):
    # accepted Thursday 2025-01-23; 春节 1月28日-2月4日 off, 1月26日 and 2月8日 worked
    application = accept(case_make(promised_days=5), D(2025, 1, 23))
    assert application.deadline == D(2025, 2, 6)


def test_statutory_limit_when_nothing_promised(calendar_seeded):
    application = accept(case_make(promised_days=0, statutory_days=20), D(2024, 9, 30))
    assert application.deadline == D(2024, 11, 1)


def test_correction_pause_extends_the_deadline(calendar_seeded):
    application = accept(case_make(promised_days=10), D(2024, 9, 30))
    assert application.deadline == D(2024, 10, 18)
    # paused Tuesday 10月8日, resumed Monday 10月14日: 10月9,10,11,12(调休),14 = 5 days
    clock.clock_pause(application=application, reason="correction", at=at(D(2024, 10, 8)))
    application.save()
    clock.clock_resume(application=application, at=at(D(2024, 10, 14)))
    application.save()
    pause = ClockPause.objects.get(application=application)
    assert pause.working_days == 5
    assert pause.kind == ClockPause.Kind.CORRECTION
    assert application.deadline == D(2024, 10, 25)
    assert application.paused_since is None


def test_correction_through_case_transition_pauses_and_resumes(db):
    application = accept(case_make(promised_days=10))
    deadline = application.deadline
    handler = staff("440100-scjg", *HANDLER_PERMS)
    case_transition(application=application, to=S.CORRECTION, principal=handler)
    assert application.paused_since is not None
    assert ClockPause.objects.filter(application=application, ended_at__isnull=True).count() == 1
    case_transition(application=application, to=S.ACCEPTED, principal=handler)
    application.refresh_from_db()
    assert application.paused_since is None
    assert application.deadline == deadline  # paused and resumed the same day: no extension


def test_correction_before_acceptance_does_not_count(db):
    application = case_make()
    handler = staff("440100-scjg", *HANDLER_PERMS)
    case_transition(application=application, to=S.CORRECTION, principal=handler)
    assert application.deadline is None
    assert not ClockPause.objects.filter(application=application).exists()
    case_transition(application=application, to=S.ACCEPTED, principal=handler)
    assert application.deadline is not None
    assert application.paused_since is None


def test_close_stops_the_clock_and_clears_the_warning(db):
    application = accept(case_make(promised_days=1))
    handler = staff("440100-scjg", *HANDLER_PERMS)
    case_transition(application=application, to=S.CORRECTION, principal=handler)
    case_transition(application=application, to=S.WITHDRAWN, principal=handler)
    application.refresh_from_db()
    assert application.warning == ""
    assert application.paused_since is None
    assert not ClockPause.objects.filter(application=application, ended_at__isnull=True).exists()


def test_acceptance_close_to_the_deadline_warns_at_once(db):
    accept(case_make(promised_days=1))
    assert Event.objects.filter(topic="services.application.warning").count() == 1
