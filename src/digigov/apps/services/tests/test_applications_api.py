"""/api/v1/services/applications: submit, uploads, list, detail, prefill, withdraw, correct,
material download; authorization parametrized over who is asking."""

# ruff: noqa: F811 (pytest fixtures are imported from test_applications_support)

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.principals import Principal

from ..models import Application
from ..services.cases import case_transition
from .test_applications_support import (  # noqa: F401 (fixtures)
    EXE,
    ID_CARD,
    PDF,
    citizen_make,
    dispatched,
    key,
    legal_rep_make,
    login,
    person_item,
    principal_of,
    staff_make,
    uploads,
    world,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/services/applications"
FORM = {"phone": "13912345678"}


def _machine_key(scopes):
    operator = Principal(kind="operator", id="test")
    client = machine_client_create(actor=operator, name=f"c-{key()[:8]}", scopes=scopes)
    return api_key_issue(actor=operator, client_id=client.pk).key


def test_submit_list_detail_withdraw(client, world, dispatched):
    item = person_item()
    citizen = citizen_make("apply01", world.people[0])
    login(client, citizen)
    body = {"item_code": item.code, "form_data": FORM}
    response = client.post(
        BASE, body, content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "submitted" and case["role"] == "applicant"
    assert case["form_data"]["applicant_name"] == world.name(world.people[0])
    again = client.post(
        BASE, body, content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    assert again.json()["number"] == case["number"] and Application.objects.count() == 1
    listing = client.get(BASE).json()
    assert listing["total"] == 1 and "*" in listing["items"][0]["applicant_id_masked"]
    detail = client.get(f"{BASE}/{case['number']}").json()
    assert detail["timeline"][0]["label"].endswith("提交申请")
    withdrawn = client.post(
        f"{BASE}/{case['number']}/withdraw", {"reason": "不办了"}, content_type="application/json"
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_submit_errors_are_per_field(client, world, dispatched):
    item = person_item(materials=[ID_CARD])
    login(client, citizen_make("apply01", world.people[0]))
    response = client.post(
        BASE,
        {"item_code": item.code, "form_data": {"phone": "1"}, "idempotency_key": key()},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields["phone"] == ["联系电话格式不正确"] and "materials.M01" in fields
    missing_key = client.post(
        BASE, {"item_code": item.code, "form_data": FORM}, content_type="application/json"
    )
    assert missing_key.json()["error"]["code"] == "services/idempotency_key"


def test_upload_then_submit_then_download(client, world, dispatched, uploads):
    item = person_item(materials=[ID_CARD])
    login(client, citizen_make("apply01", world.people[0]))
    bad = client.post(
        f"{BASE}/uploads",
        {"item_code": item.code, "material_code": "M01", "file": SimpleUploadedFile("cv.pdf", EXE)},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "services/material_disguised"
    staged = client.post(
        f"{BASE}/uploads",
        {"item_code": item.code, "material_code": "M01", "file": SimpleUploadedFile("id.pdf", PDF)},
    )
    assert staged.status_code == 201, staged.content
    token = staged.json()["upload_token"]
    case = client.post(
        BASE,
        {
            "item_code": item.code,
            "form_data": FORM,
            "materials": [{"code": "M01", "upload_token": token}],
            "idempotency_key": key(),
        },
        content_type="application/json",
    ).json()
    url = case["materials"][0]["download_url"]
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    # someone else cannot download it: 403 and audited
    client.logout()
    login(client, citizen_make("apply02", world.people[1]))
    assert client.get(url).status_code == 403
    assert AuditEntry.objects.filter(
        action="services.application.access", object_id=case["number"], outcome="denied"
    ).exists()


def test_prefill_endpoint(client, world):
    item = person_item()
    login(client, citizen_make("apply01", world.people[0]))
    response = client.get(f"{BASE}/prefill", {"item_code": item.code})
    assert response.status_code == 200
    assert response.json()["values"]["applicant_id_number"] == world.people[0]
    refused = client.get(
        f"{BASE}/prefill", {"item_code": item.code, "applicant_id_number": world.people[1]}
    )
    assert refused.status_code == 403


def test_correct_endpoint(client, world, dispatched):
    item = person_item()
    citizen = citizen_make("apply01", world.people[0])
    login(client, citizen)
    number = client.post(
        BASE,
        {"item_code": item.code, "form_data": FORM, "idempotency_key": key()},
        content_type="application/json",
    ).json()["number"]
    handler = staff_make("handler", organization_code="440100-scjg", roles=("审批人员",))
    case_transition(
        application=Application.objects.get(number=number),
        to="correction",
        principal=principal_of(handler),
    )
    response = client.post(
        f"{BASE}/{number}/correct",
        {"form_data": {"phone": "13811112222"}},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "submitted"


@pytest.mark.parametrize(
    "who,status",
    [
        ("anonymous", 401),
        ("other_citizen", 403),
        ("enterprise", 403),
        ("staff_without_permission", 403),
        ("machine_without_scope", 403),
        ("machine_with_scope", 403),  # a machine is no party to a person's case
        ("applicant", 200),
        ("handler", 200),
    ],
)
def test_detail_and_withdraw_authorization(client, world, dispatched, who, status):
    item = person_item()
    citizen = citizen_make("apply01", world.people[0])
    from ..services.applications import application_submit

    case = application_submit(
        principal=principal_of(citizen), item_code=item.code, form_data=FORM, idempotency_key=key()
    )
    headers = {}
    if who == "other_citizen":
        login(client, citizen_make("apply02", world.people[1]))
    elif who == "enterprise":
        login(client, legal_rep_make("rep01", world.usccs[0]))
    elif who == "staff_without_permission":
        login(client, staff_make("clerk", roles=("审批人员",)))  # another organization
    elif who == "handler":
        login(client, staff_make("handler", organization_code="440100-scjg", roles=("审批人员",)))
    elif who == "applicant":
        login(client, citizen)
    elif who.startswith("machine"):
        scopes = ["services:read", "services:apply"] if who.endswith("with_scope") else []
        headers = {"X-API-Key": _machine_key(scopes)}
    assert client.get(f"{BASE}/{case.number}", headers=headers).status_code == status
    response = client.post(
        f"{BASE}/{case.number}/withdraw",
        {"reason": "试图撤回"},
        content_type="application/json",
        headers=headers,
    )
    expected = {200: 200, 401: 401}.get(status, 403)
    if who == "handler":
        expected = 403  # staff do not withdraw for the applicant
    assert response.status_code == expected
    case.refresh_from_db()
    assert case.status == ("withdrawn" if who == "applicant" else "submitted")


@pytest.mark.parametrize("scopes,status", [([], 403), (["services:apply"], 403)])
def test_machine_submit_is_refused(client, world, dispatched, scopes, status):
    item = person_item()
    response = client.post(
        BASE,
        {"item_code": item.code, "form_data": FORM, "idempotency_key": key()},
        content_type="application/json",
        headers={"X-API-Key": _machine_key(scopes)},
    )
    assert response.status_code == status
    assert not Application.objects.exists()


def test_list_query_count(client, world, dispatched, django_assert_max_num_queries):
    item = person_item()
    citizen = citizen_make("apply01", world.people[0])
    from ..services.applications import application_submit

    for _ in range(5):
        application_submit(
            principal=principal_of(citizen),
            item_code=item.code,
            form_data=FORM,
            idempotency_key=key(),
        )
    login(client, citizen)
    with django_assert_max_num_queries(10):
        response = client.get(BASE)
    assert response.json()["total"] == 5
