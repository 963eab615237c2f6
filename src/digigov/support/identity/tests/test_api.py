"""/api/v1/identity: every endpoint for anonymous, citizen, staff without and with a
permission (and an enterprise agent where it matters); denied calls change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.support.identity import services
from digigov.support.identity.models import Account, Delegation

from . import factories
from .conftest import otp_session_login

pytestmark = pytest.mark.django_db
BASE = "/api/v1/identity"


@pytest.fixture
def relative(db):
    return factories.verified_account(name="张小明", username="xiaoming")


@pytest.fixture
def admin_staff(db):
    return factories.staff(roles=["系统管理员"], username="sysadmin")


def _as(client, who, request):
    """Log the client in as one of the matrix's callers."""
    if who == "anonymous":
        return None
    account = request.getfixturevalue(
        {"citizen": "citizen", "staff_without": "staff_plain", "staff_with": "admin_staff"}[who]
    )
    if account.kind == "staff":
        otp_session_login(client, account)
    else:
        client.force_login(account)
    return account


def _error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 200), ("staff_without", 200), ("staff_with", 200)],
)
def test_me(client, request, who, status):
    account = _as(client, who, request)
    response = client.get(f"{BASE}/me")
    if status != 200:
        return _error(response, status, "unauthenticated")
    body = response.json()
    assert body["account_id"] == account.pk
    assert body["username"] == account.username
    if account.kind == "citizen":
        assert body["real_name_level"] == 2
        assert body["id_number_masked"] != account.id_number
        assert body["phone_masked"] == "138****5678"
    else:
        assert body["organization_name"] == "广东省政务服务数据管理局"
        assert body["is_otp_verified"] is True


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 200), ("staff_without", 403), ("staff_with", 403)],
)
def test_list_delegations(client, request, who, status, relative):
    _as(client, who, request)
    response = client.get(f"{BASE}/delegations")
    if status != 200:
        return _error(response, status)
    assert response.json() == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 201), ("staff_without", 403), ("staff_with", 403)],
)
def test_grant_delegation(client, request, who, status, relative):
    _as(client, who, request)
    expires = (timezone.now() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        f"{BASE}/delegations",
        {
            "agent_id_number": relative.id_number,
            "agent_name": "张小明",
            "scopes": ["apply", "query"],
            "expires_at": expires,
        },
        content_type="application/json",
    )
    if status != 201:
        _error(response, status)
        assert not Delegation.objects.exists()
        return
    assert response.status_code == 201
    body = response.json()
    assert body["direction"] == "granted"
    assert body["scope_labels"] == ["代为申办", "代为查询"]
    assert body["other_id_masked"] != relative.id_number


def test_grant_delegation_validation_errors_have_fields(client, citizen, relative):
    client.force_login(citizen)
    response = client.post(
        f"{BASE}/delegations",
        {
            "agent_id_number": relative.id_number,
            "agent_name": "张小明",
            "scopes": ["drive"],
            "expires_at": (timezone.now() + dt.timedelta(days=30)).isoformat(),
        },
        content_type="application/json",
    )
    _error(response, 422, "validation_failed")
    assert "scopes" in response.json()["error"]["fields"]
    assert not Delegation.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 204), ("staff_without", 403), ("staff_with", 403)],
)
def test_revoke_delegation(client, request, who, status, citizen, relative):
    delegation = services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["apply"],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    _as(client, who, request)
    response = client.delete(f"{BASE}/delegations/{delegation.pk}")
    delegation.refresh_from_db()
    if status != 204:
        _error(response, status)
        assert delegation.revoked_at is None
        return
    assert response.status_code == 204
    assert delegation.revoked_at is not None


def test_another_citizen_cannot_revoke(client, citizen, relative):
    delegation = services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["apply"],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    client.force_login(relative)
    _error(client.delete(f"{BASE}/delegations/{delegation.pk}"), 404, "not_found")
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 403), ("staff_without", 403), ("staff_with", 403)],
)
def test_entity_bindings(client, request, who, status):
    _as(client, who, request)
    _error(client.get(f"{BASE}/entity-bindings"), status)


def test_entity_bindings_for_an_enterprise_agent(client):
    boss = factories.verified_account(kind="enterprise", name="陈老板")
    company = factories.entity(legal_rep=boss.person)
    services.entity_bind(principal=boss.as_principal(), uscc=company.uscc)
    client.force_login(boss)
    [binding] = client.get(f"{BASE}/entity-bindings").json()
    assert binding["uscc"] == company.uscc and binding["role_label"] == "法定代表人"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("citizen", 200), ("staff_without", 403), ("staff_with", 403)],
)
def test_realname(client, request, who, status):
    person = factories.person(name="周九")
    if who == "citizen":
        account = factories.account(username="zhoujiu")
        client.force_login(account)
    else:
        _as(client, who, request)
    response = client.post(
        f"{BASE}/realname",
        {"name": "周九", "id_number": person.id_number},
        content_type="application/json",
    )
    if status != 200:
        _error(response, status)
        assert not Account.objects.filter(person_id=person.id_number).exists()
        return
    assert response.json() == {"real_name_level": 2}


def test_realname_mismatch_is_a_422_with_fields(client):
    person = factories.person(name="周九")
    client.force_login(factories.account())
    response = client.post(
        f"{BASE}/realname",
        {"name": "周十", "id_number": person.id_number},
        content_type="application/json",
    )
    _error(response, 422, "realname_mismatch")


def test_a_bad_bearer_token_is_a_401_and_audited(client):
    response = client.get(f"{BASE}/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    _error(response, 401, "unauthenticated")
    assert AuditEntry.objects.filter(action="api.auth.fail", outcome="denied").exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/me"), ("get", "/delegations"), ("get", "/entity-bindings"), ("post", "/realname")],
)
def test_machine_clients_are_refused(client, method, path):
    from digigov.kernel.api.services import api_key_issue, machine_client_create

    actor = factories.system()
    machine = machine_client_create(actor=actor, name="某局业务系统", scopes=["registry:read"])
    key = api_key_issue(actor=actor, client_id=machine.pk).key
    kwargs = (
        {"content_type": "application/json", "data": {"name": "x", "id_number": "y"}}
        if method == "post"
        else {}
    )
    response = getattr(client, method)(f"{BASE}{path}", HTTP_X_API_KEY=key, **kwargs)
    _error(response, 403)
