"""Seeding departments: the provincial ones the plan names and a counterpart in every city."""

import pytest

from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.selectors import (
    organization_descendant_ids,
    organization_get,
    organization_list,
)
from digigov.kernel.organizations.services import DEPARTMENTS, organizations_seed
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load, towns_synthesize

pytestmark = pytest.mark.django_db

# The departments issue 2 names (short forms), and the full names they are seeded under.
NAMED_IN_ISSUE = {
    "省政务服务数据管理局": "广东省政务服务数据管理局",
    "省公安厅": "广东省公安厅",
    "省市场监管局": "广东省市场监督管理局",
    "省人力资源社会保障厅": "广东省人力资源和社会保障厅",
    "省卫生健康委": "广东省卫生健康委员会",
    "省自然资源厅": "广东省自然资源厅",
    "省住房城乡建设厅": "广东省住房和城乡建设厅",
    "省民政厅": "广东省民政厅",
    "省医保局": "广东省医疗保障局",
    "省税务局": "国家税务总局广东省税务局",
    "省教育厅": "广东省教育厅",
    "省交通运输厅": "广东省交通运输厅",
}


@pytest.fixture
def regions():
    regions_load()
    towns_synthesize(per_county=2)


@pytest.fixture
def seeded(regions):
    return organizations_seed()


def test_provincial_departments_named_in_the_issue(seeded):
    provincial = Organization.objects.filter(level="province")

    names = set(provincial.values_list("name", flat=True))
    assert set(NAMED_IN_ISSUE.values()) <= names
    assert {o.region_id for o in provincial} == {"440000"}
    assert not provincial.filter(parent__isnull=False).exists()


def test_every_city_has_a_counterpart_bound_to_its_region(seeded):
    provincial = Organization.objects.filter(level="province")
    cities = Region.objects.filter(level="city")

    for department in provincial:
        counterparts = Organization.objects.filter(parent=department, level="city")
        assert {o.region_id for o in counterparts} == set(cities.values_list("code", flat=True))
        assert {o.function for o in counterparts} == {department.function}


CITY_NAMES = {
    "440300-gat": "深圳市公安局",
    "441900-scjg": "东莞市市场监督管理局",
    "440100-sw": "国家税务总局广州市税务局",
    "445300-zsj": "云浮市政务服务数据管理局",
}
COUNTY_NAMES = {
    "440303-gat": "深圳市罗湖区公安局",  # a district: city name + district name
    "445381-gat": "罗定市公安局",  # a county-level city stands alone
    "440523-mzt": "南澳县民政局",  # so does a county
}


def test_city_and_county_department_names(seeded):
    names = dict(
        Organization.objects.filter(code__in=[*CITY_NAMES, *COUNTY_NAMES]).values_list(
            "code", "name"
        )
    )

    assert names == {**CITY_NAMES, **COUNTY_NAMES}


def test_county_departments_hang_under_their_city_department(seeded):
    county_police = Organization.objects.get(code="440303-gat")

    assert county_police.parent.code == "440300-gat"
    assert county_police.region_id == "440303"
    assert county_police.level == "county"


def test_town_governments(seeded):
    towns = Organization.objects.filter(level="town")

    assert towns.count() == Region.objects.filter(level="town").count()
    for org in towns.select_related("region"):
        assert org.name.endswith(("人民政府", "办事处"))
        assert org.region.level == "town"


def test_second_run_creates_nothing(seeded):
    before = Organization.objects.count()

    assert organizations_seed() == 0
    assert Organization.objects.count() == before
    assert seeded == before


def test_without_county_and_town_levels(regions):
    organizations_seed(county_level=False, town_level=False)

    assert set(Organization.objects.values_list("level", flat=True)) == {"province", "city"}


def test_needs_the_regions_first():
    with pytest.raises(Region.DoesNotExist):
        organizations_seed()
    assert not Organization.objects.exists()


def test_descendant_ids(seeded):
    provincial_police = Organization.objects.get(code="440000-gat")
    shenzhen_police = Organization.objects.get(code="440300-gat")

    below_province = organization_descendant_ids(provincial_police.pk)
    below_city = organization_descendant_ids(shenzhen_police.pk)

    expected_city = {shenzhen_police.pk} | set(
        Organization.objects.filter(parent=shenzhen_police).values_list("pk", flat=True)
    )
    assert below_city == expected_city
    assert len(below_city) == 1 + Region.objects.filter(parent_id="440300").count()
    assert below_city < below_province
    assert len(below_province) == 1 + 21 + 122
    assert Organization.objects.get(code="440000-mzt").pk not in below_province
    leaf = Organization.objects.get(code="440303-gat")
    assert organization_descendant_ids(leaf.pk) == {leaf.pk}


def test_list_filters(seeded):
    assert organization_list(region_code="440303").count() == 5
    assert organization_list(level="province").count() == len(DEPARTMENTS)
    assert [o.code for o in organization_list(search="罗定市公安")] == ["445381-gat"]
    Organization.objects.filter(code="445381-gat").update(is_active=False)
    assert not organization_list(search="罗定市公安").exists()
    assert organization_get(Organization.objects.get(code="440000-gat").pk).region.name == "广东省"
    assert organization_get(-1) is None
