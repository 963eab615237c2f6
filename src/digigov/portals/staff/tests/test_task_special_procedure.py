"""特别程序 on the 粤政易 task page: the handling staff see the state and the forms, start
one with a reason (the clock pauses) and end it (the deadline moves by the working days it
took); everyone else gets no forms and a refused POST changes nothing (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from digigov.apps.services.models import Application, CaseEvent, ClockPause
from digigov.apps.services.selectors.special_procedure import special_procedure_state
from digigov.apps.services.services import workflow as wf
from digigov.apps.services.tests.test_workflow_support import (
    as_principal,
    case_file,
    citizen,
    open_task,
    staff_make,
)
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.principals import Principal
from digigov.kernel.workdays.selectors import calendar
from digigov.support.identity import services as identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return staff_make()


@pytest.fixture
def review_case(people):
    application = case_file("general_approval")
    task = open_task(application, "accept")
    wf.task_complete(principal=as_principal(people.clerk), task_id=task.pk, outcome="accepted")
    application.refresh_from_db()
    return application


def _login(client, account):
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    if account.kind == "staff":
        device = identity.totp_device_create(account_id=account.pk)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _urls(task):
    return (
        reverse("staff:task", args=[task.pk]),
        reverse("staff:task_special_start", args=[task.pk]),
        reverse("staff:task_special_stop", args=[task.pk]),
    )


def test_handler_starts_and_ends_a_special_procedure(client, people, review_case):
    task = open_task(review_case, "review")
    page_url, start_url, stop_url = _urls(task)
    client = _login(client, people.reviewer)
    page = client.get(page_url).content.decode()
    assert 'data-testid="special-none"' in page
    assert 'data-testid="special-start-form"' in page and "启动特别程序" in page
    assert 'data-testid="special-stop-form"' not in page
    assert "专家评审" in page and "现场勘查" in page  # suggested reasons
    deadline = review_case.deadline

    response = client.post(start_url, {"reason": "专家评审"}, follow=True)
    html = response.content.decode()
    assert "已启动特别程序" in html
    assert 'data-testid="special-active"' in html and "特别程序进行中：专家评审" in html
    assert "办结时限暂停计算" in html
    assert 'data-testid="special-stop-form"' in html and "结束特别程序" in html
    assert 'data-testid="special-start-form"' not in html
    review_case.refresh_from_db()
    assert review_case.paused_reason == "special" and review_case.paused_since is not None
    assert ClockPause.objects.get(application=review_case, kind="special").reason == "专家评审"
    assert AuditEntry.objects.filter(
        action="services.application.special_procedure_start", object_id=review_case.number
    ).exists()

    # as if it began a week ago (the working days in between depend on today's date)
    work_calendar = calendar()
    started = timezone.now() - timezone.timedelta(days=7)
    days = work_calendar.between(timezone.localdate(started), timezone.localdate())
    assert days >= 4
    ClockPause.objects.filter(application=review_case).update(started_at=started)
    Application.objects.filter(pk=review_case.pk).update(paused_since=started)

    response = client.post(stop_url, {"reason": "专家意见已出具"}, follow=True)
    html = response.content.decode()
    assert "特别程序已结束" in html
    assert 'data-testid="special-finished"' in html and f"历时 {days} 个工作日" in html
    assert 'data-testid="special-start-form"' in html  # a new one may start
    review_case.refresh_from_db()
    assert review_case.paused_since is None
    assert work_calendar.between(deadline, review_case.deadline) == days
    assert CaseEvent.objects.filter(application=review_case, kind="special_procedure_stop").exists()


def test_bad_input_and_wrong_state_change_nothing(client, people, review_case):
    task = open_task(review_case, "review")
    _page_url, start_url, stop_url = _urls(task)
    client = _login(client, people.reviewer)
    html = client.post(start_url, {"reason": "  "}, follow=True).content.decode()
    assert "请填写特别程序的事由" in html
    html = client.post(start_url, {"reason": "听" * 301}, follow=True).content.decode()
    assert "事由至多 300 个字" in html
    html = client.post(stop_url, {}, follow=True).content.decode()
    assert "办件没有进行中的特别程序" in html
    review_case.refresh_from_db()
    assert review_case.paused_since is None
    assert not ClockPause.objects.filter(application=review_case).exists()
    # GET is not an action
    assert client.get(start_url).status_code == 405


@pytest.mark.parametrize("who", ["anonymous", "citizen", "outsider", "no_role"])
def test_others_get_no_forms_and_cannot_post(client, people, review_case, who):
    task = open_task(review_case, "review")
    page_url, start_url, _stop_url = _urls(task)
    if who == "citizen":
        _login(client, citizen())
    elif who != "anonymous":
        _login(client, getattr(people, who))
    page = client.get(page_url)
    assert page.status_code in (302, 403)
    assert b"special-start-form" not in page.content
    denied_before = AuditEntry.objects.filter(outcome="denied").count()
    response = client.post(start_url, {"reason": "专家评审"})
    assert response.status_code in (302, 403)
    review_case.refresh_from_db()
    assert review_case.paused_since is None
    assert not ClockPause.objects.filter(application=review_case).exists()
    if who in ("outsider", "no_role"):
        assert AuditEntry.objects.filter(outcome="denied").count() > denied_before


def test_csrf_is_required(people, review_case):
    from django.test import Client

    task = open_task(review_case, "review")
    client = _login(Client(enforce_csrf_checks=True), people.reviewer)
    response = client.post(_urls(task)[1], {"reason": "专家评审"})
    assert response.status_code == 403
    review_case.refresh_from_db()
    assert review_case.paused_since is None


def test_only_the_handling_staff_may_use_it(people, review_case):
    handler = as_principal(people.reviewer)
    assert special_procedure_state(principal=handler, number=review_case.number).can_start
    receiver_only = Principal(
        kind="staff",
        id=str(people.reviewer.pk),
        label="仅收件",
        organization_id=review_case.handling_organization_id,
        permissions=frozenset({"services.receive_application"}),
    )
    state = special_procedure_state(principal=receiver_only, number=review_case.number)
    assert state.is_clock_running and not state.may_use and not state.can_start


def test_not_offered_before_acceptance_or_during_correction(client, people):
    filed = case_file("general_approval")
    accept = open_task(filed, "accept")
    state = special_procedure_state(principal=as_principal(people.clerk), number=filed.number)
    assert state.may_use and not state.is_clock_running and not state.can_start
    page = _login(client, people.clerk).get(reverse("staff:task", args=[accept.pk]))
    html = page.content.decode()
    assert 'data-testid="special-not-running"' in html
    assert 'data-testid="special-start-form"' not in html
