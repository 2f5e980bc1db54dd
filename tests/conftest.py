"""Shared fixtures: one browser per test session, a fresh context per test (as Playwright's own
suite does), and the replica portal (added by the replica module)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from assistant import log

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

    from assistant.replica import Replica


@pytest.fixture(autouse=True)
def _clean_secrets() -> Iterator[None]:
    """Each test starts with no registered secrets, so masks never leak across tests."""
    log.forget_secrets()
    yield
    log.forget_secrets()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    from assistant import browser as browser_module

    info = browser_module.find_browser()
    launched = browser_module.launch(playwright_instance, info, headless=True)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context()
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Replica]]:
    """Start replica portals: `portal = replica(layout="classic", faults=("slow",))`.

    Each gets its own data dir unless `data_dir=` is given; all are stopped at teardown.
    """
    from assistant.replica import Replica

    started: list[Replica] = []

    def start(layout: str = "wizard", faults: tuple[str, ...] = (), **options: Any) -> Replica:
        options.setdefault("data_dir", tmp_path_factory.mktemp("replica"))
        portal = Replica(layout=layout, faults=faults, **options).start()
        started.append(portal)
        return portal

    yield start
    for portal in started:
        portal.stop()
