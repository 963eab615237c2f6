"""Demo seed: official seals for the licence-issuing departments, one application waiting,
the demo 印章管理员 and 印章审批人员; idempotent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from digigov.kernel.ops.seeding import seed_steps
from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

from ..models import Seal
from ..services.demo import DEMO_SEAL_ORGANIZATIONS, seals_demo_seed
from ..testing import organizations_make

pytestmark = pytest.mark.django_db


def test_seed_makes_active_official_seals_and_one_waiting_application():
    organizations_make()

    summary = seals_demo_seed()

    active = Seal.objects.filter(status="active", kind="official")
    assert sorted(active.values_list("organization__code", flat=True)) == sorted(
        DEMO_SEAL_ORGANIZATIONS
    )
    waiting = Seal.objects.get(status="applied")
    assert waiting.name == "广州市市场监督管理局行政审批专用章"
    admin = get_user_model().objects.get(username="gz_scjg_seal_admin")
    approver = get_user_model().objects.get(username="gz_scjg_seal_approver")
    assert waiting.applied_by == f"staff:{admin.pk}"
    assert approver.has_perm("seals.approve_seal")
    assert not approver.has_perm("seals.use_seal")
    assert admin.has_perm("seals.use_seal")
    assert "7" in summary and "1" in summary
    assert seals_demo_seed() == "已存在，未改动"
    assert Seal.objects.count() == len(DEMO_SEAL_ORGANIZATIONS) + 1


def test_seed_step_and_demo_logins_are_registered():
    assert any(step.label == "电子印章" and step.order == 47 for step in seed_steps())
    assert "gz_scjg_seal_admin" in DEMO_STAFF_LOGINS
    assert "gz_scjg_seal_approver" in DEMO_STAFF_LOGINS
