"""广东政务服务网 and the login redirects, for anonymous visitors; assets are all local."""

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_pages_are_local_only_and_keyboard_usable(open_browser, base_url, screenshot):
    browser = open_browser()
    page = browser.page
    page.goto(f"{base_url}/")
    assert page.get_attribute("html", "lang") == "zh-CN"
    for name in ["粤省事", "粤商通", "粤政易"]:
        assert page.get_by_role("link", name=re.compile(name)).count() >= 1
    # The first Tab lands on the skip link, which is then visible and leads to <main>.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到主要内容"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))  # the hash navigation may land a moment later
    screenshot(page, "web-home")

    for path in ["/portals/", "/about/", "/login/"]:
        page.goto(f"{base_url}{path}")
        assert page.locator("main h1").count() == 1
    screenshot(page, "login")
    css = [url for url in browser.requests if url.endswith(".css")]
    assert css and all(url.startswith(base_url) for url in css)
    assert browser.requests, "no requests recorded"
    assert browser.foreign_requests() == []


@pytest.mark.parametrize("path", ["/citizen/", "/citizen/relatives/", "/business/", "/staff/"])
def test_anonymous_is_sent_to_login(open_browser, base_url, path):
    page = open_browser().page
    page.goto(f"{base_url}{path}")
    assert page.url.startswith(f"{base_url}/login/?next=")
    assert page.get_by_role("heading", level=1).inner_text() == "统一身份认证登录"
