"""Make sure a usable Chromium exists; run by `make setup` as `python -m
assistant.browser.provision`.

Order: Playwright's own Chromium if installed; else `playwright install chromium`; else a system
Chromium or Chrome; else, on Debian or Ubuntu as root, `apt-get install -y chromium`; else a
message saying exactly what to install (exit 5). The browser found is remembered in the virtual
environment so that later runs of `make setup` return at once.

What a person sees is a line per step in plain words: what is tried, and what is used in the
end ("no browser download available here (cdn.playwright.dev cannot be reached); using
/usr/bin/chromium 156"). The installers' own output goes to `LOG` in the virtual environment,
never to the screen, except when no browser could be had at all: then the last lines of the
installer that failed, which say why, are shown before what to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.browser import launch
from assistant.errors import BrowserMissing, ExitCode

STAMP = Path(sys.prefix) / ".browser"
LOG = Path(sys.prefix) / "browser-setup.log"
INSTALL_TIMEOUT_S = 600
DOWNLOAD = [sys.executable, "-m", "playwright", "install", "chromium"]
TAIL_LINES = 6

# Node's words for a host that cannot be reached (name not found, refused, no route, timed out).
_UNREACHABLE = re.compile(
    r"\b(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b"
)
_LOOKUP_HOST = re.compile(r"getaddrinfo \w+ (\S+)")
_DOWNLOAD_HOST = re.compile(r"\bfrom https?://([^/\s:]+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One installer run: what ran, how it ended (None: it could not start or timed out) and
    what it printed (also in `LOG`)."""

    what: str
    returncode: int | None
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _say(message: str) -> None:
    print(f"setup: {message}", file=sys.stderr, flush=True)


def _shown(path: Path) -> str:
    """`path` as `.venv/…` when run from the project folder (as `make setup` runs it), else
    whole."""
    venv = Path(sys.prefix)
    if venv.parent == Path.cwd() and path.is_relative_to(venv):
        return str(path.relative_to(venv.parent))
    return str(path)


def _debian_like() -> bool:
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8").lower()
    except OSError:
        return False
    return any(name in text for name in ("debian", "ubuntu"))


def _can_apt() -> bool:
    """Whether `apt-get install chromium` may be tried here: Debian or Ubuntu, as root."""
    return _debian_like() and os.geteuid() == 0 and shutil.which("apt-get") is not None


def _install(what: str, command: list[str], env: dict[str, str] | None = None) -> Attempt:
    """Run one installer with its output (stdout and stderr) appended to `LOG`."""
    start = LOG.stat().st_size if LOG.exists() else 0
    with LOG.open("a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        try:
            result = subprocess.run(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                timeout=INSTALL_TIMEOUT_S,
                check=False,
            )
            code: int | None = result.returncode
        except subprocess.TimeoutExpired:
            log.write(f"(stopped after {INSTALL_TIMEOUT_S} s)\n")
            code = None
        except OSError as error:
            log.write(f"(could not start: {error})\n")
            code = None
    with LOG.open(encoding="utf-8", errors="replace") as log:
        log.seek(start)
        output = log.read()
    return Attempt(what, code, output)


def _why_download_failed(attempt: Attempt) -> str:
    """A short reason for a failed `playwright install`, in a person's words."""
    text = _ANSI.sub("", attempt.output)
    if _UNREACHABLE.search(text):
        found = _LOOKUP_HOST.search(text) or _DOWNLOAD_HOST.search(text)
        host = found.group(1).strip("'\"") if found else "the download server"
        return f"no browser download available here ({host} cannot be reached)"
    if attempt.returncode is None:
        return "Playwright's browser download did not finish"
    return f"Playwright's browser download failed (see {_shown(LOG)})"


def explaining_lines(output: str, count: int = TAIL_LINES) -> list[str]:
    """The last `count` lines of an installer's output that say something: without terminal
    colours, blank lines, progress bars, the stack frames and fields of a Node error, or the
    earlier copies of a line repeated (a download is retried)."""
    lines: list[str] = []
    for raw in _ANSI.sub("", output).splitlines():
        line = raw.rstrip()
        if not line.strip() or line.startswith((" ", "\t", "$ ")) or line in ("{", "}"):
            continue
        if "%" in line and "|" in line:  # a progress bar
            continue
        if line in lines:
            lines.remove(line)
        lines.append(line)
    return lines[-count:]


def _using(info: launch.BrowserInfo) -> str:
    return f"using {info.executable} {info.major or info.version}"


def _remembered() -> Path | None:
    try:
        path = Path(STAMP.read_text(encoding="utf-8").strip())
    except OSError:
        return None
    return path if path.is_file() else None


def _failed(attempts: list[Attempt]) -> None:
    """Say why the last installer failed, in its own last words."""
    failed = [a for a in attempts if not a.ok]
    if not failed:
        return
    last = failed[-1]
    ending = "did not finish" if last.returncode is None else f"failed (exit {last.returncode})"
    tail = explaining_lines(last.output)
    _say(f"{last.what} {ending}; {'its last lines' if tail else 'it printed nothing'}:")
    for line in tail:
        print(f"    {line}", file=sys.stderr)
    _say(f"everything it printed is in {_shown(LOG)}")


def provision() -> launch.BrowserInfo:
    """Find or install a browser, in the documented order, saying what it tries and what it
    uses; `BrowserMissing` when all fail (after showing why the last installer failed)."""
    if os.environ.get(launch.ENV_BROWSER):
        return launch.find_browser()
    if _remembered() is not None:
        return launch.find_browser()
    LOG.write_text("", encoding="utf-8")  # this run's installers only
    attempts: list[Attempt] = []
    own = launch._playwright_chromium()
    failed_download = ""  # why the download did not give a browser, in a person's words
    if own is None:
        _say(f"downloading Playwright's Chromium; details go to {_shown(LOG)}")
        download = _install("playwright install chromium", DOWNLOAD)
        attempts.append(download)
        own = launch._playwright_chromium()
        if own is None:
            failed_download = _why_download_failed(download)
    then = f"{failed_download}; " if failed_download else ""
    if own is not None:
        info = launch.find_browser()
        _say(then + _using(info))
        return info
    system = launch.find_system_browser()
    if system is not None:
        _say(then + _using(system))
        return system
    if _can_apt():
        _say(f"{then}installing Debian's chromium with apt-get; details go to {_shown(LOG)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for what, command in (
            ("apt-get update", ["apt-get", "update", "-qq"]),
            ("apt-get install chromium", ["apt-get", "install", "-y", "-qq", "chromium"]),
        ):
            attempts.append(_install(what, command, env))
        system = launch.find_system_browser()
        if system is not None:
            _say(_using(system))
            return system
    else:
        _say(f"{failed_download}, and no Chromium or Chrome is installed here")
    _failed(attempts)
    raise BrowserMissing(launch.INSTALL_HINT)


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
