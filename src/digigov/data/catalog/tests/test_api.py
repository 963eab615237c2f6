"""/api/v1/catalog: who may call each endpoint (anonymous, a bad key, a machine without the
scope, staff without the permission or of another department, the right caller), that
denied calls change nothing, and the round trip register -> submit -> review -> upload."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.principals import Principal

from ..models import DataResource, DatasetRow
from . import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/catalog"
OPERATOR = Principal(kind="operator", id="test")


def _key(org_code: str, *scopes: str) -> dict:
    client = machine_client_create(
        actor=OPERATOR,
        name=f"{org_code} {' '.join(scopes)}",
        scopes=list(scopes),
        organization_id=f.org(org_code).pk,
    )
    return {"HTTP_X_API_KEY": api_key_issue(actor=OPERATOR, client_id=client.pk).key}


def _staff(username: str, org_code: str, *codenames: str) -> Client:
    account = get_user_model().objects.create_user(
        username=username,
        password="Unused@2025",
        kind="staff",
        organization_id=f.org(org_code).pk,
    )
    if codenames:
        group = Group.objects.create(name=f"组-{username}")
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)
        )
        account.groups.add(group)
    client = Client()
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.create(user=account, name="测试", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _body(code="GZ-API-1", **overrides) -> dict:
    return {**f.values(code), "fields": f.fields(), **overrides}


ROWS = [{"shop_id": "A1", "shop_name": "甲", "staff_count": "3"}]


def _call(client: Client, headers: dict, action: str, code: str):
    if action == "register":
        return client.post(
            f"{BASE}/resources",
            _body(organization="440100-scjg"),
            content_type="application/json",
            **headers,
        )
    if action == "update":
        return client.put(
            f"{BASE}/resources/{code}",
            _body(code, name="改名"),
            content_type="application/json",
            **headers,
        )
    if action == "submit":
        return client.post(f"{BASE}/resources/{code}/submit", **headers)
    if action == "rows":
        return client.post(
            f"{BASE}/resources/{code}/rows",
            {"rows": ROWS},
            content_type="application/json",
            **headers,
        )
    if action == "system":
        return client.post(
            f"{BASE}/systems",
            {"code": "GZ-NEW-SYS", "name": "新系统", "organization": "440100-scjg"},
            content_type="application/json",
            **headers,
        )
    raise AssertionError(action)


CALLERS = ["anonymous", "bad-key", "machine-read-only", "other-department", "no-permission"]
STATUS = {
    "anonymous": 401,
    "bad-key": 401,
    "machine-read-only": 403,
    "other-department": 403,
    "no-permission": 403,
}


def _caller(name: str) -> tuple[Client, dict]:
    if name == "anonymous":
        return Client(), {}
    if name == "bad-key":
        return Client(), {"HTTP_X_API_KEY": "dg_00000000_not-a-real-key"}
    if name == "machine-read-only":
        return Client(), _key("440100-scjg", "catalog:read")
    if name == "other-department":
        return _staff("mzt", "440100-mzt", "register_resource"), {}
    return _staff("plain", "440100-scjg"), {}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("action", ["register", "update", "submit", "rows", "system"])
def test_writes_are_refused_and_change_nothing(orgs, caller, action):
    resource = f.draft()
    client, headers = _caller(caller)
    before, head = f.snapshot(), f.audit_head()
    response = _call(client, headers, action, resource.code)
    assert response.status_code == STATUS[caller], response.content
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert f.snapshot() == before
    outcomes = {o for _, o, _ in f.audit_since(head)}
    assert outcomes <= {"denied"}
    if caller != "anonymous":
        assert outcomes == {"denied"}  # every refused attempt is on record


@pytest.mark.parametrize("action", ["register", "update", "submit", "rows", "system"])
def test_writes_by_the_department(orgs, action):
    resource = f.draft()
    client = _staff("admin", "440100-scjg", "register_resource")
    response = _call(client, {}, action, resource.code)
    assert response.status_code in (200, 201), response.content
    machine = _call(Client(), _key("440100-scjg", "catalog:write"), action, "GZ-TEST-SHOPS")
    # the machine repeats the call: register and system clash on the code now, submit on state
    assert machine.status_code in (200, 201, 409, 422)


def test_round_trip_with_a_machine_client_and_a_reviewer_session(orgs):
    system = _key("440100-scjg", "catalog:write")
    created = Client().post(f"{BASE}/resources", _body(), content_type="application/json", **system)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["organization_code"] == "440100-scjg"
    assert [x["name"] for x in body["fields"]][:2] == ["shop_id", "shop_name"]
    assert set(body["actions"]) >= {"edit", "submit", "upload"}
    upload = Client().post(
        f"{BASE}/resources/GZ-API-1/rows",
        {"rows": [*ROWS, {"shop_id": "A2", "staff_count": "x"}], "mode": "skip_rejected"},
        content_type="application/json",
        **system,
    )
    assert upload.status_code == 200
    assert upload.json()["accepted"] == 1 and upload.json()["rejected"] == [
        {"row_number": 2, "field": "staff_count", "message": "应为整数"}
    ]
    assert Client().post(f"{BASE}/resources/GZ-API-1/submit", **system).status_code == 200
    # machines never review; a city data bureau reviewer does
    refused = Client().post(
        f"{BASE}/resources/GZ-API-1/review",
        {"approve": True},
        content_type="application/json",
        **_key("440100-zsj", "catalog:write"),
    )
    assert refused.status_code == 403
    reviewer = _staff("bureau", "440100-zsj", "review_resource")
    queue = reviewer.get(f"{BASE}/resources", {"status": "submitted"}).json()
    assert [r["code"] for r in queue["items"]] == ["GZ-API-1"]
    sent_back = reviewer.post(
        f"{BASE}/resources/GZ-API-1/review", {"approve": False}, content_type="application/json"
    )
    assert sent_back.status_code == 422 and "note" in sent_back.json()["error"]["fields"]
    ok = reviewer.post(
        f"{BASE}/resources/GZ-API-1/review",
        {"approve": True, "note": "同意发布"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "published"
    # every civil servant now finds it by a field's label; a machine with catalog:read too
    other = _staff("reader", "440300-gat")
    found = other.get(f"{BASE}/resources", {"q": "从业人数"}).json()
    assert [r["code"] for r in found["items"]] == ["GZ-API-1"]
    reader = _key("440300-gat", "catalog:read")
    assert Client().get(f"{BASE}/resources/GZ-API-1", **reader).json()["row_count"] == 1


def test_reads(orgs):
    f.published(code="PUB-1")
    f.draft(code="DRAFT-1")
    f.draft("440100-mzt", code="MZT-DRAFT")
    assert Client().get(f"{BASE}/resources").status_code == 401
    no_scope = Client().get(f"{BASE}/resources", **_key("440100-scjg", "registry:read"))
    assert no_scope.status_code == 403
    own = _staff("own", "440100-scjg")
    assert {r["code"] for r in own.get(f"{BASE}/resources").json()["items"]} == {
        "PUB-1",
        "DRAFT-1",
    }
    other = _staff("other", "440300-scjg")
    assert [r["code"] for r in other.get(f"{BASE}/resources").json()["items"]] == ["PUB-1"]
    assert other.get(f"{BASE}/resources/DRAFT-1").status_code == 404
    bureau = _staff("bureau", "440100-zsj", "review_resource")
    assert bureau.get(f"{BASE}/resources").json()["total"] == 3
    filtered = own.get(
        f"{BASE}/resources",
        {"grade": "general", "share_condition": "conditional", "status": "published"},
    ).json()
    assert [r["code"] for r in filtered["items"]] == ["PUB-1"]
    assert own.get(f"{BASE}/resources", {"grade": "bogus"}).json()["total"] == 0
    assert own.get(f"{BASE}/resources", {"organization": "440100-mzt"}).json()["total"] == 0
    paged = own.get(f"{BASE}/resources", {"page_size": 1, "page": 2}).json()
    assert paged["total"] == 2 and [r["code"] for r in paged["items"]] == ["PUB-1"]


def test_file_upload_multipart_and_all_or_nothing_error_shape(orgs):
    resource = f.draft()
    client = _staff("admin", "440100-scjg", "register_resource")
    file = io.BytesIO("店铺编号,从业人数\nF1,5\nF2,五\n".encode("gb18030"))
    file.name = "shops.csv"
    refused = client.post(f"{BASE}/resources/{resource.code}/rows", {"file": file})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "upload_rejected" and error["fields"] == {
        "rows[2].staff_count": ["应为整数"]
    }
    assert not DatasetRow.objects.exists()
    file = io.BytesIO(json.dumps([{"shop_id": "F1"}, {"shop_id": "F2"}]).encode())
    file.name = "shops.json"
    loaded = client.post(f"{BASE}/resources/{resource.code}/rows", {"file": file})
    assert loaded.status_code == 200 and loaded.json()["accepted"] == 2
    assert DataResource.objects.get(pk=resource.pk).row_count == 2
    bad_json = client.post(
        f"{BASE}/resources/{resource.code}/rows", "{not json", content_type="application/json"
    )
    assert bad_json.status_code == 422


def test_systems_list(orgs):
    client = _staff("admin", "440100-scjg", "register_resource")
    made = client.post(
        f"{BASE}/systems",
        {"code": "GZ-SYS-A", "name": "登记系统", "description": "商事登记"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["organization_code"] == "440100-scjg"
    f.published(source_system="GZ-SYS-A")
    rows = _staff("reader", "440300-gat").get(f"{BASE}/systems").json()
    assert rows == [
        {
            "code": "GZ-SYS-A",
            "name": "登记系统",
            "organization_code": "440100-scjg",
            "organization_name": "广州市市场监督管理局",
            "description": "商事登记",
            "is_active": True,
            "published_resources": 1,
        }
    ]
    assert Client().get(f"{BASE}/systems").status_code == 401


def test_list_queries_do_not_grow_with_rows(orgs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.published(code="Q-1")
    reader = _key("440300-gat", "catalog:read")
    Client().get(f"{BASE}/resources", **reader)
    with CaptureQueriesContext(connection) as few:
        Client().get(f"{BASE}/resources", **reader)
    for number in range(2, 8):
        f.published(code=f"Q-{number}")
    with CaptureQueriesContext(connection) as many:
        assert Client().get(f"{BASE}/resources", **reader).json()["total"] == 7
    assert len(many) == len(few)
