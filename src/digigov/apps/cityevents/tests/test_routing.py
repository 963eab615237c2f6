"""Where an event lands: grid -> town -> county -> city, the department by type and the
handling level raised by the event's level; refusals for points outside Guangdong."""

from __future__ import annotations

import pytest

from digigov.apps.cityevents.geometry import city_of
from digigov.apps.cityevents.models import CityEvent
from digigov.apps.cityevents.selectors.routing import grid_at
from digigov.apps.cityevents.services import city_event_report
from digigov.apps.cityevents.testing import (
    BEIJING_POINT,
    GUANGZHOU_POINT,
    HONG_KONG_POINT,
    SHENZHEN_POINT,
)
from digigov.kernel.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def _report(point, *, type_code="roads.pothole", level="general", ref=""):
    return city_event_report(
        source="sensor",
        event_type_code=type_code,
        lng=point[0],
        lat=point[1],
        title="测试",
        level=level,
        external_ref=ref,
    )


def test_cities_from_the_local_geojson():
    assert city_of(*GUANGZHOU_POINT) == "440100"
    assert city_of(*SHENZHEN_POINT) == "440300"
    assert city_of(*BEIJING_POINT) is None
    assert city_of(*HONG_KONG_POINT) is None


def test_point_in_grid_selects_grid_town_and_county(world):
    assert grid_at(*world.grid_point) == world.grid.pk
    event = CityEvent.objects.get(pk=_report(world.grid_point).id)
    assert (event.grid_id, event.town_code, event.county_code, event.city_code) == (
        world.grid.pk,
        world.grid.town_id,
        "440106",
        "440100",
    )


def test_outside_every_grid_the_nearest_county(world):
    event = CityEvent.objects.get(pk=_report(SHENZHEN_POINT).id)
    assert event.grid_id is None
    assert event.city_code == "440300"
    assert event.region.level == "county" and event.region.parent_id == "440300"


def test_town_level_type_goes_to_the_town_government(world):
    event = CityEvent.objects.get(pk=_report(world.grid_point, type_code="cityapp.garbage").id)
    town = world.grid.town_id
    assert event.handling_level == "town"
    assert event.command_organization.code == f"{town}-gov"
    assert event.handling_organization.code == f"{town}-gov"


@pytest.mark.parametrize(
    ("level", "handling_level", "department"),
    [
        ("general", "county", "440100-jtt"),  # no county 交通 line: the city's
        ("larger", "city", "440100-jtt"),
        ("major", "province", "440000-jtt"),
        ("especially_major", "province", "440000-jtt"),
    ],
)
def test_level_raises_the_handling_level(world, level, handling_level, department):
    event = CityEvent.objects.get(pk=_report(world.grid_point, level=level).id)
    assert event.handling_level == handling_level
    assert event.handling_organization.code == department


def test_public_security_handled_in_the_county(world):
    event = CityEvent.objects.get(
        pk=_report(world.grid_point, type_code="roads.illegal_parking").id
    )
    assert event.handling_organization.code == "440106-gat"


@pytest.mark.parametrize("point", [BEIJING_POINT, HONG_KONG_POINT, (200, 23), ("x", 23)])
def test_outside_guangdong_is_refused_and_nothing_is_stored(world, point):
    with pytest.raises(ValidationFailed) as raised:
        _report(point)
    assert raised.value.code in ("cityevents/outside_guangdong", "cityevents/bad_coordinate")
    assert "广东" in raised.value.message or "无效" in raised.value.message
    assert not CityEvent.objects.exists()


def test_unknown_type_and_level_are_refused(world):
    with pytest.raises(ValidationFailed):
        _report(world.grid_point, type_code="nope")
    with pytest.raises(ValidationFailed):
        _report(world.grid_point, level="huge")
    assert not CityEvent.objects.exists()


def test_sensor_alert_is_idempotent_on_external_ref(world):
    first = _report(world.grid_point, type_code="env.water_level", ref="sensor-alert:1")
    again = _report(world.grid_point, type_code="env.water_level", ref="sensor-alert:1")
    assert first == again
    assert CityEvent.objects.count() == 1


def test_refusals_outside_guangdong_are_audited_and_counted(world):
    from digigov.apps.cityevents.models import RefusalCount
    from digigov.kernel.audit.models import AuditEntry

    for _ in range(2):
        with pytest.raises(ValidationFailed):
            _report(BEIJING_POINT)
    assert RefusalCount.objects.get(code="cityevents/outside_guangdong").count == 2
    assert (
        AuditEntry.objects.filter(action="cityevents.event.report", outcome="denied").count() == 2
    )
