"""亲友代办: a citizen authorises a relative with scopes and an expiry, and revokes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.support.identity import selectors, services
from digigov.support.identity.models import Delegation

from . import factories

pytestmark = pytest.mark.django_db


def _in(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


@pytest.fixture
def relative(db):
    return factories.verified_account(name="张小明", username="xiaoming")


def test_grant_then_both_sides_see_it_masked(citizen, relative):
    delegation = services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["query", "apply"],
        expires_at=_in(30),
    )
    assert delegation.scopes == ["apply", "query"]
    [granted] = selectors.delegations_for(principal=citizen.as_principal())
    assert granted.direction == "granted"
    assert granted.other_name_masked == "张**"
    assert granted.other_id_masked != relative.id_number and granted.other_id_masked.endswith(
        relative.id_number[-4:]
    )
    assert granted.scope_labels == ["代为申办", "代为查询"]
    assert granted.is_active
    [received] = selectors.delegations_for(principal=relative.as_principal())
    assert received.direction == "received"
    assert received.other_name_masked == "张*"
    assert selectors.delegation_allows(
        principal=relative.as_principal(), grantor_id_number=citizen.id_number, scope="apply"
    )
    assert not selectors.delegation_allows(
        principal=relative.as_principal(), grantor_id_number=citizen.id_number, scope="license"
    )
    assert AuditEntry.objects.filter(action="identity.delegation.grant", outcome="success").exists()
    event = Event.objects.get(topic="identity.delegation.granted")
    assert event.payload["delegation_id"] == delegation.pk


def test_revoke_stops_it_at_once(citizen, relative):
    delegation = services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["apply"],
        expires_at=_in(30),
    )
    services.delegation_revoke(principal=citizen.as_principal(), delegation_id=delegation.pk)
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None and delegation.revoked_by == citizen
    assert not delegation.is_active
    assert not selectors.delegation_allows(
        principal=relative.as_principal(), grantor_id_number=citizen.id_number, scope="apply"
    )
    assert Event.objects.filter(topic="identity.delegation.revoked").count() == 1
    # revoking twice is harmless; a new grant to the same person is possible again
    services.delegation_revoke(principal=citizen.as_principal(), delegation_id=delegation.pk)
    services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["apply"],
        expires_at=_in(30),
    )


def test_only_the_grantor_can_revoke(citizen, relative):
    delegation = services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["apply"],
        expires_at=_in(30),
    )
    with pytest.raises(NotFound):
        services.delegation_revoke(principal=relative.as_principal(), delegation_id=delegation.pk)
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    assert AuditEntry.objects.filter(action="identity.delegation.revoke", outcome="denied").exists()


def test_expired_delegation_is_inactive(citizen, relative):
    delegation = services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["apply"],
        expires_at=_in(1),
    )
    Delegation.objects.filter(pk=delegation.pk).update(expires_at=timezone.now())
    [view] = selectors.delegations_for(principal=citizen.as_principal())
    assert not view.is_active
    assert not selectors.delegation_allows(
        principal=relative.as_principal(), grantor_id_number=citizen.id_number, scope="apply"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scopes": []}, "scopes"),
        ({"scopes": ["drive"]}, "scopes"),
        ({"expires_at": "past"}, "expires_at"),
        ({"expires_at": "too_far"}, "expires_at"),
        ({"agent_name": "王五"}, "agent_id_number"),
        ({"agent_id_number": "440106199001010000"}, "agent_id_number"),
    ],
)
def test_bad_grants_are_refused_and_nothing_is_written(citizen, relative, change, field):
    args = {
        "agent_id_number": relative.id_number,
        "agent_name": "张小明",
        "scopes": ["apply"],
        "expires_at": _in(30),
        **change,
    }
    if args["expires_at"] == "past":
        args["expires_at"] = _in(-1)
    elif args["expires_at"] == "too_far":
        args["expires_at"] = _in(400)
    with pytest.raises(ValidationFailed) as caught:
        services.delegation_grant(principal=citizen.as_principal(), **args)
    assert field in caught.value.fields
    assert not Delegation.objects.exists()


def test_cannot_delegate_to_oneself_or_twice(citizen, relative):
    with pytest.raises(ValidationFailed):
        services.delegation_grant(
            principal=citizen.as_principal(),
            agent_id_number=citizen.id_number,
            agent_name="张三",
            scopes=["apply"],
            expires_at=_in(30),
        )
    services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["apply"],
        expires_at=_in(30),
    )
    with pytest.raises(Conflict):
        services.delegation_grant(
            principal=citizen.as_principal(),
            agent_id_number=relative.id_number,
            agent_name="张小明",
            scopes=["query"],
            expires_at=_in(30),
        )
    assert Delegation.objects.count() == 1


def test_an_l1_citizen_or_staff_cannot_delegate(relative, staff_member):
    newcomer = factories.account()
    for principal in (newcomer.as_principal(), staff_member.as_principal()):
        with pytest.raises(PermissionDenied):
            services.delegation_grant(
                principal=principal,
                agent_id_number=relative.id_number,
                agent_name="张小明",
                scopes=["apply"],
                expires_at=_in(30),
            )
    assert not Delegation.objects.exists()
