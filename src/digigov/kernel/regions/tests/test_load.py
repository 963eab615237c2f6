"""The GB/T 2260 tree for Guangdong, and the synthetic towns of the demo."""

import re

import pytest

from digigov.kernel.regions import selectors
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load, towns_synthesize

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return regions_load()


def test_loads_province_cities_and_counties(loaded):
    assert loaded == 144
    assert Region.objects.filter(level="province").count() == 1
    assert Region.objects.filter(level="city").count() == 21
    assert Region.objects.filter(level="county").count() == 122
    assert not Region.objects.filter(is_synthetic=True).exists()


@pytest.mark.parametrize(
    ("code", "name", "level", "parent"),
    [
        ("440000", "广东省", "province", None),
        ("440100", "广州市", "city", "440000"),
        ("440300", "深圳市", "city", "440000"),
        ("440303", "罗湖区", "county", "440300"),
        ("441900", "东莞市", "city", "440000"),
        ("442000", "中山市", "city", "440000"),
        ("445381", "罗定市", "county", "445300"),
        ("440106", "天河区", "county", "440100"),
        ("440232", "乳源瑶族自治县", "county", "440200"),
    ],
)
def test_real_codes_and_names(loaded, code, name, level, parent):
    region = Region.objects.get(code=code)

    assert (region.name, region.level, region.parent_id) == (name, level, parent)


def test_tree_is_consistent(loaded):
    for region in Region.objects.select_related("parent"):
        assert re.fullmatch(r"44\d{4}", region.code)
        if region.level == "province":
            assert region.parent is None
        elif region.level == "city":
            assert region.code.endswith("00")
            assert region.parent_id == "440000"
        else:
            assert region.parent.level == "city"
            assert region.parent_id == region.code[:4] + "00"


def test_every_city_but_dongguan_and_zhongshan_has_counties(loaded):
    without = set(
        Region.objects.filter(level="city", children__isnull=True).values_list("code", flat=True)
    )

    assert without == {"441900", "442000"}  # 不设区的地级市


def test_reload_is_idempotent_and_restores_edits(loaded):
    Region.objects.filter(code="440303").update(name="改过的名字")

    assert regions_load() == 144

    assert Region.objects.count() == 144
    assert Region.objects.get(code="440303").name == "罗湖区"


def test_coordinates_are_loaded(loaded):
    region = Region.objects.get(code="440100")

    assert 112 < float(region.longitude) < 115
    assert 22 < float(region.latitude) < 24


def test_towns_have_nine_digit_codes_under_their_county(loaded):
    made = towns_synthesize(per_county=3)
    towns = list(Region.objects.filter(level="town").select_related("parent"))

    assert made == len(towns) > 0
    for town in towns:
        assert re.fullmatch(r"\d{9}", town.code)
        assert town.code.startswith(town.parent_id)
        assert town.is_synthetic
        assert town.name.endswith(("镇", "街道"))
    assert {t.parent.level for t in towns} <= {"county", "city"}
    assert Region.objects.filter(code__startswith="440303", level="town").count() == 3


def test_dongguan_and_zhongshan_get_towns_directly(loaded):
    """Their towns sit directly under the city (东莞 441900003 虎门镇 in the real code list)."""
    towns_synthesize(per_county=2)

    for city in ("441900", "442000"):
        towns = Region.objects.filter(parent_id=city, level="town")
        assert towns.count() == 2
        assert all(t.code.startswith(city) and len(t.code) == 9 for t in towns)


def test_towns_are_deterministic_and_idempotent(loaded):
    towns_synthesize(seed=1)
    first = list(Region.objects.filter(level="town").values_list("code", "name"))

    assert towns_synthesize(seed=1) == len(first)  # same parents the second time

    assert list(Region.objects.filter(level="town").values_list("code", "name")) == first


def test_ancestors_and_children(loaded):
    towns_synthesize(per_county=1)

    chain = selectors.region_ancestors("440303001")

    assert [r.code for r in chain] == ["440000", "440300", "440303", "440303001"]
    assert [r.code for r in selectors.region_children(parent_code=None)] == ["440000"]
    assert len(selectors.region_children(parent_code="440000")) == 21
    assert selectors.region_get("999999") is None
    assert selectors.region_exists("440303") and not selectors.region_exists("440399")


def test_ancestors_take_one_query_where_the_codes_nest(loaded, django_assert_num_queries):
    towns_synthesize(per_county=1)
    with django_assert_num_queries(1):
        chain = selectors.region_ancestors("440303001")
    assert [r.code for r in chain] == ["440000", "440300", "440303", "440303001"]
    # Dongguan's towns sit directly under the city
    dongguan_town = Region.objects.filter(parent_id="441900").values_list("code", flat=True)[0]
    with django_assert_num_queries(1):
        assert [r.code for r in selectors.region_ancestors(dongguan_town)] == [
            "440000",
            "441900",
            dongguan_town,
        ]


def test_ancestors_follow_the_parent_links_where_the_code_departs_from_the_pattern(loaded):
    # a development zone filed under a city whose code it does not share
    Region.objects.create(code="449901", name="某功能区", level="county", parent_id="440300")
    chain = selectors.region_ancestors("449901")
    assert [r.code for r in chain] == ["440000", "440300", "449901"]
    assert selectors.region_ancestors("449999") == []
