"""/api/v1/sharing for machine clients and anonymous callers (staff sessions: the staff
portal's tests): who may file, see, withdraw and decide; denied calls change nothing."""

from __future__ import annotations

from ..models import Grant, SharingRequest
from ..services.requests import sharing_request_submit
from .factories import client_make, period, requester_of_scjg

BASE = "/api/v1/sharing"


def _body(world, resource=None, fields=("name",)):
    return {
        "resource_code": (resource or world.person).code,
        "fields": list(fields),
        "purpose": "低保资格核对",
        "legal_basis": "《社会救助暂行办法》",
        "scope": "本局社会救助处",
        "period_end": period().isoformat(),
    }


def _post(client, path, body, key=None):
    extra = {"HTTP_X_API_KEY": key} if key else {}
    return client.post(f"{BASE}{path}", body, content_type="application/json", **extra)


def test_anonymous_is_refused_and_nothing_is_stored(client, world):
    assert _post(client, "/requests", _body(world)).status_code == 401
    assert client.get(f"{BASE}/requests").status_code == 401
    assert client.get(f"{BASE}/indicator").status_code == 401
    assert not SharingRequest.objects.exists()


def test_client_without_scope_is_refused(client, world):
    _, key = client_make(world.mzt, "exchange:read")
    response = _post(client, "/requests", _body(world), key)
    assert response.status_code == 403 and response.json()["error"]["code"] == "scope_missing"
    assert not SharingRequest.objects.exists()


def test_department_client_files_sees_and_withdraws_its_own_requests(client, world):
    _, key = client_make(world.mzt, "sharing:request")
    response = _post(client, "/requests", _body(world), key)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "pending" and created["requester_name"] == world.mzt.name
    other = sharing_request_submit(principal=requester_of_scjg(world), **{
        **_body(world, world.entity), "period_end": period()})  # fmt: skip
    listed = client.get(f"{BASE}/requests", HTTP_X_API_KEY=key).json()
    assert [r["id"] for r in listed["rows"]] == [created["id"]]
    assert client.get(f"{BASE}/requests/{other.pk}", HTTP_X_API_KEY=key).status_code == 404
    # a machine cannot decide, even on its own department's request
    decision = _post(
        client, f"/requests/{created['id']}/decision", {"approved_fields": ["name"]}, key
    )
    assert decision.status_code == 403
    assert SharingRequest.objects.get(pk=created["id"]).state == "pending"
    assert not Grant.objects.filter(request_id=created["id"]).exists()
    withdrawn = _post(client, f"/requests/{created['id']}/withdraw", {}, key)
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


def test_bad_request_body_is_422_in_the_standard_shape(client, world):
    _, key = client_make(world.mzt, "sharing:request")
    response = _post(client, "/requests", {**_body(world), "fields": ["nope"]}, key)
    assert response.status_code == 422
    assert "fields" in response.json()["error"]["fields"]
    assert not SharingRequest.objects.exists()


def test_indicator_for_needs_readers(client, world):
    _, key = client_make(world.mzt, "sharing:request")
    _post(client, "/requests", _body(world, world.entity, ["uscc"]), key)
    body = client.get(f"{BASE}/indicator", {"region": "440100"}, HTTP_X_API_KEY=key).json()
    assert body["should_share"] == 1 and body["rate"] == 100.0
