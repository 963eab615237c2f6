"""/api/v1/services/tasks and the 粤政易 task pages: who may see and act (parametrized,
denied cases change nothing), the inbox's order and query count, the pages' actions."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from digigov.support.identity import services as identity

from ..models import CaseTask, WorkflowCase
from ..services import workflow as wf
from .test_workflow_support import as_principal, case_file, citizen, open_task, staff_make

pytestmark = pytest.mark.django_db
API = "/api/v1/services/tasks"


@pytest.fixture
def people():
    return staff_make()


def _login(client, account, *, verified=True):
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    if verified and account.kind == "staff":
        device = identity.totp_device_create(account_id=account.pk)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _who(kind, people):
    return {
        "citizen": citizen,
        "outsider": lambda: people.outsider,
        "no_role": lambda: people.no_role,
        "reviewer_no_otp": lambda: people.reviewer,
        "reviewer": lambda: people.reviewer,
    }[kind]()


def _state(application):
    return (
        sorted(
            CaseTask.objects.filter(application=application).values_list(
                "pk", "status", "assignee_id"
            )
        ),
        WorkflowCase.objects.get(application=application).revision,
    )


@pytest.fixture
def review_case(people):
    application = case_file("general_approval")
    task = open_task(application, "accept")
    wf.task_complete(principal=as_principal(people.clerk), task_id=task.pk, outcome="accepted")
    return application


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("anonymous", 401),
        ("citizen", 403),
        ("outsider", 403),
        ("no_role", 403),
        ("reviewer_no_otp", 403),
        ("reviewer", 200),
    ],
)
def test_complete_authorization(client, people, review_case, kind, status):
    task = open_task(review_case, "review")
    if kind != "anonymous":
        _login(client, _who(kind, people), verified=kind != "reviewer_no_otp")
    before = _state(review_case)
    response = client.post(
        f"{API}/{task.pk}/complete",
        {"outcome": "pass", "comment": "同意"},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["task"]["status"] == "done"
        assert open_task(review_case, "decide")
    else:
        assert response.json()["error"]["code"]
        assert _state(review_case) == before


@pytest.mark.parametrize(
    ("kind", "status"),
    [("anonymous", 401), ("citizen", 403), ("no_role", 403), ("outsider", 200), ("reviewer", 200)],
)
def test_inbox_authorization(client, people, review_case, kind, status):
    if kind != "anonymous":
        _login(client, _who(kind, people))
    response = client.get(API)
    assert response.status_code == status
    if kind == "reviewer":
        assert [t["step"] for t in response.json()["items"]] == ["review"]
    if kind == "outsider":  # another organization's tasks are not listed
        assert response.json()["total"] == 0


@pytest.mark.parametrize(
    ("kind", "status"), [("citizen", 403), ("outsider", 403), ("reviewer", 200)]
)
def test_task_detail_authorization(client, people, review_case, kind, status):
    _login(client, _who(kind, people))
    task = open_task(review_case, "review")
    response = client.get(f"{API}/{task.pk}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["can_act"] is True
        assert [o["value"] for o in body["outcomes"]] == ["pass", "fail"]
        assert any(not e["is_public"] or e["kind"] == "task_opened" for e in body["timeline"])


def test_api_operations(client, people, review_case):
    _login(client, people.reviewer)
    task = open_task(review_case, "review")
    assert client.post(f"{API}/{task.pk}/claim").status_code == 200
    response = client.post(
        f"{API}/{task.pk}/cosign",
        {"account_id": people.approver.pk},
        content_type="application/json",
    )
    assert response.status_code == 200 and len(response.json()["opened"]) == 1
    response = client.post(
        f"{API}/{task.pk}/return",
        {"items": ["身份证明不清晰"], "comment": ""},
        content_type="application/json",
    )
    assert response.status_code == 200
    review_case.refresh_from_db()
    assert review_case.status == "correction"
    response = client.post(
        f"{API}/{task.pk}/send-back",
        {"to_step": "accept", "comment": "x"},
        content_type="application/json",
    )
    assert response.status_code == 409  # waits for the applicant
    response = client.post(
        f"{API}/{task.pk}/reassign",
        {"account_id": people.outsider.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert client.get(f"{API}/done").status_code == 200


def test_inbox_order_and_query_count(client, people, django_assert_max_num_queries):
    cases = [case_file("general_approval") for _ in range(6)]
    for application in cases:
        task = open_task(application, "accept")
        wf.task_complete(principal=as_principal(people.clerk), task_id=task.pk, outcome="accepted")
    mine = open_task(cases[-1], "review")
    wf.task_claim(principal=as_principal(people.reviewer), task_id=mine.pk)
    cases[2].warning = "red"
    cases[2].save(update_fields=["warning"])
    _login(client, people.reviewer)
    client.get(API)  # warm the session
    # session, account, OTP device, permissions (about 8) + roles, count, page: not per row
    with django_assert_max_num_queries(13):
        response = client.get(API)
    numbers = [t["number"] for t in response.json()["items"]]
    assert numbers[0] == cases[-1].number  # assigned to me first
    assert numbers[1] == cases[2].number  # then red warnings
    assert response.json()["total"] == 6
    assert client.get(API, {"mine": "true"}).json()["total"] == 1
    assert client.get(API, {"warning": "red"}).json()["total"] == 1


def test_pages_render_and_act(client, people, review_case):
    _login(client, people.reviewer)
    response = client.get(reverse("staff:home"))
    assert reverse("staff:tasks") in response.content.decode()
    response = client.get(reverse("staff:tasks"))
    assert response.status_code == 200
    assert review_case.number in response.content.decode()
    task = open_task(review_case, "review")
    page = client.get(reverse("staff:task", args=[task.pk])).content.decode()
    for text in ("审查通过", "退回补正", "加签", "转办", "办件进度"):
        assert text in page
    response = client.post(
        reverse("staff:task_complete", args=[task.pk]), {"outcome": "pass", "comment": "同意"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    # the same reviewer opens the decision: four-eyes warning, and a refusal if tried
    decide = open_task(review_case, "decide")
    page = client.get(reverse("staff:task", args=[decide.pk])).content.decode()
    assert 'data-testid="four-eyes"' in page
    response = client.post(
        reverse("staff:task_complete", args=[decide.pk]), {"outcome": "approve"}, follow=True
    )
    assert "四眼原则" in response.content.decode()
    decide.refresh_from_db()
    assert decide.status == "open"
    client.post(
        reverse("staff:task_return", args=[decide.pk]),
        {"items": "补充说明\n补充照片", "comment": ""},
    )
    review_case.refresh_from_db()
    assert review_case.status == "correction"


def test_pages_refuse_others(client, people, review_case):
    task = open_task(review_case, "review")
    _login(client, people.outsider)
    assert client.get(reverse("staff:task", args=[task.pk])).status_code == 403
    response = client.post(reverse("staff:task_complete", args=[task.pk]), {"outcome": "pass"})
    task.refresh_from_db()
    assert task.status == "open"
    assert response.status_code == 302
