"""Make sure a usable Chromium exists; run by `make setup` as `python -m assistant.provision`.

Order: Playwright's own Chromium if installed; else `playwright install chromium`; else a system
Chromium or Chrome; else, on Debian or Ubuntu as root, `apt-get install -y chromium`; else a
message saying exactly what to install (exit 5). The browser found is remembered in the virtual
environment so that later runs of `make setup` return at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from assistant import browser
from assistant.errors import BrowserMissing, ExitCode

STAMP = Path(sys.prefix) / ".browser"
INSTALL_TIMEOUT_S = 600


def _say(message: str) -> None:
    print(f"setup: {message}", file=sys.stderr)


def _debian_like() -> bool:
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8").lower()
    except OSError:
        return False
    return any(name in text for name in ("debian", "ubuntu"))


def _run(command: list[str]) -> bool:
    _say("running " + " ".join(command[1:] if command[0] == sys.executable else command))
    try:
        result = subprocess.run(
            command, timeout=INSTALL_TIMEOUT_S, check=False, capture_output=True, text=True
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        _say(f"that failed: {error}")
        return False
    if result.returncode != 0:
        lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        _say("that failed: " + (lines[0].strip() if lines else f"exit {result.returncode}"))
    return result.returncode == 0


def _remembered() -> Path | None:
    try:
        path = Path(STAMP.read_text(encoding="utf-8").strip())
    except OSError:
        return None
    return path if path.is_file() else None


def provision() -> browser.BrowserInfo:
    """Find or install a browser, in the documented order; `BrowserMissing` when all fail."""
    if os.environ.get(browser.ENV_BROWSER):
        return browser.find_browser()
    if _remembered() is not None:
        return browser.find_browser()
    own = browser._playwright_chromium()
    if own is None:
        _run([sys.executable, "-m", "playwright", "install", "chromium"])
        own = browser._playwright_chromium()
    if own is not None:
        return browser.find_browser()
    system = browser.find_system_browser()
    if system is not None:
        return system
    if _debian_like() and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "chromium"],
        ):
            _say("running " + " ".join(command))
            subprocess.run(command, env=env, timeout=INSTALL_TIMEOUT_S, check=False)
        system = browser.find_system_browser()
        if system is not None:
            return system
    raise BrowserMissing(browser.INSTALL_HINT)


def main() -> int:
    try:
        info = provision()
    except BrowserMissing as error:
        _say(str(error))
        return int(ExitCode.NO_BROWSER)
    STAMP.write_text(str(info.executable), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
