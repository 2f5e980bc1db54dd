"""Shared fixtures: one browser per test session, a fresh context per test (as Playwright's own
suite does), replica portals (tests/replicas.py), and one real IMAP server per session
(tests/mailserver.py)."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from assistant import log

if TYPE_CHECKING:
    from mailserver import MailServer
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright
    from replicas import Replicas


@pytest.fixture(autouse=True, scope="session")
def _no_personal_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test (nor any command a test starts) reads the developer's own config file, keyring
    password or mailbox, nor writes into their data folder (journal, remembered options): an
    empty config folder and data folder, and no password in the environment. Nor does the
    width of the shell that runs them count (pytest-xdist's workers see COLUMNS=80): a test
    that wants a width sets it."""
    names = (
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "ASSISTANT_DATA_DIR",
        "ASSISTANT_IMAP_PASSWORD",
        "COLUMNS",
        "LINES",
    )
    saved = {name: os.environ.get(name) for name in names}
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    for name in ("ASSISTANT_DATA_DIR", "ASSISTANT_IMAP_PASSWORD", "COLUMNS", "LINES"):
        os.environ.pop(name, None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailServer]:
    """A real IMAP server (pymap) on 127.0.0.1 with a throwaway CA, started once per session
    and stopped at its end; see tests/mailserver.py."""
    from mailserver import start_mail_server

    server = start_mail_server(tmp_path_factory.mktemp("mailserver"), secrets.token_urlsafe(12))
    yield server
    server.stop()


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
    from assistant.browser import launch as browser_module

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
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    """Start replica portals: `portal = replica("classic", faults=("slow",))` (tests/replicas.py
    says what else it takes). Each gets its own data dir unless `data_dir=` is given; all are
    stopped at teardown."""
    from replicas import Replicas

    started = Replicas(lambda: tmp_path_factory.mktemp("replica"))
    yield started
    started.stop_all()


@pytest.fixture
def turn_listeners() -> Iterator[tuple[int, list[str]]]:
    """A TURN server's ports on 127.0.0.3 (another loopback address than the portal's),
    UDP and TCP: what reaches them. `(port, heard)`."""
    heard: list[str] = []
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.3", 0))
    port = int(udp.getsockname()[1])
    tcp = socket.create_server(("127.0.0.3", port))
    udp.settimeout(0.1)
    tcp.settimeout(0.1)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                heard.append(f"udp {udp.recv(4096)[:4].hex()}")
            with contextlib.suppress(OSError):
                conn, _ = tcp.accept()
                heard.append("tcp")
                conn.close()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    yield port, heard
    stop.set()
    thread.join()
    udp.close()
    tcp.close()
