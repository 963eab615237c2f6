"""特别程序: staff of the handling organization pause the clock; the deadline moves by the
working days it took; everyone else is refused (audited) and nothing changes."""

import pytest
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.principals import ANONYMOUS

from ..models import Application, CaseEvent, ClockPause
from ..services import clock
from .clock_cases import HANDLER_PERMS, accept, case_make, citizen, staff

APPLICANT_ID = "440103199001011234"


@pytest.fixture
def case(db):
    return accept(case_make(promised_days=10, applicant_id_number=APPLICANT_ID))


def test_start_and_stop_same_day(case):
    handler = staff("440100-scjg", *HANDLER_PERMS)
    deadline = case.deadline
    clock.clock_special_procedure_start(principal=handler, number=case.number, reason="专家评审")
    case.refresh_from_db()
    assert case.paused_reason == "special" and case.paused_since is not None
    pause = ClockPause.objects.get(application=case)
    assert pause.kind == "special" and pause.reason == "专家评审"
    assert CaseEvent.objects.filter(application=case, kind="special_procedure_start").exists()
    with pytest.raises(Conflict):
        clock.clock_special_procedure_start(principal=handler, number=case.number, reason="再次")
    clock.clock_special_procedure_stop(principal=handler, number=case.number)
    case.refresh_from_db()
    assert case.paused_since is None and case.deadline == deadline
    stop = CaseEvent.objects.get(application=case, kind="special_procedure_stop")
    assert "历时 0 个工作日" in stop.label
    assert AuditEntry.objects.filter(action="services.application.special_procedure_stop").exists()


def test_pause_of_several_days_extends(case):
    handler = staff("440100-scjg", *HANDLER_PERMS)
    clock.clock_special_procedure_start(principal=handler, number=case.number, reason="现场核查")
    # as if it began 3 working days ago
    pause = ClockPause.objects.get(application=case)
    from digigov.kernel.workdays.selectors import calendar

    work_calendar = calendar()
    today = timezone.localdate()
    day = today
    # 3 working days in (day, today], whatever today is (a weekend in Shanghai too)
    while work_calendar.between(day, today) < 3:
        day -= timezone.timedelta(days=1)
    started = timezone.now() - (today - day)
    pause.started_at = started
    pause.save()
    Application.objects.filter(pk=case.pk).update(paused_since=started)
    before = case.deadline
    clock.clock_special_procedure_stop(principal=handler, number=case.number)
    case.refresh_from_db()
    assert work_calendar.between(before, case.deadline) == 3


def test_reason_required(case):
    with pytest.raises(ValidationFailed):
        clock.clock_special_procedure_start(
            principal=staff("440100-scjg", *HANDLER_PERMS), number=case.number, reason=" "
        )


def test_not_before_acceptance(db):
    application = case_make()
    with pytest.raises(Conflict):
        clock.clock_special_procedure_start(
            principal=staff("440100-scjg", *HANDLER_PERMS), number=application.number, reason="x"
        )


@pytest.mark.parametrize(
    "who",
    ["anonymous", "applicant", "other_citizen", "staff_without_permission", "staff_elsewhere"],
)
def test_refused(case, who):
    principal = {
        "anonymous": lambda: ANONYMOUS,
        "applicant": lambda: citizen(APPLICANT_ID),
        "other_citizen": lambda: citizen("440103199001019999", user_id="801"),
        "staff_without_permission": lambda: staff("440100-scjg"),
        "staff_elsewhere": lambda: staff("440300-scjg", *HANDLER_PERMS),
    }[who]()
    expected = Unauthenticated if who == "anonymous" else PermissionDenied
    with pytest.raises(expected):
        clock.clock_special_procedure_start(principal=principal, number=case.number, reason="x")
    case.refresh_from_db()
    assert case.paused_since is None
    assert not ClockPause.objects.filter(application=case).exists()
    if who != "anonymous":
        assert AuditEntry.objects.filter(
            action="services.application.access", outcome="denied", object_id=case.number
        ).exists()
