"""开放广东 in a browser (issue 6, "Done when": browser tests cover search, preview and
download).

1. Anyone searches the portal with a Chinese query, narrows it with a facet, opens the
   dataset, sees the preview table of its first rows (no personal fields) and downloads the
   CSV; the file holds every row and the download is counted.
2. A signed-in citizen rates a conditional dataset and applies for it (who, purpose); the
   publishing department's civil servant approves it in 粤政易; the citizen then sees the
   preview and downloads the CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from browser_steps import login, staff_login

from digigov.data.opendata.models import AccessApplication, Rating, UsageDay
from digigov.portals.testing import totp_code
from digigov.portals.web.opendata_testing import shops_publish, world_make
from digigov.support.identity import testing as identity_testing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PURPOSE = "用于便利店分布与社区商业配套研究，成果仅用于学术论文。"


@pytest.fixture
def world(transactional_db):
    world = world_make("e2e")
    shops_publish(world)  # guangzhou-shops: unconditional
    shops_publish(
        world,
        code="GZ-SCJG-COND",
        name="shops-conditional",
        open_condition="conditional",
        title="广州市便利店经营明细",
    )
    return world


def _no_template_source(page) -> None:
    text = page.locator("main").inner_text()
    assert "{%" not in text and "{{" not in text, text[:300]


def _csv_rows(path) -> list[dict[str, str]]:
    text = Path(path).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_search_facet_preview_and_download(open_browser, base_url, world, screenshot):
    page = open_browser().page
    page.goto(f"{base_url}/")
    with page.expect_navigation():
        page.get_by_test_id("opendata-link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "开放广东"
    assert page.get_by_test_id("figure-datasets").inner_text() == "2"

    # a Chinese query, then a facet
    page.get_by_test_id("home-q").fill("便利店")
    with page.expect_navigation():
        page.get_by_test_id("home-q").press("Enter")
    assert page.url.startswith(f"{base_url}/opendata/datasets/?q=")
    assert page.get_by_test_id("search-total").inner_text() == "共 2 个数据集"
    market = page.get_by_test_id("facet-groups-market")
    assert "市场监管" in market.inner_text()
    with page.expect_navigation():
        page.get_by_test_id("facet-open_condition-unconditional").click()
    assert page.get_by_test_id("search-total").inner_text() == "共 1 个数据集"
    assert (
        page.get_by_test_id("facet-open_condition-unconditional").get_attribute("aria-current")
        == "true"
    )
    _no_template_source(page)
    screenshot(page, "opendata-search")

    # the dataset page: metadata, preview, API example
    with page.expect_navigation():
        page.get_by_test_id("dataset-item").get_by_role("link", name="广州市便利店名录").click()
    assert page.get_by_test_id("dataset-title").inner_text() == "广州市便利店名录"
    assert "广州市市场监督管理局" in page.get_by_test_id("metadata").inner_text()
    preview = page.get_by_test_id("preview")
    assert preview.locator("tbody tr").count() == 10
    headers = preview.locator("thead").inner_text()
    assert "店铺名称" in headers and "经营者姓名" not in headers and "联系电话" not in headers
    assert preview.locator("tbody tr").first.locator("td").first.inner_text() == "S0001"
    assert (
        "/api/3/action/datastore_search?resource_id=" in page.get_by_test_id("api-url").inner_text()
    )
    assert page.get_by_test_id("api-curl").inner_text().startswith("curl ")
    page.wait_for_function("document.getElementById('od-usage-chart').dataset.drawn === 'line'")
    screenshot(page, "opendata-dataset")

    # download the CSV: every row, no personal data, and counted
    with page.expect_download() as download_info:
        page.get_by_test_id("download-csv").click()
    download = download_info.value
    assert download.suggested_filename == "guangzhou-shops.csv"
    rows = _csv_rows(download.path())
    assert len(rows) == 30
    assert list(rows[0]) == [
        "shop_id",
        "shop_name",
        "district_code",
        "opened_on",
        "staff_count",
        "is_chain",
    ]
    assert rows[0]["shop_id"] == "S0001" and rows[0]["shop_name"] == "海珠便利店第1分店"
    usage = UsageDay.objects.get(dataset__name="guangzhou-shops")
    assert (usage.views, usage.downloads) == (1, 1)


def test_citizen_rates_and_applies_and_the_publisher_approves(
    open_browser, base_url, world, screenshot
):
    identity_testing.citizen_make("od_e2e_citizen")
    dataset_path = "/opendata/datasets/shops-conditional/"

    citizen = open_browser().page
    citizen.goto(f"{base_url}{dataset_path}")
    assert citizen.get_by_test_id("open-condition").inner_text() == "有条件开放"
    assert citizen.get_by_test_id("preview-locked").is_visible()
    assert citizen.get_by_test_id("download-csv").count() == 0
    with citizen.expect_navigation():
        citizen.get_by_role("link", name="登录后申请").click()
    login(
        citizen,
        base_url,
        username="od_e2e_citizen",
        password=identity_testing.PASSWORD,
        next_path=dataset_path,
    )
    assert citizen.url == f"{base_url}{dataset_path}"

    # rate 4
    citizen.get_by_label("4 分").check()
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="提交评分").click()
    assert "已评分：4 分" in citizen.get_by_role("status").inner_text()
    assert "您的评分：4 分" in citizen.get_by_test_id("rating-summary").inner_text()
    assert Rating.objects.get().score == 4

    # apply: a too short purpose is refused, then the real one
    with citizen.expect_navigation():
        citizen.get_by_test_id("apply-link").click()
    citizen.get_by_label(re.compile("^数据用途")).fill("研究")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="提交申请").click()
    assert "请说明数据用途" in citizen.get_by_test_id("form-error").inner_text()
    assert not AccessApplication.objects.exists()
    citizen.get_by_label(re.compile("^数据用途")).fill(PURPOSE)
    citizen.get_by_label("申请单位（可选）").fill("中山大学地理科学学院")
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="提交申请").click()
    assert citizen.url == f"{base_url}{dataset_path}"
    assert "待审批" in citizen.get_by_test_id("application-state").inner_text()
    application = AccessApplication.objects.get()
    screenshot(citizen, "opendata-applied")

    # the publisher approves in 粤政易
    staff = open_browser().page
    staff_login(
        staff,
        base_url,
        username="e2e_publisher",
        password=identity_testing.PASSWORD,
        code=totp_code(world.publisher.device),
        next_path="/staff/opendata/",
    )
    assert (
        "有 1 件有条件开放申请待审批" in staff.get_by_test_id("pending-applications").inner_text()
    )
    with staff.expect_navigation():
        staff.get_by_role("navigation", name="开放广东").get_by_role(
            "link", name="开放申请审批"
        ).click()
    card = staff.get_by_test_id(f"application-{application.pk}")
    assert PURPOSE in card.inner_text() and "中山大学地理科学学院" in card.inner_text()
    card.get_by_label(re.compile("^有效期")).fill("90")
    with staff.expect_navigation():
        card.get_by_role("button", name="批准", exact=True).click()
    assert "已批准" in staff.get_by_role("status").inner_text()
    application.refresh_from_db()
    assert application.state == "approved"
    screenshot(staff, "opendata-approved")

    # the citizen now sees the rows and downloads them
    citizen.reload()
    assert "已批准" in citizen.get_by_test_id("application-state").inner_text()
    assert citizen.get_by_test_id("preview").locator("tbody tr").count() == 10
    with citizen.expect_download() as download_info:
        citizen.get_by_test_id("download-csv").click()
    rows = _csv_rows(download_info.value.path())
    assert len(rows) == 30 and "owner_name" not in rows[0]
