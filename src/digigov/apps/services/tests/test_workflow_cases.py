"""Workflow cases through the services: each process to its end, and every operation
(correction, withdraw, send back, co-sign, reassign, claim) with its refusals."""

from __future__ import annotations

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed

from ..models import Application, CaseEvent, CaseTask, WorkflowCase
from ..services import workflow as wf
from ..services.applications import application_correct, application_withdraw
from .test_workflow_support import as_principal, case_file, citizen, open_task, staff_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return staff_make()


def _do(account, application, step, outcome, comment=""):
    task = open_task(application, step)
    return wf.task_complete(
        principal=as_principal(account), task_id=task.pk, outcome=outcome, comment=comment
    )


def _status(application):
    application.refresh_from_db()
    return application.status


def _snapshot(application):
    return (
        Application.objects.get(pk=application.pk).status,
        WorkflowCase.objects.get(application=application).revision,
        sorted(
            CaseTask.objects.filter(application=application).values_list(
                "pk", "status", "assignee_id", "outcome"
            )
        ),
        CaseEvent.objects.filter(application=application).count(),
    )


def _denied(action):
    return AuditEntry.objects.filter(action=action, outcome="denied").count()


def test_general_approval_end_to_end(people):
    application = case_file("general_approval")
    assert application.status == "submitted"
    assert open_task(application, "accept").organization.code == "440100-scjg"
    _do(people.clerk, application, "accept", "accepted")
    assert _status(application) == "accepted"
    assert application.deadline is not None
    _do(people.reviewer, application, "review", "pass", "材料齐全")
    _do(people.approver, application, "decide", "approve", "准予许可")
    assert _status(application) == "approved"
    assert application.decision_note == "准予许可"
    assert WorkflowCase.objects.get(application=application).is_completed
    assert not CaseTask.objects.filter(application=application, status="open").exists()
    kinds = list(CaseEvent.objects.filter(application=application).values_list("kind", flat=True))
    assert kinds[0] == "submitted" and "accepted" in kinds and kinds[-1] == "approved"


def test_not_accepted_and_rejected_ends(people):
    first = case_file("general_approval")
    _do(people.clerk, first, "accept", "not_accepted", "不属于本机关职权范围")
    assert _status(first) == "not_accepted"
    second = case_file("general_approval")
    _do(people.clerk, second, "accept", "accepted")
    _do(people.reviewer, second, "review", "fail")
    _do(people.approver, second, "decide", "reject", "不符合条件")
    assert _status(second) == "rejected"


def test_restaurant_opening_parallel_departments_all_required(people):
    application = case_file("restaurant_opening")
    _do(people.clerk, application, "accept", "accepted")
    opened = dict(
        CaseTask.objects.filter(application=application, status="open").values_list(
            "spec_name", "organization__code"
        )
    )
    assert opened == {
        "scjg_review": "440100-scjg",
        "xf_check": "440100-xf",
        "cgj_sign": "440100-cgj",
    }
    _do(people.xf, application, "xf_check", "pass")
    _do(people.reviewer, application, "scjg_review", "pass")
    assert not CaseTask.objects.filter(application=application, spec_name="decide").exists()
    _do(people.cgj, application, "cgj_sign", "pass")
    _do(people.approver, application, "decide", "approve")
    assert _status(application) == "approved"


def test_real_estate_registration_end_to_end(people):
    application = case_file("real_estate_registration")
    _do(people.zrzy_clerk, application, "accept", "accepted")
    _do(people.zrzy_reviewer, application, "review", "pass")
    _do(people.zrzy_approver, application, "register", "approve")
    _do(people.zrzy_clerk, application, "certify", "done")
    assert _status(application) == "approved"


def test_four_eyes_refused_audited_and_nothing_changed(people):
    application = case_file("general_approval")
    _do(people.clerk, application, "accept", "accepted")
    _do(people.reviewer, application, "review", "pass")
    before, denied = _snapshot(application), _denied("services.task.complete")
    with pytest.raises(PermissionDenied) as error:
        _do(people.reviewer, application, "decide", "approve")
    assert error.value.code == "services/four_eyes"
    assert _snapshot(application) == before
    assert _denied("services.task.complete") == denied + 1


@pytest.mark.parametrize("who", ["outsider", "no_role", "clerk_for_review", "citizen"])
def test_wrong_organization_or_role_refused(people, who):
    application = case_file("general_approval")
    _do(people.clerk, application, "accept", "accepted")
    account = {
        "outsider": people.outsider,
        "no_role": people.no_role,
        "clerk_for_review": people.clerk,  # 窗口受理人员 lacks the 审批人员 role
        "citizen": citizen(),
    }[who]
    task = open_task(application, "review")
    before, denied = _snapshot(application), _denied("services.task.complete")
    with pytest.raises(PermissionDenied):
        wf.task_complete(principal=as_principal(account), task_id=task.pk, outcome="pass")
    assert _snapshot(application) == before
    assert _denied("services.task.complete") == denied + 1


def test_invalid_outcome_is_a_validation_error(people):
    application = case_file("general_approval")
    with pytest.raises(ValidationFailed):
        _do(people.clerk, application, "accept", "approve")


def test_correction_round_trip(people):
    application = case_file("general_approval")
    _do(people.clerk, application, "accept", "accepted")
    task = open_task(application, "review")
    wf.task_return_for_correction(
        principal=as_principal(people.reviewer),
        task_id=task.pk,
        comment="请补充材料",
        items=["营业执照复印件不清晰", "联系电话有误"],
    )
    assert _status(application) == "correction"
    assert application.paused_since is not None
    with pytest.raises(Conflict):  # the step waits for the applicant
        _do(people.reviewer, application, "review", "pass")
    # the applicant corrects (the applications services call workflow_correction_done)
    application_correct(
        principal=as_principal(citizen()),
        number=application.number,
        form_data={"phone": "13900139000"},
    )
    assert _status(application) == "accepted"
    assert application.paused_since is None
    assert CaseEvent.objects.filter(application=application, kind="task_reopened").exists()
    _do(people.reviewer, application, "review", "pass")
    _do(people.approver, application, "decide", "approve")
    assert _status(application) == "approved"


def test_withdraw_cancels_open_tasks(people):
    application = case_file("restaurant_opening")
    _do(people.clerk, application, "accept", "accepted")
    assert CaseTask.objects.filter(application=application, status="open").count() == 3
    application_withdraw(
        principal=as_principal(citizen()), number=application.number, reason="不开了"
    )
    assert _status(application) == "withdrawn"
    assert not CaseTask.objects.filter(application=application, status="open").exists()
    assert CaseTask.objects.filter(application=application, status="cancelled").count() == 3
    assert WorkflowCase.objects.get(application=application).is_completed


def test_send_back_to_an_earlier_step_goes_to_who_did_it(people):
    application = case_file("general_approval")
    _do(people.clerk, application, "accept", "accepted")
    _do(people.reviewer, application, "review", "pass")
    decide = open_task(application, "decide")
    with pytest.raises(ValidationFailed):  # a step the case has not passed
        wf.task_send_back(
            principal=as_principal(people.approver),
            task_id=decide.pk,
            to_step="finish",
            comment="x",
        )
    wf.task_send_back(
        principal=as_principal(people.approver),
        task_id=decide.pk,
        to_step="review",
        comment="请复核",
    )
    decide.refresh_from_db()
    assert decide.status == "cancelled"
    review = open_task(application, "review")
    assert review.assignee_id == people.reviewer.pk
    _do(people.reviewer, application, "review", "pass")
    _do(people.approver, application, "decide", "approve")
    assert _status(application) == "approved"


def test_cosigner_must_sign_before_the_step_completes(people):
    application = case_file("general_approval")
    _do(people.clerk, application, "accept", "accepted")
    review = open_task(application, "review")
    reviewer = as_principal(people.reviewer)
    with pytest.raises(ValidationFailed):  # not a colleague holding the role
        wf.task_add_cosigner(principal=reviewer, task_id=review.pk, account_id=people.xf.pk)
    cosign = wf.task_add_cosigner(
        principal=reviewer, task_id=review.pk, account_id=people.approver.pk
    )
    with pytest.raises(Conflict):
        wf.task_complete(principal=reviewer, task_id=review.pk, outcome="pass")
    with pytest.raises(PermissionDenied):  # only the co-signer signs
        wf.task_complete(principal=reviewer, task_id=cosign.pk, outcome="agree")
    wf.task_complete(principal=as_principal(people.approver), task_id=cosign.pk, outcome="agree")
    wf.task_complete(principal=reviewer, task_id=review.pk, outcome="pass")
    assert open_task(application, "decide")


def test_reassign_and_claim(people):
    application = case_file("general_approval")
    _do(people.clerk, application, "accept", "accepted")
    review = open_task(application, "review")
    wf.task_claim(principal=as_principal(people.reviewer), task_id=review.pk)
    with pytest.raises(PermissionDenied):  # claimed: only the assignee now
        wf.task_claim(principal=as_principal(people.approver), task_id=review.pk)
    with pytest.raises(ValidationFailed):  # another organization
        wf.task_reassign(
            principal=as_principal(people.reviewer),
            task_id=review.pk,
            account_id=people.outsider.pk,
        )
    wf.task_reassign(
        principal=as_principal(people.reviewer), task_id=review.pk, account_id=people.approver.pk
    )
    review.refresh_from_db()
    assert review.assignee_id == people.approver.pk
    with pytest.raises(PermissionDenied):
        _do(people.reviewer, application, "review", "pass")
    _do(people.approver, application, "review", "pass")
    internal = CaseEvent.objects.filter(application=application, is_public=False)
    assert {"task_claimed", "task_reassigned"} <= set(internal.values_list("kind", flat=True))


def test_optimistic_locking_conflict(people):
    application = case_file("general_approval")
    task = open_task(application, "accept")
    # another writer saved the case after we read it
    WorkflowCase.objects.filter(application=application).update(revision=41)
    case = WorkflowCase.objects.get(application=application)
    instance = wf.workflow_engine().deserialize(case.process_id, case.state)
    case.revision = 40  # our stale copy
    with pytest.raises(Conflict):
        wf._save(case, instance)
    # the service path: a stale revision in the same transaction fails the whole step
    wf.task_complete(principal=as_principal(people.clerk), task_id=task.pk, outcome="accepted")
    assert WorkflowCase.objects.get(application=application).revision == 42


def test_a_step_has_a_bounded_number_of_queries(people, django_assert_max_num_queries):
    application = case_file("general_approval")
    _do(people.clerk, application, "accept", "accepted")
    task = open_task(application, "review")
    reviewer = as_principal(people.reviewer)
    with django_assert_max_num_queries(26):
        wf.task_complete(principal=reviewer, task_id=task.pk, outcome="pass")


def test_demo_seed_makes_staff_listed_by_demo_logins():
    from digigov.support.identity.selectors import demo_logins

    from ..testing import organizations_ready

    organizations_ready()
    assert "新建" in wf.workflow_demo_seed(seed=2021)
    assert wf.workflow_demo_seed(seed=2021) == "已存在，未改动"
    rows = {r["username"]: r for r in demo_logins()}
    assert rows["gz_scjg_approver"]["password"] == "Staff@2025"
    assert rows["gz_xf_reviewer"]["organization"] == "广州市消防救援支队"
    assert rows["gz_zrzy_clerk"]["totp_secret"]
