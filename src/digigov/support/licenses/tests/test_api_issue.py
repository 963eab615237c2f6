"""The issuing API: POST /api/v1/licenses by a department's system or its 制证人员, reading
a license as its issuer, the status endpoints; who may, and that refusals change nothing."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from digigov.kernel.api import services as api_services
from digigov.kernel.crypto import services as crypto
from digigov.kernel.principals import Principal
from digigov.support.identity import testing as identity_testing

from ..models import License
from ..services.issuance import license_issue
from ..testing import SYSTEM, issuer, type_make, world_make

URL = "/api/v1/licenses"
OPERATOR = Principal(kind="operator", id="test")


@pytest.fixture
def world(db):
    world = world_make()
    type_make()
    return world


def _api_key(organization: str, scopes: list[str]) -> str:
    client = api_services.machine_client_create(
        actor=OPERATOR,
        name=f"{organization} {'/'.join(scopes)}",
        scopes=scopes,
        organization_id=issuer(organization).pk,
    )
    return api_services.api_key_issue(actor=OPERATOR, client_id=client.pk).key


def _body(world, **overrides):
    body = {
        "type_code": "TESTZ",
        "holder_kind": "person",
        "holder_key": world.people[0],
        "data": {"category": "乙", "issued_on": "2026-03-01"},
        "reference": "SYS-2026-0001",
    }
    body.update(overrides)
    return body


def _license(world) -> License:
    return license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=world.people[1],
        data={"category": "甲"},
    )


def test_the_departments_system_issues_a_signed_license(world, client):
    key = _api_key("440100-scjg", ["licenses:issue"])

    response = client.post(URL, _body(world), content_type="application/json", HTTP_X_API_KEY=key)

    assert response.status_code == 201, response.content
    body = response.json()
    license = License.objects.get(address=body["address"])
    assert body["address"].startswith("440100-scjg-TESTZ-")
    assert (body["status"], body["source"], body["source_reference"]) == (
        "valid",
        "api",
        "SYS-2026-0001",
    )
    assert body["document"]["data"] == {"category": "乙", "issued_on": "2026-03-01"}
    assert body["signed_payload"] == license.signed_payload
    assert crypto.verify(
        key_id=body["key_id"],
        data=body["signed_payload"].encode(),
        signature=base64.b64decode(body["signature"]),
    )
    assert (
        body["valid_until"]
        == (
            timezone.localdate().replace(year=timezone.localdate().year + 5) - dt.timedelta(days=1)
        ).isoformat()
    )


def test_a_licensing_clerk_issues_through_the_session(world, client):
    clerk = identity_testing.staff_make(
        "scjg_clerk", organization_code="440100-scjg", roles=["制证人员"]
    )
    identity_testing.login(client, clerk)
    response = client.post(URL, _body(world), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "staff"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "unauthenticated"),
        ("citizen", 403, "forbidden"),
        ("client_without_scope", 403, "scope_missing"),
        ("client_of_another_department", 422, "license_issuer_mismatch"),
        ("staff_without_role", 403, "forbidden"),
        ("staff_without_second_factor", 403, "forbidden"),
    ],
)
def test_who_may_not_issue(world, client, who, status, code):
    headers = {}
    if who == "citizen":
        identity_testing.login(client, identity_testing.citizen_make("citizen1", world.people[0]))
    elif who == "client_without_scope":
        headers["HTTP_X_API_KEY"] = _api_key("440100-scjg", ["licenses:manage"])
    elif who == "client_of_another_department":
        headers["HTTP_X_API_KEY"] = _api_key("440100-gat", ["licenses:issue"])
    elif who.startswith("staff"):
        roles = ["审批人员"] if who == "staff_without_role" else ["制证人员"]
        account = identity_testing.staff_make(
            "someone", organization_code="440100-scjg", roles=roles
        )
        identity_testing.login(client, account, verified=who != "staff_without_second_factor")

    response = client.post(URL, _body(world), content_type="application/json", **headers)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert License.objects.count() == 0


def test_bad_input_gives_field_errors_and_stores_nothing(world, client):
    key = _api_key("440100-scjg", ["licenses:issue"])
    cases = [
        (_body(world, data={"category": "丙"}), "license_data_invalid"),
        (_body(world, holder_key="110101199001011234"), None),  # not a valid ID number
        (_body(world, type_code="NOPE"), "license_type_unknown"),
        (_body(world, holder_kind="entity"), "license_holder_kind_invalid"),
        (_body(world, valid_from="2026-01-02", valid_until="2025-01-01"), None),
        ({"type_code": "TESTZ"}, "validation_failed"),
    ]
    for body, code in cases:
        response = client.post(URL, body, content_type="application/json", HTTP_X_API_KEY=key)
        assert response.status_code in (404, 422), (body, response.content)
        if code:
            assert response.json()["error"]["code"] == code
    assert License.objects.count() == 0


def test_reading_a_license_is_for_its_issuer(world, client):
    license = _license(world)
    own = _api_key("440100-scjg", ["licenses:issue"])
    other = _api_key("440100-gat", ["licenses:issue", "licenses:manage"])
    response = client.get(f"{URL}/{license.address}", HTTP_X_API_KEY=own)
    assert response.status_code == 200
    assert response.json()["holder_key"] == license.holder_key
    assert client.get(f"{URL}/{license.address}").status_code == 401
    assert client.get(f"{URL}/{license.address}", HTTP_X_API_KEY=other).status_code == 403
    identity_testing.login(client, identity_testing.citizen_make("holder", world.people[1]))
    assert client.get(f"{URL}/{license.address}").status_code == 403  # holders: the wallet
    missing = client.get(f"{URL}/440100-scjg-TESTZ-0", HTTP_X_API_KEY=own)
    assert missing.status_code == 404


def test_status_endpoints(world, client):
    license = _license(world)
    key = _api_key("440100-scjg", ["licenses:manage"])
    until = (timezone.localdate() + dt.timedelta(days=90)).isoformat()

    def post(action, body):
        return client.post(
            f"{URL}/{license.address}/{action}",
            body,
            content_type="application/json",
            HTTP_X_API_KEY=key,
        )

    response = post("suspend", {"until": until, "reason": "暂扣三个月"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["suspended_until"]) == ("suspended", until)
    assert post("suspend", {"until": until, "reason": "again"}).json()["error"]["code"] == (
        "license_already_suspended"
    )
    assert post("resume", {}).json()["status"] == "valid"
    assert post("resume", {}).status_code == 409
    past = post("suspend", {"until": "2020-01-01", "reason": "x"})
    assert past.status_code == 422
    assert past.json()["error"]["code"] == "license_suspend_until_past"

    replaced = post("replace", {"reason": "遗失补领"})
    assert replaced.status_code == 201
    new_address = replaced.json()["address"]
    assert replaced.json()["replaces"] == license.address
    assert License.objects.get(pk=license.pk).status == "replaced"

    license = License.objects.get(address=new_address)
    renewed = post("renew", {})
    assert renewed.status_code == 201
    license = License.objects.get(address=renewed.json()["address"])
    revoked = post("revoke", {"reason": "依法吊销"})
    assert (revoked.status_code, revoked.json()["status"]) == (200, "revoked")
    assert post("revoke", {"reason": "again"}).status_code == 409


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("issue_scope_only", 403), ("other_department", 403), ("citizen", 403)],
)
def test_who_may_not_change_status_through_the_api(world, client, who, status):
    license = _license(world)
    headers = {}
    if who == "issue_scope_only":
        headers["HTTP_X_API_KEY"] = _api_key("440100-scjg", ["licenses:issue"])
    elif who == "other_department":
        headers["HTTP_X_API_KEY"] = _api_key("440100-gat", ["licenses:manage"])
    elif who == "citizen":
        identity_testing.login(client, identity_testing.citizen_make("holder", world.people[1]))
    for action, body in (
        ("revoke", {"reason": "x"}),
        ("suspend", {"until": "2099-01-01", "reason": "x"}),
        ("replace", {"reason": "x"}),
        ("renew", {}),
    ):
        response = client.post(
            f"{URL}/{license.address}/{action}", body, content_type="application/json", **headers
        )
        assert response.status_code == status, (action, response.content)
    fresh = License.objects.get(pk=license.pk)
    assert (fresh.status, fresh.suspended_until) == ("valid", None)
    assert License.objects.count() == 1


def test_csrf_guards_sessions_but_not_api_keys(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    key = _api_key("440100-scjg", ["licenses:issue"])
    response = strict.post(URL, _body(world), content_type="application/json", HTTP_X_API_KEY=key)
    assert response.status_code == 201, response.content
    clerk = identity_testing.staff_make(
        "scjg_clerk", organization_code="440100-scjg", roles=["制证人员"]
    )
    identity_testing.login(strict, clerk)
    response = strict.post(
        URL, _body(world, holder_key=world.people[1]), content_type="application/json"
    )
    assert response.status_code == 403  # a session without the CSRF token
    assert License.objects.count() == 1
