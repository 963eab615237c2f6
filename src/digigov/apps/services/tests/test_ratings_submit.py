"""好差评: who may rate, when, how often; a bad rating opens a rectification whose reply the
applicant sees."""

import datetime as dt

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.models import Event
from digigov.kernel.principals import ANONYMOUS

from ..models import CaseEvent, Rating, Rectification
from ..selectors.ratings import rating_panel, rectifications_for
from ..services.ratings import rating_submit, rectification_reply
from .clock_cases import HANDLER_PERMS, accept, case_make, citizen, close, staff

APPLICANT_ID = "440103199001011234"


@pytest.fixture
def closed_case(db):
    application = accept(case_make(applicant_id_number=APPLICANT_ID))
    return close(application, dt.date.today())


def test_good_rating(closed_case):
    rating = rating_submit(
        principal=citizen(APPLICANT_ID),
        number=closed_case.number,
        grade=5,
        reasons=["fast", "zero_visit", "fast"],
        comment="很快",
    )
    assert rating.reasons == ["fast", "zero_visit"]
    assert rating.organization_id == closed_case.handling_organization_id
    assert not Rectification.objects.exists()
    assert Event.objects.filter(topic="services.rating.submitted").count() == 1
    assert not Event.objects.filter(topic="services.rating.bad").exists()
    panel = rating_panel(principal=citizen(APPLICANT_ID), number=closed_case.number)
    assert not panel.can_rate and panel.why_not == "已评价"
    assert panel.rating.grade_label == "非常满意"


def test_bad_rating_opens_rectification_and_the_reply_reaches_the_applicant(closed_case):
    rating_submit(
        principal=citizen(APPLICANT_ID),
        number=closed_case.number,
        grade=1,
        reasons=["overdue", "multiple_visits"],
        comment="跑了三次",
    )
    rectification = Rectification.objects.get()
    assert rectification.organization_id == closed_case.handling_organization_id
    assert rectification.due_date > dt.date.today()
    assert Event.objects.get(topic="services.rating.bad").payload["rectification_id"] == (
        rectification.pk
    )
    handler = staff("440100-scjg", *HANDLER_PERMS)
    assert list(rectifications_for(principal=handler)) == [rectification]
    rectification_reply(
        principal=handler, rectification_id=rectification.pk, reply="已约谈窗口人员并整改流程"
    )
    panel = rating_panel(principal=citizen(APPLICANT_ID), number=closed_case.number)
    assert panel.rectification.status == "replied"
    assert panel.rectification.reply == "已约谈窗口人员并整改流程"
    assert CaseEvent.objects.filter(
        application=closed_case, kind="rectification_reply", is_public=True
    ).exists()
    with pytest.raises(Conflict):
        rectification_reply(principal=handler, rectification_id=rectification.pk, reply="再答")


def test_not_before_the_case_closed(db):
    application = accept(case_make(applicant_id_number=APPLICANT_ID))
    with pytest.raises(Conflict) as error:
        rating_submit(
            principal=citizen(APPLICANT_ID), number=application.number, grade=5, reasons=[]
        )
    assert error.value.code == "services/not_closed"
    assert rating_panel(principal=citizen(APPLICANT_ID), number=application.number).why_not


def test_only_once(closed_case):
    rating_submit(principal=citizen(APPLICANT_ID), number=closed_case.number, grade=4, reasons=[])
    with pytest.raises(Conflict) as error:
        rating_submit(
            principal=citizen(APPLICANT_ID), number=closed_case.number, grade=1, reasons=["overdue"]
        )
    assert error.value.code == "services/already_rated"
    assert Rating.objects.get().grade == 4


@pytest.mark.parametrize(
    ("grade", "reasons", "field"),
    [
        (0, [], "grade"),
        (6, [], "grade"),
        (2, [], "reasons"),  # a bad rating needs a reason
        (5, ["overdue"], "reasons"),  # a bad reason for a good grade
        (1, ["unknown"], "reasons"),
    ],
)
def test_invalid(closed_case, grade, reasons, field):
    with pytest.raises(ValidationFailed) as error:
        rating_submit(
            principal=citizen(APPLICANT_ID), number=closed_case.number, grade=grade, reasons=reasons
        )
    assert field in error.value.fields
    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "handling_staff", "supervisor"])
def test_only_the_applicant_rates(closed_case, who):
    principal = {
        "anonymous": lambda: ANONYMOUS,
        "other_citizen": lambda: citizen("440103199001019999", user_id="801"),
        "handling_staff": lambda: staff("440100-scjg", *HANDLER_PERMS),
        "supervisor": lambda: staff("440100-zsj", "services.supervise_application"),
    }[who]()
    expected = Unauthenticated if who == "anonymous" else PermissionDenied
    with pytest.raises(expected):
        rating_submit(principal=principal, number=closed_case.number, grade=1, reasons=["overdue"])
    assert not Rating.objects.exists()
    if who != "anonymous":
        assert AuditEntry.objects.filter(
            action="services.application.access", outcome="denied"
        ).exists()


@pytest.fixture
def open_rectification(closed_case):
    rating_submit(
        principal=citizen(APPLICANT_ID),
        number=closed_case.number,
        grade=2,
        reasons=["attitude_bad"],
    )
    return Rectification.objects.get()


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("anonymous", Unauthenticated),
        ("applicant", PermissionDenied),
        ("staff_without_permission", PermissionDenied),
        ("staff_of_another_city", NotFound),
        ("supervisor_above", PermissionDenied),  # sees it, may not answer for the department
    ],
)
def test_reply_refused(open_rectification, who, error):
    principal = {
        "anonymous": lambda: ANONYMOUS,
        "applicant": lambda: citizen(APPLICANT_ID),
        "staff_without_permission": lambda: staff("440100-scjg"),
        "staff_of_another_city": lambda: staff("440300-scjg", *HANDLER_PERMS),
        "supervisor_above": lambda: staff("440100-zsj", "services.supervise_application"),
    }[who]()
    with pytest.raises(error):
        rectification_reply(principal=principal, rectification_id=open_rectification.pk, reply="x")
    open_rectification.refresh_from_db()
    assert open_rectification.status == "open" and open_rectification.reply == ""
    if who != "anonymous":
        assert AuditEntry.objects.filter(outcome="denied").exists()
