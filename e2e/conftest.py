"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
live server. Run with `pytest -m e2e e2e`; never downloads a browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_steps import ARTIFACTS, CHROMIUM, DESKTOP, Browser

# Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} 不存在：apt-get install chromium")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def open_browser(playwright_instance) -> Iterator[Callable[..., Browser]]:
    """Factory: `open_browser(viewport=PHONE)`. Every browser opened in a test must have
    talked to the live server only; checked when the test ends."""
    opened: list[Browser] = []

    def _open(*, viewport: dict[str, int] = DESKTOP) -> Browser:
        browser = Browser(playwright_instance, viewport=viewport)
        opened.append(browser)
        return browser

    yield _open
    foreign = [url for browser in opened for url in browser.foreign_requests()]
    for browser in opened:
        browser.close()
    assert not foreign, f"页面请求了外部地址: {foreign}"


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    def _shot(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def registry(transactional_db):
    from digigov.portals.testing import registry_make

    return registry_make(people=6, entities=2)
