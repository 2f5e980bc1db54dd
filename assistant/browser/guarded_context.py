"""The guarded context: a fresh browser context for one submission, fenced in, every request it
sends decided by the request guard (`assistant.browser.request_guard`) before it leaves.

This module carries the decisions out (routing, the gates around declared clicks and the one
submit, draining what the page queued, closing); it makes none of them.
"""

from __future__ import annotations

import html
import re
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from assistant.browser import isolated_world, request_content, request_guard
from assistant.browser.driver import playwright_errors
from assistant.browser.fence import NetworkFence
from assistant.browser.request_content import Expected, Fingerprint, Kind
from assistant.browser.request_guard import Declared, RequestGuard, Seen
from assistant.browser.scripts import channels_script, page_script
from assistant.errors import RequestRefused
from assistant.log import get_logger

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        Page,
        Request,
        Route,
    )

log = get_logger(__name__)


SAFE_METHODS = request_guard.SAFE_METHODS


# A request in flight longer than this (a long poll, a stream) no longer holds up readiness.
IN_FLIGHT_MAX_S = 10.0


# How long a gate may wait, before it opens, for the page's own requests to be decided.
DRAIN_MAX_S = 1.0


# Resolves once the page has no fetch/XHR in flight (timers and the DOM not waited for), or
# after the given milliseconds (evaluated in the assistant's world, which always has its script).
_SETTLE_REQUESTS_JS = "(ms) => window.__assistant.idle(0, ms, Math.min(ms, 10), false)"


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


class GuardedContext:
    """A fresh browser context for one submission, fenced in; every decision about a request
    is the request guard's (`assistant.browser.request_guard`), this class only carries it out.

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
      reaches the network only through its fence (`assistant.browser.fence`), which lets only the
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
        # Waited in the assistant's world: in the page's own, a page that stops its clock
        # (`performance.now`) or bends the builtins the wait uses keeps it from ever ending.
        with suppress(error_cls):  # a page between documents: nothing of it is waiting
            isolated_world.evaluate(self.page, _SETTLE_REQUESTS_JS, int(DRAIN_MAX_S * 1000))
            while self.in_flight() and time.monotonic() < deadline:
                isolated_world.evaluate(self.page, _SETTLE_REQUESTS_JS, 20)

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
