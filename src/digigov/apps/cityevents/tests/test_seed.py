"""The demo seed step: types, grids with workers, ~50 events in every stage; idempotent;
its logins listed by `digigov demo_logins`."""

from __future__ import annotations

import pytest

from digigov.apps.cityevents.models import CityEvent, Grid, GridWorker
from digigov.apps.cityevents.services.demo import cityevents_demo_seed
from digigov.kernel.ops.seeding import seed_steps
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.services import regions_load, towns_synthesize
from digigov.support.identity.selectors import DEMO_STAFF_LOGINS

pytestmark = pytest.mark.django_db


def test_demo_seed_is_complete_and_idempotent():
    regions_load()
    towns_synthesize()
    organizations_seed()
    summary = cityevents_demo_seed(seed=2021)
    assert "演示事件 50 件" in summary
    stages = set(CityEvent.objects.values_list("stage", flat=True))
    assert stages == {
        "reported",
        "registered",
        "dispatched",
        "handled",
        "verified",
        "closed",
        "rejected",
    }
    assert CityEvent.objects.values("city_code").distinct().count() >= 15
    assert Grid.objects.count() >= 20 and GridWorker.objects.exists()
    assert all(len(code) == 12 for code in Grid.objects.values_list("code", flat=True))
    assert "跳过" in cityevents_demo_seed(seed=2021)
    assert CityEvent.objects.count() == 50
    assert "cityevents_demo" in {step.label for step in seed_steps()} or any(
        step.order == 62 for step in seed_steps()
    )
    assert "th_dispatcher" in DEMO_STAFF_LOGINS
