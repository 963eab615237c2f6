"""Guide search: Chinese full text over jieba tokens (FTS5 on SQLite, tsvector on
PostgreSQL), filters, region scope, pagination and ranking."""

from __future__ import annotations

import pytest

from digigov.kernel.principals import Principal

from ..selectors.items import MAX_PAGE_SIZE, item_guide, item_search, query_tokens
from ..services import items as svc
from ..testing import organizations_ready

pytestmark = pytest.mark.django_db
CODES = ("GD-WJW-GG-120", "GD-SCJG-DJ-001", "GD-GJJ-JF-069", "GD-SCJG-XK-010", "GD-SW-QT-142")
CODES += ("GD-GAT-DJ-080", "GD-MZT-DJ-100", "GD-RSJ-GG-050", "GD-ZRZY-DJ-031")


@pytest.fixture
def catalog():
    organizations_ready()
    entries = [e for e in svc.catalog_entries() if e["standard_code"] in CODES]
    svc.items_catalog_load(principal=Principal(kind="operator", id="seed"), entries=entries)


def names(page) -> list[str]:
    return [item.name for item in page.items]


def test_query_tokens_split_chinese():
    assert query_tokens("办理营业执照") == ["办理", "营业执照"]
    assert query_tokens("  ，。 ") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("营业执照", "企业设立登记"),  # in conditions/materials/result
        ("出生", "出生医学证明签发"),
        ("公积金", "住房公积金提取（租房）"),
        ("食品经营", "食品经营许可"),
        ("卫生健康局", "出生医学证明签发"),  # the department's name
        ("婚育", "内地居民结婚登记"),  # a life event's label
    ],
)
def test_chinese_terms_find_items(catalog, query, expected):
    page = item_search(query=query, region="440300")
    assert expected in names(page)


def test_name_matches_rank_first(catalog):
    page = item_search(query="出生", region="440100")
    # both items named with 出生 come before those that mention it elsewhere
    assert set(names(page)[:2]) == {"出生医学证明签发", "出生登记（新生儿入户）"}
    assert "社会保障卡申领" in names(page)  # life event 出生, not in its name
    assert names(page).index("社会保障卡申领") > 1


def test_no_match_is_empty(catalog):
    assert item_search(query="火星移民签证").total == 0


def test_region_shows_own_and_provincial_items(catalog):
    page = item_search(region="440300", page_size=100)
    regions = {item.region_code for item in page.items}
    assert regions == {"440300", "440000"}  # 个税汇算 is provincial
    assert "个人所得税综合所得年度汇算" in names(page)
    # a district of Guangzhou sees the district's, the city's and provincial items
    district = item_search(region="440106", query="结婚", page_size=100)
    assert {item.region_code for item in district.items} <= {"440106", "440100", "440000"}


@pytest.mark.parametrize(
    ("filters", "included", "excluded"),
    [
        ({"line": "gjj"}, "住房公积金提取（租房）", "出生医学证明签发"),
        ({"item_type": "permit"}, "食品经营许可", "出生医学证明签发"),
        ({"subject_kind": "entity"}, "食品经营许可", "出生医学证明签发"),
        (
            {"subject_kind": "person"},
            "国有建设用地使用权及房屋所有权转移登记（二手房买卖）",
            "食品经营许可",
        ),  # "both" serves persons
        ({"life_event": "birth"}, "出生医学证明签发", "食品经营许可"),
        ({"enterprise_stage": "start"}, "企业设立登记", "出生医学证明签发"),
        ({"approval_mode": "instant"}, "出生医学证明签发", "食品经营许可"),
        ({"zero_visit": True}, "出生医学证明签发", "内地居民结婚登记"),
        ({"cross_region": "cross_province"}, "住房公积金提取（租房）", "食品经营许可"),
        ({"cross_region": "bay_area"}, "企业设立登记", "出生医学证明签发"),
        ({"organization": "440300-scjg"}, "食品经营许可", "出生医学证明签发"),
    ],
)
def test_filters(catalog, filters, included, excluded):
    page = item_search(region="440300", page_size=100, **filters)
    assert included in names(page)
    assert excluded not in names(page)


def test_pagination(catalog):
    first = item_search(page=1, page_size=10)
    second = item_search(page=2, page_size=10)
    assert first.total == second.total and first.total > 20
    assert first.has_next and len(first.items) == 10
    assert not {i.code for i in first.items} & {i.code for i in second.items}
    assert item_search(page_size=10_000).page_size == MAX_PAGE_SIZE


def test_search_query_count(catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        page = item_search(query="出生", region="440106", life_event="birth", page_size=50)
    assert page.items


def test_guide_labels(catalog):
    guide = item_guide(code="GD-SCJG-XK-010-440300")
    assert guide.item_type_label == "行政许可" and guide.subject_kind_label == "法人"
    assert guide.workflow_process == "restaurant_opening"
    assert guide.materials[0].license_names == ["营业执照"]
    assert guide.apply_paths == [("企业在线办理", "/business/apply/GD-SCJG-XK-010-440300/")]
    assert guide.implementing_body == "深圳市市场监督管理局"
    assert item_guide(code="GD-SCJG-DJ-001-440300").cross_region_labels == ["全省通办", "湾区通办"]
