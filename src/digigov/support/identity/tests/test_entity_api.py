"""/api/v1/identity entity binding and 授权代理 endpoints, from the enterprise's session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.support.identity.models import EntityBinding

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    return factories.verified_account(kind="enterprise", name="陈老板", username="boss")


@pytest.fixture
def company(boss):
    return factories.entity(legal_rep=boss.person)


@pytest.fixture
def clerk(db):
    return factories.verified_account(kind="enterprise", name="刘会计", username="clerk1")


def _agent_body(company, clerk, days=30):
    return {
        "uscc": company.uscc,
        "agent_id_number": clerk.person.id_number,
        "agent_name": "刘会计",
        "scopes": ["apply"],
        "expires_at": (timezone.now() + dt.timedelta(days=days)).isoformat(),
    }


def test_legal_rep_binds_authorises_and_revokes_an_agent(client, boss, company, clerk):
    client.force_login(boss)
    bound = client.post(
        "/api/v1/identity/entity-bindings", {"uscc": company.uscc}, content_type="application/json"
    )
    assert bound.status_code == 201, bound.content
    assert bound.json()["role"] == "legal_rep"

    granted = client.post(
        "/api/v1/identity/entity-agents",
        _agent_body(company, clerk),
        content_type="application/json",
    )
    assert granted.status_code == 201, granted.content
    agent = EntityBinding.objects.get(account=clerk)

    client.force_login(clerk)
    listed = client.get("/api/v1/identity/entity-bindings").json()
    assert [b["uscc"] for b in listed] == [company.uscc]

    client.force_login(boss)
    revoked = client.delete(f"/api/v1/identity/entity-agents/{agent.pk}")
    assert revoked.status_code == 204
    agent.refresh_from_db()
    assert agent.revoked_at is not None


def test_someone_not_the_legal_rep_is_refused_and_nothing_changes(client, company, clerk):
    client.force_login(clerk)
    response = client.post(
        "/api/v1/identity/entity-bindings", {"uscc": company.uscc}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_legal_rep"
    assert not EntityBinding.objects.exists()
    assert AuditEntry.objects.filter(action="identity.entity.bind", outcome="denied").exists()

    response = client.post(
        "/api/v1/identity/entity-agents",
        _agent_body(company, clerk),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not EntityBinding.objects.exists()


def test_anonymous_gets_401(client, company):
    response = client.post(
        "/api/v1/identity/entity-bindings", {"uscc": company.uscc}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_citizen_account_cannot_bind(client, citizen, company):
    client.force_login(citizen)
    response = client.post(
        "/api/v1/identity/entity-bindings", {"uscc": company.uscc}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not EntityBinding.objects.exists()
