"""供需对接: submitting by share condition, the owner's per-field decision, withdrawing,
revoking, expiry, and who may do each (denials change nothing and are audited)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import Principal

from ..models import Grant, SharingRequest
from ..selectors import grants_active_count
from ..selectors.grants import grant_state_for
from ..services.requests import (
    grant_revoke,
    grants_expire,
    sharing_request_decide,
    sharing_request_submit,
    sharing_request_withdraw,
)
from .factories import approver, audit_head, audit_since, period, requester, staff


def _submit(world, resource, fields, *, principal=None, days=200):
    return sharing_request_submit(
        principal=principal or requester(world),
        resource_code=resource.code,
        fields=fields,
        purpose="养老服务补贴资格核对",
        legal_basis="《广东省养老服务条例》第二十条",
        scope="广州市民政局养老服务处",
        period_end=period(days),
    )


def test_conditional_request_waits_for_the_owner(world):
    request = _submit(world, world.person, ["name", "id_number"])
    assert request.state == "pending" and request.decision_mode == ""
    assert request.fields == ["id_number", "name"]  # the catalog's order
    assert not Grant.objects.exists()
    assert Event.objects.filter(topic="sharing.request.submitted").count() == 1


def test_unconditional_request_is_granted_at_once(world):
    request = _submit(world, world.entity, ["uscc", "status"])
    assert request.state == "approved" and request.decision_mode == "auto"
    grant = request.grant
    assert grant.fields == ["uscc", "status"] and grant.unmasked_fields == []
    assert grant.valid_until == period(200) and grant.organization == world.mzt
    assert grants_active_count(resource_id=world.entity.pk) == 1


def test_not_shareable_request_is_refused_at_once_with_the_reason(world):
    request = _submit(world, world.secret, ["name"])
    assert request.state == "refused" and request.decision_mode == "auto"
    assert "不予共享" in request.refusal_reason and "涉及国家秘密" in request.refusal_reason
    assert not Grant.objects.exists()


def test_grant_is_capped_at_one_year(world):
    request = _submit(world, world.entity, ["uscc"], days=900)
    assert request.grant.valid_until == timezone.localdate() + dt.timedelta(days=365)


@pytest.mark.parametrize(
    ("fields", "code"),
    [([], "fields"), (["nope"], "fields"), (["name", "name"], "fields")],
)
def test_bad_fields_are_refused_and_nothing_is_stored(world, fields, code):
    with pytest.raises(ValidationFailed) as caught:
        _submit(world, world.person, fields)
    assert code in caught.value.fields
    assert not SharingRequest.objects.exists()


def test_bad_input_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        sharing_request_submit(
            principal=requester(world), resource_code=world.person.code, fields=["name"],
            purpose=" ", legal_basis="", scope="x", period_end=timezone.localdate(),
        )  # fmt: skip
    assert set(caught.value.fields) == {"purpose", "legal_basis", "period_end"}
    with pytest.raises(NotFound):
        _submit(world, type("R", (), {"code": "NO-SUCH"}), ["name"])
    world.dataset.status = "submitted"
    world.dataset.save()
    with pytest.raises(ValidationFailed) as caught:
        _submit(world, world.dataset, ["beds"])
    assert caught.value.code == "resource_not_published"
    with pytest.raises(ValidationFailed) as caught:
        _submit(world, world.person, ["name"], principal=requester_of(world.gat))
    assert caught.value.code == "own_resource"
    assert not SharingRequest.objects.exists()


def requester_of(organization):
    return staff(organization, "sharing.request_data", id="22")


def test_a_second_pending_request_for_the_same_resource_is_refused(world):
    _submit(world, world.person, ["name"])
    with pytest.raises(Conflict):
        _submit(world, world.person, ["id_number"])
    assert SharingRequest.objects.count() == 1


@pytest.mark.parametrize(
    "principal",
    [
        Principal(kind="citizen", id="5", person_id_number="x"),
        "staff_without_permission",
        "machine_without_scope",
    ],
)
def test_who_may_not_request(world, principal):
    if principal == "staff_without_permission":
        principal = staff(world.mzt, "sharing.approve_request")
    elif principal == "machine_without_scope":
        principal = Principal(
            kind="machine", id="9", organization_id=world.mzt.pk, scopes=frozenset({"x"})
        )
    head = audit_head()
    with pytest.raises(PermissionDenied):
        _submit(world, world.person, ["name"], principal=principal)
    assert not SharingRequest.objects.exists()
    assert audit_since(head) == [("sharing.request.submit", "denied")]


def test_machine_client_of_the_department_may_request(world):
    client = Principal(
        kind="machine", id="9", label="民政系统", organization_id=world.mzt.pk,
        scopes=frozenset({"sharing:request"}),
    )  # fmt: skip
    request = _submit(world, world.person, ["name"], principal=client)
    assert request.requester_organization == world.mzt and request.requested_by == "machine:9"


def test_owner_approves_some_fields_with_a_reason_and_unmasks_one(world):
    request = _submit(world, world.person, ["id_number", "name", "phone"])
    head = audit_head()
    decided = sharing_request_decide(
        principal=approver(world.gat),
        request_id=request.pk,
        approved_fields=["id_number", "name"],
        unmasked_fields=["name"],
        refusal_reason="联系电话不属于核对所需",
        may_export=True,
        valid_until=period(30),
    )
    assert decided.state == "partial" and decided.decision_mode == "owner"
    grant = decided.grant
    assert grant.fields == ["id_number", "name"] and grant.unmasked_fields == ["name"]
    assert grant.may_export and grant.valid_until == period(30)
    assert audit_since(head) == [("sharing.request.decide", "success")]
    state = grant_state_for(organization_id=world.mzt.pk, resource_id=world.person.pk)
    assert state.effective.fields == ["id_number", "name"]


def test_owner_refuses_every_field(world):
    request = _submit(world, world.person, ["name"])
    decided = sharing_request_decide(
        principal=approver(world.gat), request_id=request.pk, approved_fields=[],
        refusal_reason="用途与数据无关",
    )  # fmt: skip
    assert decided.state == "refused" and not Grant.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"approved_fields": ["phone"]}, "approved_fields"),
        ({"approved_fields": ["name"], "unmasked_fields": ["id_number"]}, "unmasked_fields"),
        ({"approved_fields": ["name"]}, "refusal_reason"),
        ({"approved_fields": ["name", "id_number"], "valid_until": period(400)}, "valid_until"),
    ],
)
def test_bad_decisions_change_nothing(world, kwargs, field):
    request = _submit(world, world.person, ["id_number", "name"])
    with pytest.raises(ValidationFailed) as caught:
        sharing_request_decide(principal=approver(world.gat), request_id=request.pk, **kwargs)
    assert field in caught.value.fields
    request.refresh_from_db()
    assert request.state == "pending" and not Grant.objects.exists()


@pytest.mark.parametrize("who", ["other_department", "requester", "no_permission"])
def test_only_the_owners_approver_decides(world, who):
    request = _submit(world, world.person, ["name"])
    principal = {
        "other_department": approver(world.scjg),
        "requester": requester(world),
        "no_permission": staff(world.gat, "sharing.request_data"),
    }[who]
    head = audit_head()
    with pytest.raises(PermissionDenied):
        sharing_request_decide(principal=principal, request_id=request.pk, approved_fields=["name"])
    request.refresh_from_db()
    assert request.state == "pending" and not Grant.objects.exists()
    assert audit_since(head) == [("sharing.request.decide", "denied")]


def test_a_decided_request_cannot_be_decided_again(world):
    request = _submit(world, world.person, ["name"])
    sharing_request_decide(
        principal=approver(world.gat), request_id=request.pk, approved_fields=["name"]
    )
    with pytest.raises(Conflict):
        sharing_request_decide(principal=approver(world.gat), request_id=request.pk, approved_fields=[], refusal_reason="x")  # fmt: skip
    assert Grant.objects.count() == 1


def test_requester_withdraws_a_pending_request_only(world):
    request = _submit(world, world.person, ["name"])
    with pytest.raises(PermissionDenied):
        sharing_request_withdraw(principal=requester_of(world.scjg), request_id=request.pk)
    request.refresh_from_db()
    assert request.state == "pending"
    assert (
        sharing_request_withdraw(principal=requester(world), request_id=request.pk).state
        == "withdrawn"
    )
    with pytest.raises(Conflict):
        sharing_request_withdraw(principal=requester(world), request_id=request.pk)


def test_owner_revokes_a_grant_with_a_reason(world):
    grant = _submit(world, world.entity, ["uscc"]).grant
    with pytest.raises(PermissionDenied):
        grant_revoke(principal=approver(world.gat), grant_id=grant.pk, reason="x")
    with pytest.raises(ValidationFailed):
        grant_revoke(principal=approver(world_scjg_province(world)), grant_id=grant.pk, reason=" ")
    grant.refresh_from_db()
    assert grant.status == "active"
    revoked = grant_revoke(
        principal=approver(world_scjg_province(world)), grant_id=grant.pk, reason="发现超范围使用"
    )
    assert revoked.status == "revoked" and revoked.revoke_reason == "发现超范围使用"
    assert grants_active_count(resource_id=world.entity.pk) == 0
    assert Event.objects.filter(topic="sharing.grant.revoked").count() == 1


def world_scjg_province(world):
    return world.entity.organization


def test_grants_expire_by_date_even_before_the_command_runs(world):
    grant = _submit(world, world.entity, ["uscc"]).grant
    Grant.objects.filter(pk=grant.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert grants_active_count(resource_id=world.entity.pk) == 0
    state = grant_state_for(organization_id=world.mzt.pk, resource_id=world.entity.pk)
    assert state.effective is None and state.ended_status == "expired"
    call_command("sharing_grants_expire")
    grant.refresh_from_db()
    assert grant.status == "expired" and grant.ended_at is not None
    assert grants_expire() == 0  # idempotent
