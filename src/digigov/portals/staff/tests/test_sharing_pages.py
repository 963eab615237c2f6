"""粤政易 · 共享交换: the needs list with indicator 11, a new request, the owner's inbox with
per-field decisions, the access page (grants both ways, revoke, who read our data); the
staff-session API; who gets in, and that refused actions change nothing."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from digigov.data.sharing.models import ExchangeLogEntry, Grant, SharingRequest
from digigov.data.sharing.services.exchange import exchange_caches_clear, exchange_record_get
from digigov.data.sharing.services.requests import sharing_request_submit
from digigov.data.sharing.tests.factories import period, requester, world_make
from digigov.kernel.api.models import MachineClient
from digigov.kernel.api.services import machine_principal
from digigov.support.identity import testing as identity_testing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    exchange_caches_clear()
    cache.clear()
    yield
    exchange_caches_clear()


@pytest.fixture
def world(db):
    return world_make()


def _staff(username, organization_code, *roles):
    return identity_testing.staff_make(
        username, organization_code=organization_code, roles=list(roles)
    )


@pytest.fixture
def mzt_requester(world):
    return _staff("gz_mzt_req", "440100-mzt", "数据共享申请人员")


@pytest.fixture
def gat_approver(world):
    return _staff("gd_gat_appr", "440000-gat", "数据共享审批人员")


def _pending(world):
    return sharing_request_submit(
        principal=requester(world), resource_code=world.person.code,
        fields=["id_number", "name", "phone"], purpose="高龄津贴核对", legal_basis="条例",
        scope="养老服务处", period_end=period(),
    )  # fmt: skip


def test_anonymous_and_citizens_are_kept_out(client, world):
    assert client.get("/staff/sharing/needs/").status_code == 302
    citizen = identity_testing.citizen_make("someone", world.people[3])
    identity_testing.login(client, citizen)
    response = client.get("/staff/sharing/needs/")
    assert response.status_code in (302, 403)


def test_staff_without_sharing_roles_are_refused(client, world):
    clerk = _staff("window_clerk", "440100-mzt", "窗口受理人员")
    identity_testing.login(client, clerk)
    for url in [
        "/staff/sharing/needs/",
        "/staff/sharing/inbox/",
        "/staff/sharing/new/",
        "/staff/sharing/access/",
    ]:
        assert client.get(url).status_code == 403, url


def test_needs_list_shows_requests_and_the_indicator(client, world, mzt_requester):
    _pending(world)
    sharing_request_submit(
        principal=requester(world), resource_code=world.entity.code, fields=["uscc"],
        purpose="主体核对", legal_basis="办法", scope="本局", period_end=period(),
    )  # fmt: skip
    identity_testing.login(client, mzt_requester)
    response = client.get("/staff/sharing/needs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "待审批" in page and "已同意" in page and "100.0%" in page
    filtered = client.get("/staff/sharing/needs/", {"state": "pending"}).content.decode()
    assert "共 1 件" in filtered


def test_requester_files_a_request_through_the_form(client, world, mzt_requester):
    identity_testing.login(client, mzt_requester)
    form = client.get("/staff/sharing/new/", {"resource": world.person.code})
    assert form.status_code == 200 and "公民身份号码" in form.content.decode()
    bad = client.post("/staff/sharing/new/", {"resource": world.person.code, "purpose": "x"})
    assert bad.status_code == 422 and not SharingRequest.objects.exists()
    response = client.post(
        "/staff/sharing/new/",
        {
            "resource": world.person.code,
            "fields": ["name", "id_number"],
            "purpose": "低保核对",
            "legal_basis": "《社会救助暂行办法》",
            "scope": "社会救助处",
            "period_end": period().isoformat(),
        },
    )
    assert response.status_code == 302
    request = SharingRequest.objects.get()
    assert request.state == "pending" and request.requested_by_label == mzt_requester.real_name


def test_owner_decides_per_field_in_the_inbox(client, world, gat_approver):
    request = _pending(world)
    identity_testing.login(client, gat_approver)
    inbox = client.get("/staff/sharing/inbox/")
    assert inbox.status_code == 200 and f"#{request.pk}" in inbox.content.decode()
    # a field refused without a reason: nothing changes
    client.post(f"/staff/sharing/requests/{request.pk}/decide/", {"approved": ["name"]})
    request.refresh_from_db()
    assert request.state == "pending" and not Grant.objects.exists()
    response = client.post(
        f"/staff/sharing/requests/{request.pk}/decide/",
        {"approved": ["id_number", "name"], "unmasked": ["name"], "refusal_reason": "电话不必要"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "partial" and request.grant.unmasked_fields == ["name"]


def test_another_departments_approver_cannot_decide(client, world):
    request = _pending(world)
    other = _staff("sz_appr", "440100-scjg", "数据共享审批人员")
    identity_testing.login(client, other)
    assert f"#{request.pk}" not in client.get("/staff/sharing/inbox/").content.decode()
    response = client.post(f"/staff/sharing/requests/{request.pk}/decide/", {"approved": ["name"]})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.state == "pending" and not Grant.objects.exists()


def test_access_page_lists_grants_and_calls_and_revokes(client, world, gat_approver):
    from digigov.data.sharing.services.requests import sharing_request_decide
    from digigov.data.sharing.tests.factories import approver, client_make

    request = _pending(world)
    sharing_request_decide(principal=approver(world.gat), request_id=request.pk,
                           approved_fields=["name"], refusal_reason="只给姓名")  # fmt: skip
    client_id, _ = client_make(world.mzt)
    machine = machine_principal(MachineClient.objects.get(pk=client_id))
    exchange_record_get(
        principal=machine, resource_code=world.person.code, key=world.people[0], purpose="津贴核对"
    )
    identity_testing.login(client, gat_approver)
    page = client.get("/staff/sharing/access/").content.decode()
    assert "津贴核对" in page and world.mzt.name in page and "共 1 次调用" in page
    grant = Grant.objects.get()
    assert (
        client.post(f"/staff/sharing/grants/{grant.pk}/revoke/", {"reason": ""}).status_code == 302
    )
    grant.refresh_from_db()
    assert grant.status == "active"
    client.post(f"/staff/sharing/grants/{grant.pk}/revoke/", {"reason": "项目结束"})
    grant.refresh_from_db()
    assert grant.status == "revoked"
    assert ExchangeLogEntry.objects.count() == 1


def test_requester_cannot_revoke_its_own_grant(client, world, mzt_requester):
    grant = sharing_request_submit(
        principal=requester(world), resource_code=world.entity.code, fields=["uscc"],
        purpose="p", legal_basis="b", scope="s", period_end=period(),
    ).grant  # fmt: skip
    identity_testing.login(client, mzt_requester)
    page = client.get("/staff/sharing/access/").content.decode()
    assert world.entity.name in page  # held
    assert (
        client.post(f"/staff/sharing/grants/{grant.pk}/revoke/", {"reason": "x"}).status_code == 403
    )
    grant.refresh_from_db()
    assert grant.status == "active"


def test_staff_session_api_decision(client, world, gat_approver, mzt_requester):
    request = _pending(world)
    url = f"/api/v1/sharing/requests/{request.pk}/decision"
    body = {"approved_fields": ["id_number", "name", "phone"], "may_export": True}
    identity_testing.login(client, mzt_requester)
    assert client.post(url, body, content_type="application/json").status_code == 403
    request.refresh_from_db()
    assert request.state == "pending"
    client.logout()
    identity_testing.login(client, gat_approver)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved" and response.json()["may_export"] is True
    assert client.get("/api/v1/sharing/inbox").json()["total"] == 0
