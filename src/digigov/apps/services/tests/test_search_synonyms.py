"""Guide search synonyms (data/synonyms.txt): a query term also matches the other terms of
its group, whichever way jieba cuts them, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest
from django.db import connection

from ..selectors.items import item_search
from ..selectors.synonyms import (
    DATA_FILE,
    _parse,
    name_variants,
    query_clauses,
    synonym_groups,
)
from ..testing import item_make

pytestmark = pytest.mark.django_db


def names(page) -> list[str]:
    return [item.name for item in page.items]


@pytest.fixture
def catalog(db):
    made = [
        ("TEST-SYN-01", "最低生活保障金申领", []),
        ("TEST-SYN-02", "低收入家庭认定", ["申请人为低保边缘家庭成员"]),
        ("TEST-SYN-03", "社会保险参保登记", []),
        ("TEST-SYN-04", "机动车驾驶证换领", []),
        ("TEST-SYN-05", "住房公积金提取", []),
        ("TEST-SYN-06", "内地居民结婚登记", []),
        ("TEST-SYN-07", "居民身份证换领", []),
    ]
    for code, name, conditions in made:
        item_make(code=code, name=name, conditions=conditions)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("低保", "最低生活保障金申领"),
        ("申领低保", "最低生活保障金申领"),  # with another token around it
        ("最低生活保障", "低收入家庭认定"),  # and back: 低保 in its conditions
        ("社保", "社会保险参保登记"),
        ("驾照", "机动车驾驶证换领"),
        ("驾照换领", "机动车驾驶证换领"),
        ("身份证", "居民身份证换领"),
        ("结婚证", "内地居民结婚登记"),
    ],
)
def test_a_synonym_finds_the_item(catalog, query, expected):
    page = item_search(query=query)
    assert expected in names(page), (connection.vendor, query, names(page))


def test_synonyms_do_not_widen_to_unrelated_items(catalog):
    found = names(item_search(query="低保"))
    assert "社会保险参保登记" not in found and "机动车驾驶证换领" not in found
    assert item_search(query="驾照 低保").total == 0  # every clause must still match


def test_the_item_named_with_the_query_itself_ranks_first(catalog):
    item_make(code="TEST-SYN-08", name="低保对象年度复核")
    assert names(item_search(query="低保"))[0] == "低保对象年度复核"


def test_both_backends_agree_on_the_tokens(catalog):
    # the FTS/tsvector clause alone (not the name fallback) finds it
    page = item_search(query="低保金")
    assert "最低生活保障金申领" in names(page), (connection.vendor, page.query_tokens)


def test_the_data_file_has_the_common_groups():
    groups = _parse(DATA_FILE.read_text(encoding="utf-8"))
    assert len(groups) >= 30
    table = synonym_groups()
    for first, second in [
        ("低保", "最低生活保障"),
        ("社保", "社会保险"),
        ("医保", "医疗保险"),
        ("公积金", "住房公积金"),
        ("营业执照", "企业登记"),
        ("户口", "户籍"),
        ("身份证", "居民身份证"),
        ("驾照", "驾驶证"),
        ("准生证", "生育登记"),
        ("退休", "养老金"),
    ]:
        assert second in table[first] and first in table[second]
        assert table[first][0] == first


def test_clauses_and_name_variants():
    clauses = query_clauses(["最低", "生活", "保障"])
    assert len(clauses) == 1 and clauses[0].phrase == "最低生活保障"
    assert ("最低", "生活", "保障") in clauses[0].alternatives
    assert any("".join(alt) == "低保" for alt in clauses[0].alternatives)
    plain = query_clauses(["办理", "护照"])
    assert [c.alternatives for c in plain] == [(("办理",),), (("护照",),)]
    assert name_variants("申领低保", query_clauses(["申领", "低保"]))[:2] == [
        "申领低保",
        "申领最低生活保障",
    ]
