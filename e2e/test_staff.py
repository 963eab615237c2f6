"""粤政易: a password alone never opens the workbench; the TOTP step does."""

import re

import pytest
from browser_steps import login

from digigov.portals.testing import PASSWORD, staff_make, totp_code, totp_device_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_with_totp_reaches_the_workbench(open_browser, base_url, screenshot):
    staff = staff_make(username="clerk01", roles=("审批人员", "窗口受理人员"))
    device = totp_device_make(staff)
    page = open_browser().page
    page.goto(f"{base_url}/staff/")
    login(page, base_url, username="clerk01", password=PASSWORD)
    assert "/login/otp/" in page.url
    page.get_by_label("动态验证码").fill(totp_code(device))
    with page.expect_navigation():
        page.get_by_role("button", name="验证").click()
    assert page.url == f"{base_url}/staff/"
    assert page.get_by_test_id("organization").inner_text() == "广东省政务服务数据管理局"
    assert page.get_by_test_id("roles").inner_text() == "审批人员、窗口受理人员"
    assert page.get_by_role("link", name=re.compile("后台管理")).get_attribute("href") == "/admin/"
    assert page.get_by_role("link", name=re.compile("接口文档")).get_attribute("href") == (
        "/api/v1/docs"
    )
    screenshot(page, "staff-home")


def test_staff_without_the_second_factor_cannot_enter(open_browser, base_url):
    staff = staff_make(username="clerk02")
    device = totp_device_make(staff)
    page = open_browser().page
    login(page, base_url, username="clerk02", password=PASSWORD, next_path="/staff/")
    assert "/login/otp/" in page.url
    # Skipping the step: the workbench sends the browser back to it.
    page.goto(f"{base_url}/staff/")
    assert "/login/otp/" in page.url or "/login/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() != "工作台"
    # A wrong code keeps the door shut.
    page.goto(f"{base_url}/login/otp/")
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    page.get_by_label("动态验证码").fill(wrong)
    with page.expect_navigation():
        page.get_by_role("button", name="验证").click()
    assert "/login/otp/" in page.url
    assert "验证码" in page.locator("main .errorlist").first.inner_text()
    page.goto(f"{base_url}/staff/")
    assert not page.url.endswith("/staff/")
