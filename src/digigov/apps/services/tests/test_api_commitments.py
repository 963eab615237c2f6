"""/api/v1/services/commitments: 告知承诺核查 through the API. Who may list, read and record
an outcome (the staff page's scope: the handling organization's staff with the handling
right); bad input and refusals change nothing, refusals of one check are audited."""

# ruff: noqa: F811 (pytest fixtures imported from test_instant_support)

from __future__ import annotations

import datetime as dt

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.events.models import Event

from ..models import CommitmentCheck
from ..selectors.decisions import commitment_text_for
from ..services.commitment import commitment_grant
from ..testing import item_make
from .test_instant_support import (  # noqa: F401 (fixtures)
    case_make,
    citizen,
    login,
    other_citizen,
    people,
    staff_make,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/services/commitments"
CONDITIONS = ["申请人具有完全民事行为能力"]


def _grant(account, *, code="TEST-COMMIT", organization_code="440100-scjg"):
    item = item_make(
        code=code,
        organization_code=organization_code,
        approval_mode="commitment",
        conditions=CONDITIONS,
    )
    principal = account.as_principal()
    application = case_make(
        item=item, principal=principal, applicant_id_number=account.id_number, account=account
    )
    return commitment_grant(
        application=application,
        principal=principal,
        commitment={
            "accepted": True,
            "text": commitment_text_for(item_version=item.published),
            "signature": application.applicant_name,
        },
    )


@pytest.fixture
def check(citizen):
    return _grant(citizen)


def _as(who, client, request):
    if who == "anonymous":
        return client
    if who == "applicant":
        return login(client, request.getfixturevalue("citizen"))
    if who == "staff_other_org":
        return login(
            client, staff_make("c_other", organization_code="440300-scjg", roles=("审批人员",))
        )
    if who == "staff_no_perm":
        return login(
            client, staff_make("c_noperm", organization_code="440100-scjg", roles=("事项管理人员",))
        )
    if who == "handler_no_otp":
        account = staff_make("c_nootp", organization_code="440100-scjg", roles=("审批人员",))
        return login(client, account, verified=False)
    if who == "handler":
        return login(
            client, staff_make("c_handler", organization_code="440100-scjg", roles=("审批人员",))
        )
    raise AssertionError(who)


LIST_CASES = [
    ("anonymous", 401),
    ("applicant", 403),
    ("staff_no_perm", 403),
    ("handler_no_otp", 403),
    ("staff_other_org", 200),  # its own (empty) list
    ("handler", 200),
]


@pytest.mark.parametrize(("who", "status"), LIST_CASES)
def test_list_authorization_and_scope(client, request, check, who, status):
    response = _as(who, client, request).get(BASE)
    assert response.status_code == status, response.content
    if status == 200:
        body = response.json()
        numbers = [row["number"] for row in body["rows"]]
        if who == "handler":
            assert numbers == [check.application.number]
            row = body["rows"][0]
            assert row["status"] == "pending" and row["status_label"] == "待核查"
            assert row["item_name"] == "测试事项" and row["is_overdue"] is False
        else:
            assert numbers == [] and body["total"] == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("applicant", 403),
        ("staff_other_org", 403),
        ("staff_no_perm", 403),
        ("handler_no_otp", 403),
        ("handler", 200),
    ],
)
def test_show_one_authorization(client, request, check, who, status):
    before = AuditEntry.objects.filter(
        action="services.application.access", outcome="denied"
    ).count()
    response = _as(who, client, request).get(f"{BASE}/{check.pk}")
    assert response.status_code == status, response.content
    after = AuditEntry.objects.filter(
        action="services.application.access", outcome="denied"
    ).count()
    if status == 200:
        body = response.json()
        assert body["commitment_text"] == check.commitment_text
        assert body["is_signature_valid"] is True
        assert body["handling_organization"]
    elif status == 403:
        assert response.json()["error"]["code"] == "services/not_your_case"
        assert after == before + 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("applicant", 403),
        ("staff_other_org", 403),
        ("staff_no_perm", 403),
        ("handler_no_otp", 403),
    ],
)
def test_verify_refused_changes_nothing(client, request, check, who, status):
    response = _as(who, client, request).post(
        f"{BASE}/{check.pk}/verify",
        {"outcome": "violated", "finding": "经营场所不符合要求"},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    check.refresh_from_db()
    assert check.status == "pending" and check.checked_by == "" and check.finding == ""
    assert not Event.objects.filter(topic__startswith="services.commitment.").exists()


def test_handler_confirms(client, request, check):
    client = _as("handler", client, request)
    response = client.post(
        f"{BASE}/{check.pk}/verify", {"outcome": "confirmed"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["finding"] == "经核查，承诺属实"
    assert body["checked_by"] and body["checked_at"]
    assert client.get(BASE).json()["rows"] == []
    confirmed = client.get(BASE, {"status": "confirmed"}).json()
    assert [row["id"] for row in confirmed["rows"]] == [check.pk]
    assert AuditEntry.objects.filter(action="services.commitment.confirmed").exists()
    # a finished check is not verified twice
    again = client.post(
        f"{BASE}/{check.pk}/verify",
        {"outcome": "violated", "finding": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "services/commitment_check_done"


def test_handler_finds_a_violation_with_a_finding(client, request, check):
    response = _as("handler", client, request).post(
        f"{BASE}/{check.pk}/verify",
        {"outcome": "violated", "finding": "现场核查发现经营场所与承诺不符"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "violated"
    check.refresh_from_db()
    assert check.finding == "现场核查发现经营场所与承诺不符"
    assert Event.objects.filter(topic="services.commitment.violated").count() == 1


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"outcome": "violated", "finding": " "}, "services/finding_required", "finding"),
        ({"outcome": "maybe"}, "validation_failed", "outcome"),
        ({}, "validation_failed", "outcome"),
        ({"outcome": "violated", "finding": "长" * 2001}, "validation_failed", "finding"),
    ],
)
def test_bad_input_is_422_and_changes_nothing(client, request, check, payload, code, field):
    response = _as("handler", client, request).post(
        f"{BASE}/{check.pk}/verify", payload, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert any(key.split(".")[-1] == field for key in error["fields"])
    assert error["message"]  # Chinese text for people
    check.refresh_from_db()
    assert check.status == "pending" and check.checked_by == ""


def test_unknown_check_and_bad_status(client, request, check):
    client = _as("handler", client, request)
    missing = client.get(f"{BASE}/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "services/commitment_check_not_found"
    verify = client.post(
        f"{BASE}/999999/verify", {"outcome": "confirmed"}, content_type="application/json"
    )
    assert verify.status_code == 404
    bad = client.get(BASE, {"status": "everything"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "services/commitment_status_invalid"


def test_paging_and_overdue(client, request, citizen, other_citizen, django_assert_max_num_queries):
    first = _grant(citizen, code="TEST-COMMIT-A")
    second = _grant(other_citizen, code="TEST-COMMIT-B")
    CommitmentCheck.objects.filter(pk=second.pk).update(due_date=dt.date(2020, 1, 1))
    client = _as("handler", client, request)
    with django_assert_max_num_queries(12):
        page_one = client.get(BASE, {"page_size": 1}).json()
    assert page_one["total"] == 2 and page_one["pages"] == 2
    # earliest due first: the overdue one
    assert [row["id"] for row in page_one["rows"]] == [second.pk]
    assert page_one["rows"][0]["is_overdue"] is True
    page_two = client.get(BASE, {"page_size": 1, "page": 2}).json()
    assert [row["id"] for row in page_two["rows"]] == [first.pk]


def test_machine_client_needs_the_scope(client, check):
    from digigov.kernel.api.services import api_key_issue, machine_client_create
    from digigov.kernel.principals import Principal

    operator = Principal(kind="operator", id="test")
    machine = machine_client_create(actor=operator, name="外部系统", scopes=["services:supervise"])
    key = api_key_issue(actor=operator, client_id=machine.pk).key
    response = client.get(BASE, HTTP_X_API_KEY=key)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope_missing"
