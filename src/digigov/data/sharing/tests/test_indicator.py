"""Indicator 11 (应共享的数据需求满足率) from the request records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.kernel.errors import ValidationFailed

from ..models import SharingRequest
from ..selectors.requests import sharing_satisfaction_rate
from ..services.requests import (
    sharing_request_decide,
    sharing_request_submit,
    sharing_request_withdraw,
)
from .factories import approver, org, period, requester, staff


def _submit(world, resource, fields, principal=None):
    return sharing_request_submit(
        principal=principal or requester(world), resource_code=resource.code, fields=fields,
        purpose="p", legal_basis="b", scope="s", period_end=period(),
    )  # fmt: skip


def test_rate_counts_decided_shareable_requests_and_partial_as_satisfied(world):
    assert sharing_satisfaction_rate().rate is None  # nothing asked yet
    _submit(world, world.entity, ["uscc", "status"])  # auto-approved
    _submit(world, world.secret, ["name"])  # 不予共享: not in the denominator
    partial = _submit(world, world.person, ["id_number", "name"])
    sharing_request_decide(
        principal=approver(world.gat), request_id=partial.pk, approved_fields=["name"],
        refusal_reason="身份证号不必要",
    )  # fmt: skip
    refused = _submit(world, world.dataset, ["beds"])
    sharing_request_decide(
        principal=approver(world.scjg), request_id=refused.pk, approved_fields=[],
        refusal_reason="数据正在治理",
    )  # fmt: skip
    szx = staff(org("440300-mzt"), "sharing.request_data", id="41")
    pending = _submit(world, world.person, ["name"], principal=szx)  # pending: not counted
    withdrawn = _submit(world, world.dataset, ["beds"], principal=szx)
    sharing_request_withdraw(principal=szx, request_id=withdrawn.pk)
    rate = sharing_satisfaction_rate()
    assert (rate.should_share, rate.satisfied, rate.fully_satisfied) == (3, 2, 1)
    assert rate.rate == 66.7 and rate.full_rate == 33.3
    assert (rate.fields_asked, rate.fields_approved) == (5, 3) and rate.field_rate == 60.0
    assert rate.pending == 1 and rate.not_shareable == 1
    # by the requester's region: Shenzhen asked only a pending and a withdrawn request
    assert sharing_satisfaction_rate(region_code="440300").should_share == 0
    assert sharing_satisfaction_rate(region_code="440100").should_share == 3
    assert sharing_satisfaction_rate(region_code="440000").should_share == 3
    assert pending.state == "pending"


def test_rate_by_period_of_submission(world):
    request = _submit(world, world.entity, ["uscc"])
    SharingRequest.objects.filter(pk=request.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=40)
    )
    _submit(world, world.dataset, ["beds"])
    today = timezone.localdate()
    recent = sharing_satisfaction_rate(period=(today - dt.timedelta(days=7), today))
    assert recent.should_share == 0 and recent.pending == 1
    assert sharing_satisfaction_rate(period=(today - dt.timedelta(days=60), today)).satisfied == 1
    with pytest.raises(ValidationFailed):
        sharing_satisfaction_rate(region_code="44';--")
