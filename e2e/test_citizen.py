"""粤省事 in a phone-sized browser: login, profile and level, elderly mode, 亲友代办."""

import datetime
import re

import pytest
from browser_steps import PHONE, login
from django.utils import timezone

from digigov.kernel.ids import mask_id_number
from digigov.portals.testing import PASSWORD, citizen_make
from digigov.support.identity.models import Delegation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_citizen_logs_in_sees_profile_toggles_elderly_and_manages_relatives(
    open_browser, base_url, registry, screenshot
):
    citizen = citizen_make(username="zhangsan", id_number=registry.id_numbers[0])
    relative_id = registry.id_numbers[1]
    relative_name = registry.name_of(relative_id)
    page = open_browser(viewport=PHONE).page

    # Anonymous: the portal sends the visitor to the login page and back afterwards.
    page.goto(f"{base_url}/citizen/")
    assert re.search(r"/login/\?next=%2Fcitizen%2F$", page.url)
    login(page, base_url, username="zhangsan", password=PASSWORD)
    assert page.url == f"{base_url}/citizen/"
    assert page.get_by_role("heading", level=1).inner_text() == f"您好，{citizen.real_name}"
    assert "L2" in page.get_by_test_id("real-name-level").inner_text()
    assert _no_horizontal_scroll(page)
    screenshot(page, "citizen-home-390")

    with page.expect_navigation():
        page.get_by_role("link", name="个人资料").first.click()
    assert page.get_by_test_id("id-number").inner_text() == mask_id_number(citizen.person_id)
    assert citizen.person_id not in page.content()
    assert "138****8000" in page.get_by_test_id("phone").inner_text()

    # Elderly mode from the keyboard: focus the labelled toggle and press Enter.
    toggle = page.get_by_role("button", name=re.compile("^长辈模式"))
    assert toggle.get_attribute("aria-pressed") == "false"
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    toggle.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base_url}/citizen/profile/"
    assert "elderly" in page.evaluate("document.body.className").split()
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20 > before
    assert (
        page.get_by_role("button", name=re.compile("^长辈模式")).get_attribute("aria-pressed")
        == "true"
    )
    assert _no_horizontal_scroll(page)
    screenshot(page, "citizen-profile-elderly-390")

    # 亲友代办: grant through the form, then revoke.
    with page.expect_navigation():
        page.get_by_role("link", name="亲友代办").first.click()
    page.get_by_label("亲友姓名").fill(relative_name)
    page.get_by_label("亲友身份证号").fill(relative_id)
    page.get_by_label("代为申办").check()
    page.get_by_label("代为查询").check()
    page.get_by_label("有效期至").fill("2099-01-01")  # beyond the longest allowed expiry
    with page.expect_navigation():
        page.get_by_role("button", name="确认授权").click()
    assert "有效期最长为" in page.locator("main").inner_text()
    assert Delegation.objects.count() == 0

    page.get_by_label("有效期至").fill(_in_days(90))
    with page.expect_navigation():
        page.get_by_role("button", name="确认授权").click()
    assert "已授权亲友代办" in page.get_by_role("status").inner_text()
    granted = page.get_by_test_id("granted")
    assert "代为申办、代为查询" in granted.inner_text()
    delegation = Delegation.objects.get()
    assert delegation.agent_id_number == relative_id and delegation.revoked_at is None
    assert _no_horizontal_scroll(page)
    screenshot(page, "citizen-relatives-elderly-390")

    with page.expect_navigation():
        granted.get_by_role("button", name=re.compile("撤销")).click()
    assert "已撤销" in page.get_by_role("status").inner_text()
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None

    # The preference outlives the session: after logout the public page is still large.
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()
    assert "elderly" in page.evaluate("document.body.className").split()


def _in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize("elderly", [False, True], ids=["standard", "elderly"])
def test_citizen_pages_fit_a_390px_phone(open_browser, base_url, registry, elderly):
    citizen_make(username="zhangsan", id_number=registry.id_numbers[0])
    browser = open_browser(viewport=PHONE)
    if elderly:
        browser.context.add_cookies([{"name": "digigov_elderly", "value": "1", "url": base_url}])
    page = browser.page
    login(page, base_url, username="zhangsan", password=PASSWORD, next_path="/citizen/")
    for path in ["/citizen/", "/citizen/profile/", "/citizen/relatives/"]:
        page.goto(f"{base_url}{path}")
        assert page.evaluate("window.innerWidth") == 390
        assert _no_horizontal_scroll(page), path
        body_classes = page.evaluate("document.body.className").split()
        assert ("elderly" in body_classes) is elderly


def test_elderly_mode_is_one_column_on_a_wide_screen(open_browser, base_url, registry):
    citizen_make(username="zhangsan", id_number=registry.id_numbers[0])
    page = open_browser().page  # desktop width: the standard layout has two columns
    login(page, base_url, username="zhangsan", password=PASSWORD, next_path="/citizen/")

    def columns() -> int:
        tracks = page.evaluate(
            "getComputedStyle(document.querySelector('.cards')).gridTemplateColumns"
        )
        return len(tracks.split())

    assert columns() == 2
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^长辈模式")).click()
    assert columns() == 1
    button = page.locator(".button, .site-header button").first
    assert button.bounding_box()["height"] >= 56  # bigger targets
