"""The only module that imports Playwright: finds a usable Chromium and launches it.

Order of preference: Playwright's own Chromium (when `playwright install chromium` has run),
then a system Chromium or Chrome (Debian's `chromium`, Google Chrome), or the executable named
by `$ASSISTANT_BROWSER`. `make setup` (see `assistant.provision`) installs one when none exists.
"""

from __future__ import annotations

import html
import json
import os
import platform
import re
import shutil
import subprocess
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from assistant import request_content, request_guard
from assistant.errors import BrowserMissing, RequestRefused
from assistant.fence import NetworkFence
from assistant.log import get_logger
from assistant.request_content import Expected, Fingerprint, Kind
from assistant.request_guard import Declared, RequestGuard, Seen

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        CDPSession,
        Locator,
        Page,
        Playwright,
        Request,
        Route,
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

    with _driver_in_own_session():
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


@contextmanager
def _driver_in_own_session() -> Iterator[None]:
    """Start Playwright's driver (and so Chromium) in a session of its own.

    Ctrl-C at a terminal signals the whole foreground process group: the driver died with
    the assistant's own KeyboardInterrupt, so a person stopping at the confirmation prompt got
    "Connection closed while reading from the driver" instead of a clean "not confirmed". In
    its own session only the assistant hears Ctrl-C, and closes the browser itself. The driver
    still exits when the assistant dies (its stdin closes).
    """
    import asyncio

    original = asyncio.create_subprocess_exec

    async def spawn(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        if os.name == "posix":
            kwargs.setdefault("start_new_session", True)
        return await original(*args, **kwargs)

    asyncio.create_subprocess_exec = spawn
    try:
        yield
    finally:
        asyncio.create_subprocess_exec = original


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

DEFAULT_LOAD_ATTEMPTS = 4
_TRANSIENT_NET_ERRORS = (
    "net::ERR_CONNECTION_REFUSED",
    "net::ERR_CONNECTION_RESET",
    "net::ERR_CONNECTION_CLOSED",
    "net::ERR_EMPTY_RESPONSE",
    "net::ERR_TIMED_OUT",
    "net::ERR_NETWORK_CHANGED",
    "net::ERR_INTERNET_DISCONNECTED",
    "net::ERR_ADDRESS_UNREACHABLE",
    "net::ERR_NAME_NOT_RESOLVED",
    "net::ERR_HTTP2_PROTOCOL_ERROR",
    "net::ERR_SOCKS_CONNECTION_FAILED",
    "net::ERR_SOCKS_CONNECTION_HOST_UNREACHABLE",
    "net::ERR_ABORTED",  # the load was cut short (the error page of the one before committing)
    "NS_ERROR_NET",
)


def playwright_errors() -> tuple[type[Exception], type[Exception]]:
    """Playwright's (Error, TimeoutError) classes, for callers that must not import it."""
    from playwright.sync_api import Error, TimeoutError

    return Error, TimeoutError


SAFE_METHODS = request_guard.SAFE_METHODS
# A request in flight longer than this (a long poll, a stream) no longer holds up readiness.
IN_FLIGHT_MAX_S = 10.0
# How long a gate may wait, before it opens, for the page's own requests to be decided.
DRAIN_MAX_S = 1.0
# Resolves once the page has no fetch/XHR in flight (timers and the DOM not waited for), or
# after the given milliseconds; a page without the assistant's script answers at once.
_SETTLE_REQUESTS_JS = (
    "(ms) => window.__assistant ? window.__assistant.idle(0, ms, Math.min(ms, 10), false) : 0"
)
# Response headers a document keeps only without them: rules that make Chromium prefetch or
# prerender URLs past routing (`assistant/js/channels.js` removes the in-page kind).
_DROPPED_HEADERS = frozenset({"speculation-rules"})
# What each channel `channels.js` removes is called when a page's error names it.
_CHANNEL_NAMES = {
    "RTCPeerConnection": "a WebRTC connection",
    "webkitRTCPeerConnection": "a WebRTC connection",
    "RTCDataChannel": "a WebRTC data channel",
    "WebSocket": "a WebSocket",
    "WebSocketStream": "a WebSocket",
    "WebTransport": "a WebTransport session",
    "SharedWorker": "a shared worker",
    "Worker": "a worker",
    "fetchLater": "a deferred request (fetchLater)",
}
# Errors of a page script that name a channel `channels.js` removed: the page tried to use it.
_CLOSED_CHANNEL = re.compile(rf"\b({'|'.join(sorted(_CHANNEL_NAMES, key=len, reverse=True))})\b")


@dataclass(frozen=True, slots=True)
class SubmitRule:
    """A request a map names (method and URL glob, e.g. `**/fcr/submit`)."""

    method: str
    url_glob: str

    def declared(self, name: str, carries: frozenset[Kind] = frozenset()) -> Declared:
        """The same rule as the request guard takes it."""
        return Declared(name, self.method, self.url_glob, carries)


def channels_script() -> str:
    """The script that closes the channels routing does not show (`assistant/js/channels.js`)."""
    from importlib import resources

    return resources.files("assistant").joinpath("js", "channels.js").read_text(encoding="utf-8")


class GuardedContext:
    """A fresh browser context for one submission, fenced in; every decision about a request
    is the request guard's (`assistant.request_guard`), this class only carries it out.

    - Every request of every page, frame and worker of the context passes `guard.decide`
      before it is sent; one it refuses is aborted, and so is one whose decision raised (fail
      closed). A violation is raised as `RequestRefused` by `raise_if_refused`, which the
      session calls at every step, and at the end of each gate.
    - The gates: `declared(...)` around a click the map makes (writes up to the number it
      declares, carrying what it declares), `submitting(expected)` around the one submit
      click after the person typed `submit`. Before either opens, events already queued are
      decided with the gate shut (`drain`): a write the page made while the assistant waited
      for the person never rides through a gate opened later.
    - Channels routing does not see are closed in the page (`channels.js`); the context
      reaches the network only through its fence (`assistant.fence`), which lets only the
      portal's hosts through, and nothing once `close` begins.
    - Service workers are blocked; HTTPS errors are never ignored; popups are refused and
      closed; a redirect to another host is refused before it is followed.
    - Requests in flight are tracked from the context's events (`in_flight`), for readiness.
    - The page script (`assistant/js/page.js`) is installed before any page script runs.
    """

    # Every context still open, so that the browser is never closed under one (`close_all`).
    _open: ClassVar[weakref.WeakSet[GuardedContext]] = weakref.WeakSet()

    def __init__(
        self,
        browser: Browser,
        allowed_hosts: list[str],
        submit: SubmitRule | None = None,
        *,
        allowed: Sequence[SubmitRule | Declared] = (),
        trace: Path | None = None,
        fingerprint: Fingerprint | None = None,
    ) -> None:
        from assistant.locate import page_script

        declared = [
            rule.declared(f"{rule.method} {rule.url_glob}")
            if isinstance(rule, SubmitRule)
            else rule
            for rule in allowed
        ]
        self.guard = RequestGuard.for_hosts(
            allowed_hosts,
            fingerprint or Fingerprint(frozenset(), "", ""),
            declared,
            submit.declared("submit", _ALL_KINDS) if submit is not None else None,
        )
        self.fence = NetworkFence(allowed_hosts)
        self.closed_popups: list[str] = []
        self.channels_tried: list[str] = []  # channels the page reached for, which were closed
        self.submit_writes_seen = 0  # writes the page started while `submitting()`
        self.submit_answers: list[int] = []  # HTTP status of each answer to those writes
        self._submit_requests: set[Request] = set()
        self._refused: set[Request] = set()  # requests the guard refused (they end at once)
        self._submit_waiting: set[Request] = set()  # of those, the ones not answered yet
        self._flying: dict[Request, float] = {}
        self._closed = False
        self.trace = trace
        self.saved_trace: Path | None = None  # where the trace went, once closed
        self.context = browser.new_context(
            service_workers="block",
            accept_downloads=False,
            proxy=self.fence.proxy,  # type: ignore[arg-type]
        )
        GuardedContext._open.add(self)
        try:
            self.context.add_init_script(script=channels_script())
            self.context.add_init_script(script=page_script())
            if trace is not None:
                # A trace stores every value typed and every request body: it is written into
                # the run's private folder and made 0600 at close (Playwright writes it 0644).
                self.context.tracing.start(screenshots=True, snapshots=True)
            self.context.route("**/*", self._route)
            self.context.route_web_socket("**/*", self._web_socket)
            self.context.on("request", self._started)
            self.context.on("requestfinished", self._ended)
            self.context.on("requestfailed", self._ended)
            self.context.on("response", self._answered)
            self.page = self.context.new_page()
            _BY_PAGE[self.page] = self
            self.page.on("pageerror", self._page_error)
            self.context.on("page", self._on_popup)
        except BaseException:
            self.close()
            raise

    # -- what the guard found --------------------------------------------------------------

    @property
    def blocked_hosts(self) -> list[str]:
        """Hosts of requests refused because they are not the portal's (in order)."""
        return self.guard.blocked_hosts

    @property
    def blocked_writes(self) -> list[str]:
        """Every write refused, as "POST host/path" (in order)."""
        return self.guard.blocked_writes

    @property
    def submits_sent(self) -> int:
        """How many submit requests left the browser (0 or 1)."""
        return 1 if self.guard.released is not None else 0

    def knows_code(self, code: str) -> None:
        """A code was typed: from now on a request carrying it is recognised."""
        self.guard.knows_code(code)

    def raise_if_refused(self) -> None:
        """Raise `RequestRefused` when the page did something that stops the run."""
        violation = self.guard.violation
        if violation is not None:
            raise RequestRefused(violation)

    # -- requests in flight ----------------------------------------------------------------

    def _started(self, request: Request) -> None:
        import time

        self._flying[request] = time.monotonic()
        if self._submitting and request.method.upper() not in SAFE_METHODS:
            self._submit_waiting.add(request)
            self.submit_writes_seen += 1

    def _ended(self, request: Request) -> None:
        self._flying.pop(request, None)
        self._submit_waiting.discard(request)
        self._refused.discard(request)

    def _answered(self, response: Any) -> None:
        if response.request in self._submit_requests:
            self.submit_answers.append(int(response.status))

    def submit_in_flight(self) -> int:
        """How many requests of the submit click are still waiting for their answer."""
        return len(self._submit_waiting - self._refused)

    def in_flight(self) -> int:
        """How many requests of the page are in flight (not counting long-lived ones)."""
        import time

        now = time.monotonic()
        return sum(1 for at in self._flying.values() if now - at < IN_FLIGHT_MAX_S)

    # -- routing ---------------------------------------------------------------------------

    @property
    def _submitting(self) -> bool:
        return self.guard.is_submitting

    def _route(self, route: Route, request: Request) -> None:
        try:
            seen = self._seen(request)
            verdict = self.guard.decide(seen)
        except Exception as error:  # a decision that fails refuses: the guard fails closed
            log.warning("Blocked a request the guard could not judge (%s).", type(error).__name__)
            self.guard.could_not_judge(request.method, request.url, error)
            self._refused.add(request)
            with suppress(Exception):
                route.abort("blockedbyclient")
            return
        if not verdict.allow:
            self._refused.add(request)
            if verdict.note:
                log.info("Blocked %s %s: %s.", request.method, _path(request.url), verdict.note)
            route.abort("blockedbyclient")
            return
        if self._submitting and seen.write:
            self._submit_requests.add(request)
        if request.method.upper() == "GET" and request.is_navigation_request():
            self._navigate(route)
            return
        route.continue_()

    def _seen(self, request: Request) -> Seen:
        """What the guard needs of `request` (its body as the browser holds it)."""
        headers = request.headers  # with the cookies the page set, under routing
        body = request.post_data_buffer
        announced = headers.get("content-length", "") not in ("", "0") or (
            "content-type" in headers and request.method.upper() not in SAFE_METHODS
        )
        return Seen(
            method=request.method,
            url=request.url,
            body=body,
            content_type=headers.get("content-type", ""),
            own_page=self._own_page(request),
            headers=tuple(headers.items()),
            unread_body=body is None and announced,
        )

    def _own_page(self, request: Request) -> bool:
        """Whether `request` comes from the context's own page (its frames and workers),
        not from a popup or another page. A navigation whose page is not known yet is a new
        page's: it is refused."""
        navigation = request.is_navigation_request()
        try:
            frame = request.frame
        except Exception:  # a worker's request has no frame: its page's rules apply
            return not navigation
        try:
            return frame.page is self.page
        except Exception:
            return False

    def _web_socket(self, socket: Any) -> None:
        """A WebSocket (should `channels.js` not have removed the API): never connected."""
        self.channels_tried.append("a WebSocket")
        log.warning("Blocked a WebSocket to %s: the portal's pages get none.", _path(socket.url))
        with suppress(Exception):
            socket.close(code=1008, reason="blocked")

    def _page_error(self, error: Any) -> None:
        found = _CLOSED_CHANNEL.search(str(getattr(error, "message", error)))
        if found is None:
            return
        what = _CHANNEL_NAMES.get(found.group(1), found.group(1))
        if what not in self.channels_tried:
            self.channels_tried.append(what)
            log.warning(
                "The page tried to open %s, which the assistant switches off; nothing went out "
                "that way.",
                what,
            )

    def drain(self) -> None:
        """Decide, with the gates as they are now, every request the page has already started.

        The browser may report a request a moment after the page script made it, so a round
        trip alone is not enough: the page is waited on until no fetch or XHR of it is in
        flight (each is decided here, and refused ones end at once) and the context sees none
        pending, up to `DRAIN_MAX_S`."""
        import time

        if self._closed:
            return
        error_cls, _ = playwright_errors()
        deadline = time.monotonic() + DRAIN_MAX_S
        with suppress(error_cls):  # a page between documents: nothing of it is waiting
            self.page.evaluate(_SETTLE_REQUESTS_JS, int(DRAIN_MAX_S * 1000))
            while self.in_flight() and time.monotonic() < deadline:
                self.page.evaluate(_SETTLE_REQUESTS_JS, 20)

    @contextmanager
    def declared(
        self, button: str, *, writes: int = 0, carries: frozenset[Kind] = frozenset()
    ) -> Iterator[None]:
        """Let the writes the map declares for `button` (a button of the map, never the
        submit) leave while the block clicks it and waits for its effects to settle; then
        raise `RequestRefused` if the page did anything else."""
        self.drain()
        self.raise_if_refused()
        self.guard.clicking(request_guard.Click(button, writes, carries))
        try:
            yield
        finally:
            self.guard.clicking(None)
        self.raise_if_refused()

    def open_submit(self, expected: Sequence[Expected], writes: int = 1) -> None:
        """Let the one submit request leave, carrying exactly `expected`: called after the
        person typed `submit`, right before the click. `RequestRefused`, with the gate still
        shut, when the page already did something that stops the run."""
        self.drain()
        self.raise_if_refused()
        self.guard.submitting(expected, writes)

    def close_submit(self) -> None:
        """The submit click has settled: nothing more of the kind leaves."""
        self.guard.submitting(None)

    @contextmanager
    def submitting(self, expected: Sequence[Expected], writes: int = 1) -> Iterator[None]:
        """`open_submit` for the block, then `close_submit`."""
        self.open_submit(expected, writes)
        try:
            yield
        finally:
            self.close_submit()

    def _navigate(self, route: Route) -> None:
        """Load a page ourselves so a redirect to another host is refused before it is followed.

        The browser follows redirects without asking route handlers again, so a portal page
        answering 302 to an outside host would otherwise take the browser there unchecked.
        """
        from urllib.parse import urljoin

        from playwright.sync_api import Error

        try:
            response = route.fetch(max_redirects=0)
        except Error as error:
            refused = any(word in str(error) for word in ("ECONNREFUSED", "ConnectionRefused"))
            route.abort("connectionrefused" if refused else "connectionreset")
            return
        location = response.headers.get("location")
        if 300 <= response.status < 400 and location:
            target = urljoin(route.request.url, location)
            hop = Seen("GET", target)
            if not self.guard.hosts.allows(hop.host, hop.port):
                self.guard.blocked_hosts.append(hop.host)
                log.warning("Blocked a redirect to %s: not a host of this portal.", hop.host)
                route.abort("blockedbyclient")
                return
            # Handing the browser the 3xx would let it follow any further hops unrouted; a
            # refresh makes the next hop a new request that passes this handler again.
            headers = {"content-type": "text/html; charset=utf-8", "cache-control": "no-store"}
            if "set-cookie" in response.headers:
                headers["set-cookie"] = response.headers["set-cookie"]
            safe = html.escape(target, quote=True)
            route.fulfill(
                status=200,
                headers=headers,
                body=f'<meta http-equiv="refresh" content="0;url={safe}">',
            )
            return
        if _DROPPED_HEADERS & {k.lower() for k in response.headers}:
            kept = {k: v for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS}
            route.fulfill(response=response, headers=kept)
            return
        route.fulfill(response=response)

    def _on_popup(self, popup: Page) -> None:
        """Another page of the context (a link or form aimed at a new window): its requests
        are all refused, so it holds no document of the portal's; it is closed at once."""
        if popup is self.page:
            return
        self.closed_popups.append(popup.url)
        log.warning("Closed a popup the portal opened (%s).", popup.url[:80])
        error_cls, _ = playwright_errors()
        with suppress(error_cls):
            popup.close()

    # -- the end ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the context so that nothing leaves it any more, whatever its pages do.

        In order: the guard refuses everything, the fence cuts every connection and refuses new
        ones, the context is taken offline, the trace (if any) is saved (0600), and the
        context is closed. Connections refused after that are logged.
        Closing twice is harmless; a trace that cannot be saved is logged, never raised."""
        if self._closed:
            return
        self._closed = True
        GuardedContext._open.discard(self)
        from playwright.sync_api import Error

        try:
            # No call into the page first: with a form post on its way it would wait for the
            # next document. What the page tried before the decision was decided already
            # (`drain`, by whoever made the decision); anything still queued is refused now.
            self.guard.shut()
            self.fence.shut()
            with suppress(Error):
                self.context.set_offline(True)
            if self.trace is not None:
                trace, self.trace = self.trace, None
                try:
                    self.context.tracing.stop(path=trace)
                    trace.chmod(0o600)
                    self.saved_trace = trace
                except (Error, OSError) as error:
                    log.warning("The trace could not be saved: %s", str(error).splitlines()[0])
            with suppress(Error):
                self.context.close()
        finally:
            late = self.fence.quiet()
            self.fence.stop()
        if late:
            # The browser's own (a favicon, a load cut short) as much as the page's: noted.
            log.info(
                "After the context was cut off, %d connection(s) to %s were refused.",
                len(late),
                ", ".join(dict.fromkeys(a.where() for a in late)),
            )

    @classmethod
    def close_all(cls) -> None:
        """Close every context still open (the browser is about to close)."""
        for guarded in list(cls._open):
            guarded.close()


_ALL_KINDS: frozenset[Kind] = frozenset(request_content.KINDS)
# The guarded context of each page, for code that holds only the page (`raise_if_refused`).
_BY_PAGE: weakref.WeakKeyDictionary[Page, GuardedContext] = weakref.WeakKeyDictionary()


def raise_if_refused(page: Page) -> None:
    """Raise `RequestRefused` when the request guard of `page`'s context refused something
    that stops the run (nothing when the page has no guard)."""
    guarded = _BY_PAGE.get(page)
    if guarded is not None:
        guarded.raise_if_refused()


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


class TransientLoadError(Exception):
    """A page load failed in a way a reload may fix (refused, reset, timed out, 5xx)."""


def load_page(
    page: Page, url: str, *, attempts: int = DEFAULT_LOAD_ATTEMPTS, timeout_ms: float = 30_000
) -> None:
    """Navigate to `url`, retrying only transient failures (bounded, jittered, logged).

    Raises `PortalError` when the page still does not load after `attempts` tries.
    """
    from playwright.sync_api import Error, TimeoutError
    from tenacity import (
        RetryCallState,
        Retrying,
        retry_if_exception_type,
        stop_after_attempt,
        wait_random_exponential,
    )

    from assistant.errors import PortalError
    from assistant.log import redact

    def _log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "Loading the portal failed (%s); retrying (attempt %d of %d).",
            redact(str(error))[:200],
            state.attempt_number + 1,
            attempts,
        )

    def _once(again: bool) -> None:
        if again:
            # A clean start: the failed load's error page must not still be on its way in.
            with suppress(Error):
                page.goto("about:blank", wait_until="commit", timeout=timeout_ms)
        try:
            response = page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
        except TimeoutError as error:
            raise TransientLoadError(f"timed out after {timeout_ms / 1000:.0f} s") from error
        except Error as error:
            message = str(error)
            if any(code in message for code in _TRANSIENT_NET_ERRORS):
                raise TransientLoadError(message.splitlines()[0]) from error
            raise PortalError(
                redact(f"The portal page did not load: {message.splitlines()[0]}")
            ) from None
        if response is not None and response.status >= 500:
            raise TransientLoadError(f"the portal answered HTTP {response.status}")
        log.info("Loaded %s (HTTP %s).", url, response.status if response else "-")

    try:
        for attempt in Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait_random_exponential(multiplier=0.25, max=4),
            retry=retry_if_exception_type(TransientLoadError),
            before_sleep=_log_retry,
            reraise=True,
        ):
            with attempt:
                _once(again=attempt.retry_state.attempt_number > 1)
    except TransientLoadError as error:
        raise PortalError(
            redact(
                f"The portal did not load after {attempts} attempts ({error}); "
                "check the connection or try again later."
            )
        ) from None


# Step screenshots are the whole page at this scale: every row legible (a 1280-pixel-wide page
# becomes 960 wide), for little more than a shot of the window costs (see `_whole_page`).
QUICK_SCALE = 0.75
# One DevTools session per page for its step screenshots (opening one costs ~20 ms each time).
_DEVTOOLS: weakref.WeakKeyDictionary[Page, CDPSession] = weakref.WeakKeyDictionary()


def screenshot(page: Page, mask: Sequence[Locator] = (), *, quick: bool = False) -> bytes:
    """A full-page PNG of `page`, as bytes (the caller writes it privately); with `quick`, a
    JPEG (quality 70) of the whole page at `QUICK_SCALE`, for little more than one of the
    window costs.

    Every element matched by a locator of `mask` is painted over with a solid black box (used
    by `--mask-contact` for the contact email, phone and code boxes).
    """
    if not mask:
        with suppress(playwright_errors()[0]):
            return _whole_page(page, QUICK_SCALE if quick else 1.0, jpeg=quick)
    # Masks are painted by Playwright (a browser without DevTools sessions lands here too).
    if not quick:
        return page.screenshot(full_page=True, mask=list(mask), mask_color="#000000")
    return page.screenshot(
        type="jpeg", quality=70, full_page=True, mask=list(mask), mask_color="#000000"
    )


def _whole_page(page: Page, scale: float, *, jpeg: bool) -> bytes:
    """The whole page, scaled, as Chromium itself captures it in one call: a JPEG (quality 70)
    or a PNG (encoded for speed: about a quarter larger than Playwright's).

    Measured on the benchmark's 20-number wizard (2 shared cores), per step screenshot: a JPEG
    of the window 60 ms, a full-page JPEG through Playwright 120-130 ms (its preparations and
    every pixel), this 70-85 ms. The review's full-page PNG: through Playwright 80-90 ms, this
    about 50 ms (a capture alone, of any size, takes about 33 ms: a new frame is drawn for it).
    """
    import base64

    session = _DEVTOOLS.get(page)
    if session is None:
        session = _DEVTOOLS[page] = page.context.new_cdp_session(page)
    try:
        size = session.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": scale}
        encoding = (
            {"format": "jpeg", "quality": 70}
            if jpeg
            else {"format": "png", "optimizeForSpeed": True}
        )
        shot = session.send(
            "Page.captureScreenshot", {**encoding, "captureBeyondViewport": True, "clip": clip}
        )
    except BaseException:
        _DEVTOOLS.pop(page, None)  # a session that failed once is not used again
        raise
    return base64.b64decode(shot["data"])
