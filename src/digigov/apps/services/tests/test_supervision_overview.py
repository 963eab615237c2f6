"""政务服务监督: visibility by organization tree, figures, warning lists, drill-down."""

import datetime as dt

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.principals import ANONYMOUS, Principal
from digigov.kernel.workdays.services import holidays_seed

from ..models import Application
from ..selectors.supervision import SupervisionFilter, supervision_cases, supervision_overview
from ..services import clock
from ..services.ratings import rating_submit
from .clock_cases import accept, case_make, citizen, close, staff

D = dt.date
SUPERVISE = "services.supervise_application"
TODAY = D(2024, 10, 21)
APPLICANT_ID = "440103199001011234"


@pytest.fixture
def cases(db):
    """Guangzhou: one red (市场监管), one yellow (公安), one decided on time and rated badly,
    one decided late, one received in Shenzhen (收受分离); Shenzhen: one open."""
    holidays_seed()
    red = accept(case_make(organization_code="440100-scjg", promised_days=10), D(2024, 9, 30))
    yellow = accept(case_make(organization_code="440100-gat", promised_days=5), D(2024, 10, 14))
    on_time = accept(case_make(applicant_id_number=APPLICANT_ID), D(2024, 9, 30))
    close(on_time, D(2024, 10, 10))
    rating_submit(
        principal=citizen(APPLICANT_ID), number=on_time.number, grade=1, reasons=["attitude_bad"]
    )
    late = accept(case_make(promised_days=5), D(2024, 9, 30))
    close(late, D(2024, 10, 15))
    cross = accept(
        case_make(organization_code="440100-rsj", received_region_code="440300", promised_days=20),
        D(2024, 10, 18),
    )
    shenzhen = accept(case_make(organization_code="440300-scjg"), D(2024, 10, 18))
    clock.clock_warnings_refresh(today=TODAY)
    return {
        "red": red,
        "yellow": yellow,
        "on_time": on_time,
        "late": late,
        "cross": cross,
        "shenzhen": shenzhen,
    }


def numbers(rows):
    return {row.number for row in rows}


def test_city_bureau_sees_every_department_of_its_city_only(cases):
    overview = supervision_overview(principal=staff("440100-zsj", SUPERVISE), today=TODAY)
    assert overview.total == 5  # not the Shenzhen case
    assert overview.open == 3 and overview.decided == 2
    assert overview.on_time == 1 and overview.on_time_rate == 50.0
    assert numbers(overview.red_cases) == {cases["red"].number}
    assert numbers(overview.yellow_cases) == {cases["yellow"].number}
    red = overview.red_cases[0]
    assert red.deadline == D(2024, 10, 18) and red.days_left == -1
    assert overview.yellow_cases[0].days_left == 0  # due today, 2024-10-21
    assert overview.cross_region == 1
    assert overview.cross_region_pairs[0].received == "深圳市"
    assert overview.cross_region_pairs[0].handling == "广州市"
    # on time: 2024-09-30 -> 10-10 is 3 working days (8, 9, 10); late: 9-30 -> 10-15 is 7
    assert overview.average_working_days == 5.0
    assert overview.ratings.count == 1 and overview.ratings.bad == 1
    assert overview.ratings.rectification_rate == 0.0
    labels = {row.label: row for row in overview.by_organization}
    assert labels["广州市市场监督管理局"].red == 1


def test_a_city_supervisor_does_not_see_another_city(cases):
    overview = supervision_overview(principal=staff("440300-zsj", SUPERVISE), today=TODAY)
    # Shenzhen's own case, and the one received in Shenzhen for Guangzhou (收受分离)
    assert overview.total == 2
    page = supervision_cases(principal=staff("440300-zsj", SUPERVISE), state="all", today=TODAY)
    assert numbers(page.rows) == {cases["shenzhen"].number, cases["cross"].number}


def test_a_department_supervisor_sees_its_line_below_it(cases):
    principal = staff("440000-scjg", SUPERVISE)
    page = supervision_cases(principal=principal, state="all", today=TODAY)
    assert numbers(page.rows) == {
        cases["red"].number,
        cases["on_time"].number,
        cases["late"].number,
        cases["shenzhen"].number,
    }


def test_filters_by_region_and_department(cases):
    province = staff("440000-zsj", SUPERVISE)
    assert supervision_overview(principal=province, today=TODAY).total == 6
    shenzhen = supervision_overview(
        principal=province, filters=SupervisionFilter(region_code="440300"), today=TODAY
    )
    assert shenzhen.total == 1
    police = supervision_cases(
        principal=province, filters=SupervisionFilter(line="gat"), state="open", today=TODAY
    )
    assert numbers(police.rows) == {cases["yellow"].number}
    with pytest.raises(ValidationFailed):
        supervision_overview(principal=province, filters=SupervisionFilter(region_code="999999"))


def test_drill_down_states(cases):
    principal = staff("440100-zsj", SUPERVISE)

    def state(name):
        return numbers(supervision_cases(principal=principal, state=name, today=TODAY).rows)

    assert state("red") == {cases["red"].number}
    assert state("yellow") == {cases["yellow"].number}
    assert state("late") == {cases["late"].number}
    assert state("decided") == {cases["late"].number, cases["on_time"].number}
    assert state("cross_region") == {cases["cross"].number}
    with pytest.raises(ValidationFailed):
        supervision_cases(principal=principal, state="nonsense")


def test_calendar_gap_is_flagged(cases):
    overview = supervision_overview(principal=staff("440100-zsj", SUPERVISE), today=D(2026, 11, 27))
    assert overview.uncovered_years == [2027]
    overview = supervision_overview(principal=staff("440100-zsj", SUPERVISE), today=TODAY)
    assert overview.uncovered_years == []


@pytest.mark.parametrize(
    "who", ["anonymous", "citizen", "staff_without_permission", "handler", "machine_without_scope"]
)
def test_refused(cases, who):
    principal = {
        "anonymous": ANONYMOUS,
        "citizen": citizen(APPLICANT_ID),
        "staff_without_permission": staff("440100-zsj"),
        "handler": staff("440100-scjg", "services.handle_application"),
        "machine_without_scope": Principal(kind="machine", id="3", scopes=frozenset({"x"})),
    }[who]
    expected = Unauthenticated if who == "anonymous" else PermissionDenied
    with pytest.raises(expected):
        supervision_overview(principal=principal)
    if who != "anonymous":
        assert AuditEntry.objects.filter(
            action="services.supervision.access", outcome="denied"
        ).exists()


def test_machine_with_scope_sees_everything(cases):
    machine = Principal(kind="machine", id="3", scopes=frozenset({"services:supervise"}))
    assert supervision_overview(principal=machine, today=TODAY).total == 6


def test_query_counts_do_not_grow_with_cases(cases, django_assert_max_num_queries):
    principal = staff("440000-zsj", SUPERVISE)
    for _ in range(5):
        accept(case_make(promised_days=1), D(2024, 10, 8))
    clock.clock_warnings_refresh(today=TODAY)
    assert Application.objects.filter(warning="red").count() == 6
    with django_assert_max_num_queries(16):
        supervision_overview(principal=principal, today=TODAY)
    with django_assert_max_num_queries(8):
        page = supervision_cases(principal=principal, state="red", today=TODAY)
    assert page.total == 6
