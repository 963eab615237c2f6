"""The demo seed step: accounts with their roles, today's values and 30 days of history."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

from ..models import IndicatorValue
from ..services.demo import DEMO_STAFF, governance_demo_seed

pytestmark = pytest.mark.django_db


def test_demo_seed_accounts_and_history(regions):
    summary = governance_demo_seed(seed=2021, people=10, entities=2)
    assert summary.startswith("新建 2 个驾驶舱演示账号") and "近 30 天" in summary
    officer = get_user_model().objects.get(username="gd_duty_officer")
    assert officer.has_perm("governance.view_province") and officer.has_perm(
        "governance.manage_topics"
    )
    viewer = get_user_model().objects.get(username="gz_dashboard_viewer")
    assert viewer.has_perm("governance.view_dashboard") and not viewer.has_perm(
        "governance.view_province"
    )
    assert set(DEMO_STAFF) <= set(DEMO_STAFF_LOGINS)
    days = IndicatorValue.objects.filter(indicator__number=10, region_id="440000").count()
    assert days == 30  # topics carry dates: one value per day, recomputed as of that day
    # the seed topics were configured today (by the migration): no coverage before today
    assert (
        IndicatorValue.objects.filter(
            indicator__number=10, region_id="440000", value__isnull=False
        ).count()
        == 1
    )
    assert IndicatorValue.objects.filter(indicator__number=17).values("day").distinct().count() == 1
    again = governance_demo_seed(seed=2021, people=10, entities=2)
    assert (
        not again.startswith("新建")
        and IndicatorValue.objects.filter(indicator__number=10, region_id="440000").count() == 30
    )
