"""The seed steps: the catalog (35) and the demo licenses and 制证 accounts (46)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from digigov.data.registries.selectors import entity_brief
from digigov.kernel.ops.seeding import seed_steps
from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

from ..models import License
from ..selectors.status import license_effective_status
from ..services.catalog import license_types_seed
from ..services.demo import DEMO_ISSUERS, licenses_demo_seed
from ..testing import world_make


def test_the_steps_are_registered_in_order():
    steps = {step.label: step.order for step in seed_steps()}
    assert steps["证照目录"] == 35 and steps["演示电子证照与制证账号"] == 46
    assert set(DEMO_ISSUERS) <= set(DEMO_STAFF_LOGINS)


@pytest.mark.django_db
def test_demo_licenses_for_demo_citizens_and_enterprises():
    world = world_make(people=6, entities=3)
    license_types_seed()

    summary = licenses_demo_seed(seed=2021, entities=3)

    assert summary.startswith("签发演示证照")
    for id_number in world.people[:5]:
        held = set(
            License.objects.filter(holder_key=id_number).values_list(
                "license_type__code", flat=True
            )
        )
        assert {"JMSFZ", "HKB"} <= held
    for uscc in world.usccs[:3]:
        yyzz = License.objects.get(holder_key=uscc, license_type__code="YYZZ")
        assert yyzz.issuer.code.endswith("-scjg")
        assert yyzz.data["entity_name"] == entity_brief(uscc=uscc).name
    driving = License.objects.get(license_type__code="JDCJSZ")
    assert license_effective_status(driving) == "suspended"
    assert driving.suspended_until >= timezone.localdate() + dt.timedelta(days=89)
    assert License.objects.get(license_type__code="JZZ").status == "revoked"
    assert License.objects.filter(license_type__code="JHZ").count() == 1
    accounts = get_user_model().objects.filter(username__in=list(DEMO_ISSUERS))
    assert {a.organization.code for a in accounts} == {"440100-scjg", "440100-gat"}

    count = License.objects.count()
    assert licenses_demo_seed(seed=2021, entities=3).startswith("演示证照已存在")
    assert License.objects.count() == count
