"""The only module that imports Playwright: finds a usable Chromium and launches it.

Order of preference: Playwright's own Chromium (when `playwright install chromium` has run), then a
system Chromium or Chrome (Debian's `chromium`, Google Chrome), or the executable named by
`$ASSISTANT_BROWSER`. `make setup` (see `assistant.browser.provision`) installs one when none
exists.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.browser.driver import driver_in_own_session
from assistant.browser.guarded_context import GuardedContext
from assistant.errors import BrowserMissing
from assistant.log import get_logger

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        Playwright,
    )

log = get_logger(__name__)

ENV_BROWSER = "ASSISTANT_BROWSER"
SYSTEM_CANDIDATES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)
# Flags for a quiet, closed network: without them Chromium phones home at every start.
QUIET_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
# WebRTC may use no UDP but through a proxy: with every context behind its network fence (a
# SOCKS5 proxy, which carries no UDP), a peer connection can reach nothing the fence does not
# allow. Debian's Chromium reads the first spelling, Chrome the second. Without site isolation
# every frame of the portal shares its page's process: a sandboxed iframe in a process of its
# own ran its first script before Playwright's routing and init scripts reached it (seen with
# Chromium 156: its requests went out unrouted). The browser visits the portal's hosts only.
CHANNEL_FLAGS = (
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-site-isolation-trials",
)

INSTALL_HINT = (
    "No usable Chromium was found. Install one of:\n"
    "  - Playwright's own:  .venv/bin/playwright install chromium\n"
    "  - Debian/Ubuntu:     sudo apt-get install -y chromium\n"
    "  - Fedora:            sudo dnf install chromium\n"
    "  - macOS:             install Google Chrome, or run the Playwright command above\n"
    f"or point ${ENV_BROWSER} at a Chromium or Chrome executable, then run `assistant doctor`."
)


@dataclass(frozen=True, slots=True)
class BrowserInfo:
    """A Chromium the assistant can drive: where it is, what it is, and where it came from."""

    executable: Path
    version: str
    source: str  # "playwright", "system" or "env"

    @property
    def major(self) -> int | None:
        """The major version number, if the version string holds one."""
        match = re.search(r"(\d+)\.", self.version)
        return int(match.group(1)) if match else None


def playwright_version() -> str:
    """The installed Playwright package's version."""
    from importlib.metadata import version

    return version("playwright")


def _browsers_json() -> dict[str, Any] | None:
    """Playwright's `browsers.json`: the browser builds this release expects."""
    spec = importlib_util.find_spec("playwright")
    if spec is None or spec.origin is None:
        return None
    browsers = Path(spec.origin).parent / "driver" / "package" / "browsers.json"
    try:
        data = json.loads(browsers.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _chromium_entry() -> dict[str, Any] | None:
    for entry in (_browsers_json() or {}).get("browsers", []):
        if isinstance(entry, dict) and entry.get("name") == "chromium":
            return entry
    return None


def expected_chromium_version() -> str | None:
    """The Chromium version this Playwright release was built and tested against."""
    entry = _chromium_entry()
    return str(entry.get("browserVersion")) if entry is not None else None


def _executable_version(executable: Path) -> str:
    try:
        result = subprocess.run(
            [str(executable), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return result.stdout.strip() or "unknown"


# Where `playwright install chromium` puts Chrome for Testing inside `chromium-<revision>/`
# (Playwright 1.65's registry, by `platform.system()` and `platform.machine()`).
_PLAYWRIGHT_EXECUTABLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Linux", "x86_64"): ("chrome-linux64", "chrome"),
    ("Linux", "aarch64"): ("chrome-linux-arm64", "chrome"),
    ("Darwin", "x86_64"): (
        "chrome-mac-x64",
        "Google Chrome for Testing.app",
        "Contents",
        "MacOS",
        "Google Chrome for Testing",
    ),
    ("Darwin", "arm64"): (
        "chrome-mac-arm64",
        "Google Chrome for Testing.app",
        "Contents",
        "MacOS",
        "Google Chrome for Testing",
    ),
    ("Windows", "AMD64"): ("chrome-win64", "chrome.exe"),
}


def _playwright_registry() -> Path:
    """The folder Playwright installs browsers into, as its driver computes it."""
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if configured == "0":
        spec = importlib_util.find_spec("playwright")
        package = Path(spec.origin).parent if spec and spec.origin else Path()
        return package / "driver" / "package" / ".local-browsers"
    if configured:
        return Path(configured).absolute()
    system = platform.system()
    if system == "Darwin":
        cache = Path.home() / "Library" / "Caches"
    elif system == "Windows":
        cache = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "ms-playwright"


def _playwright_chromium() -> Path | None:
    """Playwright's own Chromium, if `playwright install chromium` has put it on disk.

    Read from disk (browsers.json's revision in Playwright's browser folder): starting a
    Playwright driver just to ask took most of a second, before the driver that launches. Only
    where the layout is unknown here (another platform, a revision override) is the driver
    asked.
    """
    entry = _chromium_entry()
    tokens = _PLAYWRIGHT_EXECUTABLES.get((platform.system(), platform.machine()))
    if entry is not None and tokens is not None and not entry.get("revisionOverrides"):
        path = _playwright_registry() / f"chromium-{entry.get('revision')}"
        path = path.joinpath(*tokens)
        return path if path.is_file() else None
    return _playwright_chromium_from_driver()


def _playwright_chromium_from_driver() -> Path | None:
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as p:
            path = Path(p.chromium.executable_path)
    except Error:
        return None
    return path if path.is_file() else None


def find_browser() -> BrowserInfo:
    """The Chromium to drive, or `BrowserMissing` with what to install."""
    override = os.environ.get(ENV_BROWSER)
    if override:
        path = Path(override)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrowserMissing(
                f"${ENV_BROWSER} is set to {override}, which is not executable. "
                f"Unset it or point it at Chromium or Chrome.\n{INSTALL_HINT}"
            )
        return BrowserInfo(path, _executable_version(path), "env")
    own = _playwright_chromium()
    if own is not None:
        return BrowserInfo(own, expected_chromium_version() or "unknown", "playwright")
    system = find_system_browser()
    if system is not None:
        return system
    raise BrowserMissing(INSTALL_HINT)


def find_system_browser() -> BrowserInfo | None:
    """A Chromium or Chrome on PATH, if any."""
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            path = Path(found)
            return BrowserInfo(path, _executable_version(path), "system")
    return None


def display_available() -> bool:
    """Whether a headed browser window can be shown here."""
    if platform.system() != "Linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def launch_args() -> list[str]:
    """Command-line flags for Chromium on this machine."""
    args = [*QUIET_FLAGS, *CHANNEL_FLAGS]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to start its sandbox as root.
        args.append("--no-sandbox")
    return args


def launch(playwright: Playwright, info: BrowserInfo, *, headless: bool) -> Browser:
    """Launch `info`'s Chromium; headed unless asked otherwise or no display exists."""
    if not headless and not display_available():
        log.warning("No display found (DISPLAY is not set); running the browser headless.")
        headless = True
    executable = None if info.source == "playwright" else str(info.executable)
    return playwright.chromium.launch(
        executable_path=executable,
        headless=headless,
        args=launch_args(),
        chromium_sandbox=False,
    )


@contextmanager
def running_browser(info: BrowserInfo, *, headless: bool) -> Iterator[Browser]:
    """A launched browser for the duration of the block, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with driver_in_own_session():
        p = sync_playwright().start()
    try:
        browser = launch(p, info, headless=headless)
        try:
            yield browser
        finally:
            GuardedContext.close_all()  # never closed under a context: its pages would unload
            browser.close()
    finally:
        p.stop()


def smoke_test(info: BrowserInfo) -> str:
    """Launch `info` headless on a blank page; the browser's own version on success."""
    with running_browser(info, headless=True) as browser:
        page = browser.new_page()
        page.goto("about:blank")
        page.set_content("<title>ok</title><p id=ok>ok</p>")
        text = page.text_content("#ok")
        if text != "ok":
            raise BrowserMissing(f"{info.executable} started but did not render a page.")
        return browser.version


# -- portal contexts: the request guard at work, the network fence, page loads with retries ----
