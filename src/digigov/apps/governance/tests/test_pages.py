"""The staff pages: who may see which dashboard, reports and topics through the browser
forms, and the number of queries of the dashboard."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from digigov.apps.services.testing import item_make
from digigov.support.identity.testing import login

from ..models import ReportedValue, Topic
from ..services.compute import indicators_compute

pytestmark = pytest.mark.django_db

PAGES = [
    ("staff:governance", []),
    ("staff:governance_city", ["440100"]),
    ("staff:governance_indicator", [1]),
    ("staff:governance_records", [1]),
    ("staff:governance_topics", []),
    ("staff:governance_topic", ["market"]),
    ("staff:governance_mobile", []),
]


@pytest.mark.parametrize("name,args", PAGES)
@pytest.mark.parametrize(
    "kind,status",
    [("anonymous", 302), ("citizen", 403), ("staff_without", 403), ("staff_with", 200)],
)
def test_pages_permission_matrix(as_caller, kind, status, name, args):
    response = as_caller(kind).get(reverse(name, args=args))
    assert response.status_code == status, response.content[:300]


@pytest.mark.parametrize(
    "kind,status",
    [("anonymous", 302), ("citizen", 403), ("staff_without", 403), ("staff_with", 302)],
)
def test_report_form_matrix_denied_changes_nothing(as_caller, kind, status):
    response = as_caller(kind).post(
        reverse("staff:governance_report", args=[15]),
        {"value": "25.5", "source": "省政务云台账", "as_of": "2026-01-01", "region": "440000"},
    )
    assert response.status_code == status
    assert ReportedValue.objects.count() == (1 if kind == "staff_with" else 0)


def test_city_viewer_sees_own_city_only(client, gz_viewer):
    login(client, gz_viewer)
    assert client.get(reverse("staff:governance")).url == reverse(
        "staff:governance_city", args=["440100"]
    )
    assert client.get(reverse("staff:governance_city", args=["440100"])).status_code == 200
    assert client.get(reverse("staff:governance_city", args=["440300"])).status_code == 403
    county = client.get(reverse("staff:governance_indicator", args=[1]) + "?region=440103")
    assert county.status_code == 200
    assert (
        client.get(reverse("staff:governance_indicator", args=[1]) + "?region=440303").status_code
        == 403
    )


def test_dashboard_shows_all_21_with_baseline_target_and_no_data(client, officer):
    item_make(code="GZ-1", visits=0)
    indicators_compute()
    login(client, officer)
    page = client.get(reverse("staff:governance")).content.decode()
    for number in range(1, 22):
        assert f'data-testid="indicator-{number}"' in page
    assert 'data-testid="value-1">100' in page  # one permit item, zero visits
    assert 'data-testid="value-3">暂无数据' in page.replace('<span class="badge off" ', "")
    assert "尚未填报" in page  # indicator 15 before anyone reports it
    assert "echarts.min.js" in page and "guangdong" not in page.split("governance-data")[0][-50:]


def test_dashboard_query_count_does_not_grow_with_values(client, officer):
    item_make(code="GZ-1", visits=0)
    indicators_compute()
    login(client, officer)
    url = reverse("staff:governance")
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    item_make(code="GZ-2", visits=1, organization_code="440300-scjg")
    indicators_compute()
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    assert len(second) == len(first)
    assert len(first) <= 30


def test_report_then_board_shows_reported(client, officer):
    login(client, officer)
    bad = client.post(
        reverse("staff:governance_report", args=[15]),
        {"value": "abc", "source": "", "as_of": "2026-01-01"},
    )
    assert bad.status_code == 422 and "请填写数值" in bad.content.decode()
    assert ReportedValue.objects.count() == 0
    client.post(
        reverse("staff:governance_report", args=[15]),
        {"value": "25.5", "source": "省政务云台账", "as_of": "2026-01-01", "region": "440000"},
    )
    page = client.get(reverse("staff:governance")).content.decode()
    assert 'data-testid="value-15">25.5' in page and "省政务云台账" in page


def test_topic_configured_in_the_form(client, officer):
    login(client, officer)
    response = client.post(
        reverse("staff:governance_topic_new"),
        {"code": "traffic", "name": "交通运输", "function": "social", "sectors": ["jtt"],
         "indicators": ["1", "6"], "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    topic = Topic.objects.get(code="traffic")
    assert topic.sectors == ["jtt"] and sorted(i.number for i in topic.indicators.all()) == [1, 6]
    page = client.get(reverse("staff:governance_topic", args=["traffic"])).content.decode()
    assert 'data-testid="indicator-1"' in page and 'data-testid="indicator-6"' in page
    assert 'data-testid="indicator-2"' not in page
    bad = client.post(
        reverse("staff:governance_topic_new"), {"code": "Bad Code", "name": "", "function": "x"}
    )
    assert bad.status_code == 422 and Topic.objects.count() == 6


def test_records_behind_a_figure_paginated_and_searched(client, officer):
    for n in range(3):
        item_make(code=f"GZ-{n}", visits=0 if n else 1, name=f"食品经营许可{n}")
    item_make(code="SZ-9", visits=0, organization_code="440300-scjg", name="药品经营许可")
    indicators_compute()
    login(client, officer)
    url = reverse("staff:governance_records", args=[1])
    page = client.get(url, {"region": "440100"}).content.decode()
    assert "GZ-0" in page and "SZ-9" not in page and "符合条件 3 条" in page
    counted = client.get(url, {"region": "440100", "counted": "1"}).content.decode()
    assert "GZ-0" not in counted and "GZ-1" in counted
    assert "符合条件 1 条" in client.get(url, {"q": "药品"}).content.decode()
    linked = client.get(reverse("staff:governance_records", args=[11])).content.decode()
    assert 'data-testid="records-link"' in linked and reverse("staff:sharing_needs") in linked


def test_county_drill_down_is_computed_live(client, gz_viewer):
    item_make(code="GZ-1", visits=0, organization_code="440100-scjg")
    indicators_compute()
    login(client, gz_viewer)
    page = client.get(reverse("staff:governance_indicator", args=[1]), {"region": "440100"})
    html = page.content.decode()
    assert "按区划（实时计算）" in html and "越秀区" in html
    assert 'href="?region=440000"' not in html  # no way up to the province


def test_topics_list_query_count(client, officer):
    login(client, officer)
    url = reverse("staff:governance_topics")
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    from digigov.support.identity.testing import principal_of

    from ..services.topics import TopicInput, topic_save

    for code in ("a1", "a2", "a3"):
        topic_save(principal=principal_of(officer), code=code,
                   data=TopicInput(name=code, function="economy", indicators=[1, 2]))  # fmt: skip
    with CaptureQueriesContext(connection) as eight:
        assert client.get(url).status_code == 200
    assert len(eight) == len(five)
