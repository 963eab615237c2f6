"""/api/v1/services/bundles: public guide, prefilled form, upload, apply, my bundle
applications; authorization per endpoint (refusals audited, nothing changed)."""

# ruff: noqa: F811 (pytest fixtures are imported from test_bundles_support)

import pytest

from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.principals import Principal

from ..models import Application, BundleApplication
from ..services.bundles import bundle_submit
from .test_bundles_support import (  # noqa: F401 (fixtures)
    PDF,
    child_form,
    citizen,
    citizen_make,
    key,
    legal_rep_make,
    licensed,
    licenses,
    login,
    principal_of,
    staff_make,
    uploads,
    world,
)

BASE = "/api/v1/services/bundles"


def _machine_key(scopes):
    operator = Principal(kind="operator", id="test")
    client = machine_client_create(actor=operator, name=f"c-{key()[:8]}", scopes=scopes)
    return api_key_issue(actor=operator, client_id=client.pk).key


def _filed(world, citizen):
    return bundle_submit(
        principal=principal_of(citizen),
        bundle_code="test-birth",
        form_data=child_form(),
        materials=licensed(world.people[0]),
        idempotency_key=key(),
    )


def test_public_list_and_detail(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        listing = client.get(BASE, {"life_event": "birth"})
    assert listing.status_code == 200
    assert [b["code"] for b in listing.json()] == ["test-birth"]
    assert client.get(BASE, {"life_event": "retirement"}).json() == []
    assert client.get(BASE, {"q": "新生儿"}).json()[0]["component_count"] == 3
    detail = client.get(f"{BASE}/test-birth").json()
    assert detail["components"][0]["organization_name"] == "广东省卫生健康委员会"
    assert [m["code"] for m in detail["materials"]] == ["B01", "B02"]
    assert list(detail["form_schema"]["properties"]).count("child_name") == 1
    assert detail["prefill"] == {}
    assert client.get(f"{BASE}/no-such").status_code == 404


def test_form_is_prefilled_for_the_signed_in_citizen(client, world, citizen):
    assert client.get(f"{BASE}/test-birth/form").status_code == 401
    login(client, citizen)
    body = client.get(f"{BASE}/test-birth/form").json()
    assert body["prefill"]["applicant_name"] == world.name(world.people[0])
    assert body["prefill"]["applicant_id_number"] == world.people[0]
    assert body["prefill"]["phone"] == "13800138000"


def test_apply_list_and_detail(client, world, licenses, citizen):
    login(client, citizen)
    body = {"form_data": child_form(), "materials": licensed(world.people[0])}
    response = client.post(
        f"{BASE}/test-birth/apply",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "b-1"},
    )
    assert response.status_code == 201, response.content
    filed = response.json()
    assert filed["status"] == "completed"
    assert [c["status"] for c in filed["components"]] == ["approved"] * 3
    assert "已办结 3 项" in filed["result_summary"]
    again = client.post(
        f"{BASE}/test-birth/apply",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "b-1"},
    )
    assert again.json()["number"] == filed["number"]
    assert BundleApplication.objects.count() == 1
    listing = client.get(f"{BASE}/applications").json()
    assert [b["number"] for b in listing] == [filed["number"]]
    assert (
        client.get(f"{BASE}/applications/{filed['number']}").json()["bundle_code"] == "test-birth"
    )


def test_apply_errors_name_fields(client, world, licenses, citizen):
    login(client, citizen)
    response = client.post(
        f"{BASE}/test-birth/apply",
        {"form_data": child_form(child_name=""), "materials": [], "idempotency_key": key()},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields["child_name"] == ["请填写新生儿姓名"]  # asked once, told once
    assert set(fields) >= {"materials.B01", "materials.B02"}
    assert not Application.objects.exists()


def test_upload_then_apply(client, world, citizen, uploads):
    import io

    login(client, citizen)
    tokens = []
    for code in ("B01", "B02"):
        file = io.BytesIO(PDF)
        file.name = f"{code}.pdf"
        response = client.post(f"{BASE}/test-birth/uploads", {"material_code": code, "file": file})
        assert response.status_code == 201, response.content
        tokens.append({"code": code, "upload_token": response.json()["upload_token"]})
    response = client.post(
        f"{BASE}/test-birth/apply",
        {"form_data": child_form(), "materials": tokens, "idempotency_key": key()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("other_citizen", 403),
        ("enterprise", 403),
        ("staff", 403),
        ("machine_without_scope", 403),
        ("machine_with_scope", 403),  # a machine is no party to a person's bundle
        ("applicant", 200),
    ],
)
def test_bundle_application_detail_authorization(client, world, licenses, citizen, who, status):
    filed = _filed(world, citizen)
    headers = {}
    if who == "other_citizen":
        login(client, citizen_make("bundle_other", world.people[1]))
    elif who == "enterprise":
        login(client, legal_rep_make("bundle_rep", world.usccs[0]))
    elif who == "staff":
        login(client, staff_make("bundle_staff"))
    elif who == "applicant":
        login(client, citizen)
    elif who.startswith("machine"):
        scopes = ["services:read", "services:apply"] if who.endswith("with_scope") else []
        headers = {"X-API-Key": _machine_key(scopes)}
    denied_before = AuditEntry.objects.filter(outcome="denied").count()
    response = client.get(f"{BASE}/applications/{filed.number}", headers=headers)
    assert response.status_code == status
    if status == 403:
        assert AuditEntry.objects.filter(outcome="denied").count() == denied_before + 1
    if status == 200:
        assert response.json()["number"] == filed.number


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("citizen_l1", 403),
        ("enterprise", 422),  # a person's bundle: an entity may not apply
        ("staff", 403),
        ("machine_without_scope", 403),
        ("applicant", 201),
    ],
)
def test_apply_authorization(client, world, licenses, who, status):
    headers = {}
    if who == "citizen_l1":
        login(client, citizen_make("bundle_l1", None))
    elif who == "enterprise":
        login(client, legal_rep_make("bundle_rep", world.usccs[0]))
    elif who == "staff":
        login(client, staff_make("bundle_staff"))
    elif who == "applicant":
        login(client, citizen_make("bundle_citizen", world.people[0]))
    elif who == "machine_without_scope":
        headers = {"X-API-Key": _machine_key([])}
    body = {
        "form_data": child_form(),
        "materials": licensed(world.people[0]),
        "idempotency_key": key(),
    }
    if who == "enterprise":
        body["applicant_uscc"] = world.usccs[0]
    response = client.post(
        f"{BASE}/test-birth/apply", body, content_type="application/json", headers=headers
    )
    assert response.status_code == status, response.content
    expected = 1 if status == 201 else 0
    assert BundleApplication.objects.count() == expected
    assert Application.objects.count() == 3 * expected


def test_my_applications_query_count(
    client, world, licenses, citizen, django_assert_max_num_queries
):
    for _ in range(3):
        _filed(world, citizen)
    login(client, citizen)
    with django_assert_max_num_queries(8):
        listing = client.get(f"{BASE}/applications").json()
    assert len(listing) == 3
    assert all(len(b["components"]) == 3 for b in listing)
