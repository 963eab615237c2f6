"""一网统管 in a browser: the province dashboard draws the Guangdong map and the 21
indicators from local assets only; a duty officer configures a topic in the browser and its
dashboard shows exactly its selection; the phone view (粤政易·看数) fits a phone's width."""

import pytest
from browser_steps import PHONE, staff_login

from digigov.apps.governance.services.compute import indicators_compute
from digigov.apps.governance.services.topics import definitions_sync, topics_seed
from digigov.apps.governance.testing import governance_staff
from digigov.apps.services.testing import item_make, organizations_ready
from digigov.portals.testing import totp_code
from digigov.support.identity.testing import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def officer(transactional_db):
    organizations_ready()
    definitions_sync()  # a transactional test's flush empties the migration's rows
    topics_seed()
    item_make(code="E2E-ZERO-1", visits=0)
    item_make(code="E2E-ZERO-2", visits=1, organization_code="440300-scjg")
    indicators_compute()
    return governance_staff("e2e_duty_officer")


def test_dashboard_topic_and_phone_view(open_browser, base_url, officer, screenshot):
    page = open_browser().page
    staff_login(
        page, base_url, username="e2e_duty_officer", password=PASSWORD,
        code=totp_code(officer.device), next_path="/staff/governance/",
    )  # fmt: skip
    assert page.get_by_role("heading", level=1).inner_text() == "广东省一网统管驾驶舱"
    for number in range(1, 22):
        assert page.get_by_test_id(f"indicator-{number}").count() == 1
    assert page.get_by_test_id("value-1").inner_text() == "50"  # 1 of 2 permit items
    assert page.get_by_test_id("value-15").inner_text() == "尚未填报"
    # the map: local ECharts, local GeoJSON, drawn into a canvas
    page.locator("#gov-map[data-drawn='map']").wait_for()
    assert page.locator("#gov-map canvas").count() >= 1
    page.locator("#gov-cases[data-drawn='line']").wait_for()
    screenshot(page, "governance-dashboard")

    # a topic configured in the browser shows its selection
    page.goto(f"{base_url}/staff/governance/topics/new/")
    page.get_by_label("代码（小写字母、数字、下划线）").fill("traffic")
    page.get_by_label("名称").fill("交通运输")
    page.get_by_label("政府职能").select_option("social")
    page.get_by_label("广东省交通运输厅").check()
    page.get_by_label("1. “零跑动”事项覆盖率").check()
    page.get_by_label("6. 政务服务“好差评”").check()
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.url.endswith("/staff/governance/topics/traffic/"), page.url
    assert "交通运输专题" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_test_id("indicator-1").count() == 1
    assert page.get_by_test_id("indicator-6").count() == 1
    assert page.get_by_test_id("indicator-2").count() == 0
    screenshot(page, "governance-topic")

    # 粤政易·看数 on a phone
    phone = open_browser(viewport=PHONE).page
    staff_login(
        phone, base_url, username="e2e_duty_officer", password=PASSWORD,
        code=totp_code(officer.device, offset_steps=1), next_path="/staff/governance/m/",
    )  # fmt: skip
    tiles = phone.get_by_test_id("mobile-tiles")
    assert "“零跑动”事项覆盖率" in tiles.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "governance-mobile")
