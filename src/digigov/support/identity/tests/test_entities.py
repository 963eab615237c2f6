"""Enterprise accounts: binding an entity as its legal representative, and 授权代理."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.support.identity import selectors, services
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


def _in(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_legal_representative_binds_the_entity(boss, company):
    binding = services.entity_bind(principal=boss.as_principal(), uscc=company.uscc)
    assert binding.role == "legal_rep"
    [view] = selectors.entity_bindings_for(principal=boss.as_principal())
    assert (view.uscc, view.entity_name, view.role_label) == (
        company.uscc,
        company.name,
        "法定代表人",
    )
    assert view.is_active and view.expires_at is None
    # binding again returns the same binding
    assert services.entity_bind(principal=boss.as_principal(), uscc=company.uscc).pk == binding.pk
    assert Event.objects.filter(topic="identity.entity.bound").count() == 1


def test_someone_else_cannot_bind_it(company, clerk):
    with pytest.raises(PermissionDenied) as caught:
        services.entity_bind(principal=clerk.as_principal(), uscc=company.uscc)
    assert caught.value.code == "not_legal_rep"
    assert not EntityBinding.objects.exists()
    assert AuditEntry.objects.filter(action="identity.entity.bind", outcome="denied").exists()


def test_binding_needs_an_operating_entity_and_a_valid_uscc(boss):
    closed = factories.entity(legal_rep=boss.person, status="注销")
    with pytest.raises(ValidationFailed):
        services.entity_bind(principal=boss.as_principal(), uscc=closed.uscc)
    with pytest.raises(ValidationFailed) as caught:
        services.entity_bind(principal=boss.as_principal(), uscc="91440106MA5CXXXXX1")
    assert "uscc" in caught.value.fields
    with pytest.raises(NotFound):
        services.entity_bind(principal=boss.as_principal(), uscc=factories.uscc_code())
    assert not EntityBinding.objects.exists()


def test_citizen_accounts_cannot_bind(citizen, company):
    with pytest.raises(PermissionDenied):
        services.entity_bind(principal=citizen.as_principal(), uscc=company.uscc)


def test_legal_rep_authorises_and_revokes_an_agent(boss, company, clerk):
    services.entity_bind(principal=boss.as_principal(), uscc=company.uscc)
    binding = services.entity_agent_authorise(
        principal=boss.as_principal(),
        uscc=company.uscc,
        agent_id_number=clerk.id_number,
        agent_name="刘会计",
        scopes=["apply"],
        expires_at=_in(90),
    )
    assert (binding.account, binding.role, binding.granted_by) == (clerk, "agent", boss)
    [view] = selectors.entity_bindings_for(principal=clerk.as_principal())
    assert view.role_label == "授权代理人" and view.is_active and view.expires_at is not None
    [agent] = selectors.entity_agents_for(principal=boss.as_principal(), uscc=company.uscc)
    assert agent["agent_name_masked"] == "刘**"
    with pytest.raises(Conflict):
        services.entity_agent_authorise(
            principal=boss.as_principal(),
            uscc=company.uscc,
            agent_id_number=clerk.id_number,
            agent_name="刘会计",
            scopes=["query"],
            expires_at=_in(90),
        )
    # the agent cannot revoke itself, the legal representative can
    with pytest.raises(NotFound):
        services.entity_agent_revoke(principal=clerk.as_principal(), binding_id=binding.pk)
    services.entity_agent_revoke(principal=boss.as_principal(), binding_id=binding.pk)
    [view] = selectors.entity_bindings_for(principal=clerk.as_principal())
    assert not view.is_active
    assert Event.objects.filter(topic="identity.entity.agent_revoked").count() == 1


def test_only_a_bound_legal_rep_can_authorise(boss, company, clerk):
    with pytest.raises(PermissionDenied):  # boss has not bound the entity yet
        services.entity_agent_authorise(
            principal=boss.as_principal(),
            uscc=company.uscc,
            agent_id_number=clerk.id_number,
            agent_name="刘会计",
            scopes=["apply"],
            expires_at=_in(90),
        )
    services.entity_bind(principal=boss.as_principal(), uscc=company.uscc)
    with pytest.raises(PermissionDenied):  # the clerk is no legal representative
        services.entity_agent_authorise(
            principal=clerk.as_principal(),
            uscc=company.uscc,
            agent_id_number=boss.id_number,
            agent_name="陈老板",
            scopes=["apply"],
            expires_at=_in(90),
        )
    assert EntityBinding.objects.filter(role="agent").count() == 0


def test_agent_must_be_a_real_name_enterprise_account(boss, company, citizen):
    services.entity_bind(principal=boss.as_principal(), uscc=company.uscc)
    with pytest.raises(ValidationFailed) as caught:
        services.entity_agent_authorise(
            principal=boss.as_principal(),
            uscc=company.uscc,
            agent_id_number=citizen.id_number,  # a citizen account, not an enterprise one
            agent_name="张三",
            scopes=["apply"],
            expires_at=_in(90),
        )
    assert caught.value.code == "agent_not_found"
    assert EntityBinding.objects.filter(role="agent").count() == 0
