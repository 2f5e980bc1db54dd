"""The ways out that Playwright's routing never shows the request guard, closed in the page
(`assistant/js/channels.js`) in every frame and popup: farewell handlers, WebRTC, WebSockets,
workers, `fetchLater`, `window.open` and speculation rules. Each hostile page here gets its
requests out through a context without the script (the control), and nothing through a guarded
one."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from assistant import browser as browser_module
from assistant.fence import NetworkFence

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

NUMBER = "6195550100"

# A page that gets the number out without a request the guard would see: farewell handlers
# (run when the page navigates itself away), speculation rules, fetchLater, a shared worker.
HOSTILE = f"""<!doctype html><title>hostile</title>
<body onpagehide="navigator.sendBeacon('/attr', '{NUMBER}')">
<script type="speculationrules">
{{"prefetch": [{{"source": "list", "urls": ["/prefetch?n={NUMBER}"]}}]}}
</script>
<script>
addEventListener('pagehide', () => {{
  fetch('/keepalive', {{method: 'POST', body: '{NUMBER}', keepalive: true}});
  navigator.sendBeacon('/beacon', '{NUMBER}');
}});
document.addEventListener('visibilitychange', () => {{
  fetch('/vis', {{method: 'POST', body: '{NUMBER}', keepalive: true}});
}});
try {{ fetchLater('/later', {{method: 'POST', body: '{NUMBER}'}}); }} catch (e) {{}}
try {{ new SharedWorker('/shared.js'); }} catch (e) {{}}
const rules = document.createElement('script');
rules.type = 'speculationrules';
rules.textContent = JSON.stringify({{prefetch: [{{source: 'list', urls: ['/added?n={NUMBER}']}}]}});
document.head.appendChild(rules);
window.ready = true;
</script>""".encode()
SHARED = f"fetch('/shared', {{method: 'POST', body: '{NUMBER}'}});".encode()
# Every realm a page can reach: an about:blank iframe (made and used at once), a srcdoc one,
# and a popup; what each of them still has.
REALMS = b"""<!doctype html><title>realms</title><body><script>
const names = ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel', 'WebSocket',
  'WebTransport', 'SharedWorker', 'Worker', 'fetchLater'];
const have = (w) => names.filter((n) => typeof w[n] !== 'undefined');
const blank = document.createElement('iframe');
document.body.appendChild(blank);
window.found = {top: have(window), blank: have(blank.contentWindow), open: window.open('')};
const srcdoc = document.createElement('iframe');
srcdoc.onload = () => { window.found.srcdoc = have(srcdoc.contentWindow); };
srcdoc.srcdoc = '<p>x</p>';
document.body.appendChild(srcdoc);
</script>"""


class _Site(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages: ClassVar[dict[str, bytes]] = {"/": HOSTILE, "/realms": REALMS, "/shared.js": SHARED}
    got: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.got.append(f"GET {self.path}")
        body = self.pages.get(self.path, b"")
        self.send_response(200)
        kind = "text/javascript" if self.path.endswith(".js") else "text/html"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.got.append(f"POST {self.path} {self.rfile.read(length).decode()}")
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def site() -> Iterator[str]:
    _Site.got = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def leaked() -> list[str]:
    return sorted(g for g in _Site.got if NUMBER in g)


def visit_and_leave(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("window.ready === true")
    page.wait_for_timeout(300)  # (test only) what a page does soon after load
    page.goto("about:blank")  # the page navigates away: its farewell handlers would run


def test_without_the_script_the_hostile_page_gets_the_number_out(
    browser: Browser, site: str
) -> None:
    """The control: a context behind an open fence, routing refusing every write it sees."""
    fence = NetworkFence(["127.0.0.1"])
    context = browser.new_context(proxy=fence.proxy)  # type: ignore[arg-type]
    context.route(
        "**/*",
        lambda route, request: (
            route.continue_()
            if request.method == "GET" and NUMBER not in request.url
            else route.abort("blockedbyclient")
        ),
    )
    try:
        visit_and_leave(context.new_page(), site + "/")
        page = context.pages[0]
        page.wait_for_timeout(500)  # (test only) the browser sends what it deferred
    finally:
        context.close()
        fence.stop()
    assert len(leaked()) >= 3, _Site.got


def test_a_guarded_context_lets_none_of_it_out_while_its_fence_is_open(
    browser: Browser, site: str
) -> None:
    guarded = browser_module.GuardedContext(browser, ["127.0.0.1"])
    try:
        visit_and_leave(guarded.page, site + "/")
        guarded.page.wait_for_timeout(500)  # as long as the control waits
        assert not guarded.fence.is_shut
        assert leaked() == []
    finally:
        guarded.close()
    assert leaked() == []


def test_every_realm_lacks_the_closed_channels(browser: Browser, site: str) -> None:
    guarded = browser_module.GuardedContext(browser, ["127.0.0.1"])
    try:
        guarded.page.goto(site + "/realms")
        guarded.page.wait_for_function("window.found && window.found.srcdoc")
        found = guarded.page.evaluate("window.found")
    finally:
        guarded.close()
    assert found == {"top": [], "blank": [], "srcdoc": [], "open": None}


def test_a_page_reaching_for_a_closed_channel_is_told_to_the_person(
    browser: Browser, site: str, caplog: pytest.LogCaptureFixture
) -> None:
    guarded = browser_module.GuardedContext(browser, ["127.0.0.1"])
    try:
        guarded.page.goto(site + "/realms")
        with guarded.page.expect_event("pageerror"):
            guarded.page.evaluate("setTimeout(() => new RTCPeerConnection({iceServers: []}), 0)")
    finally:
        guarded.close()
    assert guarded.channels_tried == ["a WebRTC connection"]
    assert (
        "The page tried to open a WebRTC connection, which the assistant switches off; "
        "nothing went out that way." in caplog.messages
    )
