"""告知承诺: a signed commitment approves the case and opens a verification check; the
signature catches tampering; the handling department confirms or finds it violated."""

# ruff: noqa: F811 (pytest fixtures imported from test_instant_support)

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event

from ..models import Application, CaseEvent, CommitmentCheck
from ..selectors.decisions import (
    commitment_checks_for,
    commitment_signature_valid,
    commitment_text_for,
    decision_explain,
)
from ..services.commitment import CHECK_DAYS, GRANT_NOTE, commitment_grant, commitment_verify
from ..testing import item_make
from .test_instant_support import (  # noqa: F401 (fixtures)
    case_make,
    citizen,
    other_citizen,
    people,
    staff_make,
    staff_principal,
)

pytestmark = pytest.mark.django_db

CONDITIONS = ["申请人具有完全民事行为能力", "经营场所符合要求"]


def _item(code="TEST-COMMIT"):
    return item_make(code=code, approval_mode="commitment", conditions=CONDITIONS)


def _case(item, account):
    return case_make(
        item=item,
        principal=account.as_principal(),
        applicant_id_number=account.id_number,
        account=account,
    )


def _commitment(item, name, **changes):
    return {
        "accepted": True,
        "text": commitment_text_for(item_version=item.published),
        "signature": name,
        **changes,
    }


def _granted(citizen):
    item = _item()
    application = _case(item, citizen)
    check = commitment_grant(
        application=application,
        principal=citizen.as_principal(),
        commitment=_commitment(item, application.applicant_name),
    )
    return item, application, check


def test_the_commitment_text_lists_the_conditions():
    item = _item()
    text = commitment_text_for(item_version=item.published)
    assert text.startswith("本人（本单位）申请办理“测试事项”")
    assert "1. 已符合以下条件：申请人具有完全民事行为能力" in text
    assert "2. 已符合以下条件：经营场所符合要求" in text
    assert "如承诺不实" in text


def test_a_signed_commitment_approves_and_opens_a_check(citizen):
    _, application, check = _granted(citizen)
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.decision_note == GRANT_NOTE
    assert check.status == "pending"
    assert check.signer_name == application.applicant_name
    assert check.due_date == timezone.localdate() + dt.timedelta(days=CHECK_DAYS)
    assert check.signature.count("$") == 1
    assert commitment_signature_valid(check=check) is True
    assert CaseEvent.objects.filter(application=application, kind="approved").exists()
    assert Event.objects.filter(topic="services.application.approved").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"accepted": False}, "commitment.accepted"),
        ({"accepted": "yes"}, "commitment.accepted"),
        ({"text": "本人承诺一切属实"}, "commitment.text"),
        ({"signature": ""}, "commitment.signature"),
        ({"signature": "别人"}, "commitment.signature"),
    ],
)
def test_a_bad_commitment_is_refused_and_nothing_changes(citizen, change, field):
    item = _item()
    application = _case(item, citizen)
    with pytest.raises(ValidationFailed) as caught:
        commitment_grant(
            application=application,
            principal=citizen.as_principal(),
            commitment=_commitment(item, application.applicant_name, **change),
        )
    assert field in caught.value.fields
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not CommitmentCheck.objects.exists()


def test_a_missing_commitment_is_refused(citizen):
    item = _item()
    application = _case(item, citizen)
    with pytest.raises(ValidationFailed) as caught:
        commitment_grant(application=application, principal=citizen.as_principal(), commitment=None)
    assert caught.value.code == "services/commitment_required"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda check, app: CommitmentCheck.objects.filter(pk=check.pk).update(
            commitment_text=check.commitment_text + "（已修改）"
        ),
        lambda check, app: CommitmentCheck.objects.filter(pk=check.pk).update(signer_name="他人"),
        lambda check, app: CommitmentCheck.objects.filter(pk=check.pk).update(
            signed_at=check.signed_at - dt.timedelta(days=1)
        ),
        lambda check, app: Application.objects.filter(pk=app.pk).update(
            applicant_id_number="110101199003077777"
        ),
        lambda check, app: CommitmentCheck.objects.filter(pk=check.pk).update(
            signature=check.signature[:-8] + "AAAAAAA="
        ),
        lambda check, app: CommitmentCheck.objects.filter(pk=check.pk).update(signature="garbage"),
    ],
)
def test_a_tampered_commitment_does_not_verify(citizen, tamper):
    _, application, check = _granted(citizen)
    tamper(check, application)
    check = CommitmentCheck.objects.select_related("application", "application__item").get(
        pk=check.pk
    )
    assert commitment_signature_valid(check=check) is False


def test_the_explanation_shows_the_commitment(citizen):
    _, application, _ = _granted(citizen)
    view = decision_explain(principal=citizen.as_principal(), number=application.number)
    assert view.commitment is not None
    assert view.commitment.is_signature_valid is True
    assert view.commitment.status_label == "待核查"
    assert view.commitment.signer_name == application.applicant_name


def test_the_handling_department_lists_and_confirms(citizen):
    _, application, check = _granted(citizen)
    handler = staff_principal(
        staff_make("h1", organization_code="440100-scjg", roles=("审批人员",))
    )
    assert list(commitment_checks_for(principal=handler)) == [check]
    done = commitment_verify(principal=handler, check_id=check.pk, is_confirmed=True)
    assert done.status == "confirmed" and done.checked_by == handler.actor
    assert list(commitment_checks_for(principal=handler)) == []
    assert CaseEvent.objects.filter(application=application, kind="commitment_confirmed").exists()
    assert Event.objects.filter(topic="services.commitment.confirmed").count() == 1
    with pytest.raises(Conflict):
        commitment_verify(principal=handler, check_id=check.pk, is_confirmed=False, finding="x")


def test_a_violated_commitment_records_the_finding_and_publishes(citizen):
    _, application, check = _granted(citizen)
    handler = staff_principal(
        staff_make("h2", organization_code="440100-scjg", roles=("审批人员",))
    )
    with pytest.raises(ValidationFailed):
        commitment_verify(principal=handler, check_id=check.pk, is_confirmed=False, finding=" ")
    done = commitment_verify(
        principal=handler, check_id=check.pk, is_confirmed=False, finding="经营场所与承诺不符"
    )
    assert done.status == "violated" and done.finding == "经营场所与承诺不符"
    event = Event.objects.get(topic="services.commitment.violated")
    assert event.payload["number"] == application.number
    assert event.payload["finding"] == "经营场所与承诺不符"
    assert AuditEntry.objects.filter(action="services.commitment.violated").exists()


@pytest.mark.parametrize(
    ("who", "organization", "roles"),
    [
        ("applicant", None, None),
        ("other_org", "440300-scjg", ("审批人员",)),
        ("no_permission", "440100-scjg", ("事项管理人员",)),
    ],
)
def test_only_the_handling_department_verifies(citizen, who, organization, roles):
    _, application, check = _granted(citizen)
    if who == "applicant":
        principal = citizen.as_principal()
    else:
        principal = staff_principal(
            staff_make(f"x{who}", organization_code=organization, roles=roles)
        )
    with pytest.raises(PermissionDenied):
        commitment_verify(principal=principal, check_id=check.pk, is_confirmed=True)
    check.refresh_from_db()
    assert check.status == "pending"
    assert AuditEntry.objects.filter(
        action="services.application.access", outcome="denied", object_id=application.number
    ).exists()
