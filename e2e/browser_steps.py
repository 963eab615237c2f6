"""The browser side of the e2e tests: launching Debian's Chromium with a fresh profile,
recording every request, and the steps a person takes (signing in)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

CHROMIUM = os.environ.get("DIGIGOV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Browser:
    """One Chromium with a fresh profile, recording every request the pages make."""

    def __init__(self, playwright, *, viewport: dict[str, int]) -> None:
        self.profile = tempfile.mkdtemp(prefix="digigov-chromium-")
        self.context = playwright.chromium.launch_persistent_context(
            self.profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            service_workers="block",
        )
        self.context.set_default_timeout(10_000)
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the live server (data: and blob: URLs never leave)."""
        foreign = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob", "about"}:
                continue
            if parts.hostname not in LOCAL_HOSTS:
                foreign.append(url)
        return foreign

    def close(self) -> None:
        self.context.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def login(page, base_url: str, *, username: str, password: str, next_path: str = "") -> None:
    """Sign in through the identity provider's login page, as a person would."""
    target = f"{base_url}/login/" + (f"?next={quote(next_path)}" if next_path else "")
    if not page.url.startswith(f"{base_url}/login/"):
        page.goto(target)
    page.get_by_label("用户名").fill(username)
    page.get_by_label(re.compile(r"^密码")).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()


def staff_login(page, base_url: str, *, username: str, password: str, code: str, next_path: str):
    """A civil servant signs in: password, then the authenticator code (staff pages need
    the second factor), landing on `next_path`."""
    login(page, base_url, username=username, password=password, next_path=next_path)
    assert "/login/otp/" in page.url, page.url
    page.get_by_label("动态验证码").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="验证").click()
    assert page.url == f"{base_url}{next_path}", page.url
