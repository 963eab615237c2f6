"""办事指南 pages: search with categories and filters, the full guide, the home page link."""

from __future__ import annotations

import pytest

from digigov.apps.services.testing import item_make

pytestmark = pytest.mark.django_db

MATERIALS = [
    {"code": "M01", "name": "营业执照", "required": True, "license_types": ["YYZZ"]},
    {"code": "M02", "name": "经营场所平面图", "required": True, "license_types": []},
]


@pytest.fixture
def items():
    item_make(
        code="GD-T-FOOD-440100",
        name="食品经营许可",
        subject_kind="entity",
        materials=MATERIALS,
        visits=0,
        cross_region_scopes=["province"],
        enterprise_stages=["start"],
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        place="广州市政务服务中心",
    )
    item_make(
        code="GD-T-BIRTH-440100",
        organization_code="440100-wjw",
        name="出生医学证明签发",
        subject_kind="person",
        approval_mode="instant",
        life_events=["birth"],
        fees=[{"name": "工本费", "amount": "10元"}],
    )


def test_home_links_guides(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/guides/"' in response.content.decode()


def test_guide_list_search_and_categories(client, items, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/guides/", {"q": "营业执照"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "食品经营许可" in page and "出生医学证明签发" not in page
    assert "按人生阶段" in page and "按企业发展阶段" in page and "零跑动" in page
    births = client.get("/guides/", {"life_event": "birth"}).content.decode()
    assert "出生医学证明签发" in births and "食品经营许可" not in births
    assert "共 1 项" in births
    empty = client.get("/guides/", {"q": "火星移民"}).content.decode()
    assert "没有找到符合条件的事项" in empty


def test_guide_detail_has_every_element(client, items):
    response = client.get("/guides/GD-T-FOOD-440100/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "食品经营许可",
        "《中华人民共和国食品安全法》第三十五条",
        "经营场所平面图",
        "不收费",
        "广州市政务服务中心",
        "零跑动",
        "全省通办",
        "一窗受理",
        "/business/apply/GD-T-FOOD-440100/",
        "12345",
    ):
        assert text in page, text
    birth = client.get("/guides/GD-T-BIRTH-440100/").content.decode()
    assert "/citizen/apply/GD-T-BIRTH-440100/" in birth and "工本费：10元" in birth


def test_missing_guide_is_404(client, db):
    response = client.get("/guides/NOPE/")
    assert response.status_code == 404
    assert "事项不存在" in response.content.decode()
