"""The ways out that Playwright's routing never shows the request guard, closed in the page
(`assistant/js/channels.js`) in every frame and popup: farewell handlers, WebRTC, WebSockets,
workers, `fetchLater`, `window.open` and speculation rules. Each hostile page here gets its
requests out through a context without the script (the control), and nothing through a guarded
one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from localsite import QuietHandler, serve

from assistant.browser import guarded_context
from assistant.browser.fence import NetworkFence
from assistant.browser.request_guard import REPAIR, Seen
from assistant.errors import RequestRefused

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
window.found = {top: have(window), blank: have(blank.contentWindow), open: window.open(''),
  docopen: document.open('', 'w', '') === null};
const srcdoc = document.createElement('iframe');
srcdoc.onload = () => { window.found.srcdoc = have(srcdoc.contentWindow); };
srcdoc.srcdoc = '<p>x</p>';
document.body.appendChild(srcdoc);
</script>"""


class _Site(QuietHandler):
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


@pytest.fixture
def site() -> Iterator[str]:
    _Site.got = []
    server = serve(_Site)
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
    guarded = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    try:
        visit_and_leave(guarded.page, site + "/")
        guarded.page.wait_for_timeout(500)  # as long as the control waits
        assert not guarded.fence.is_shut
        assert leaked() == []
    finally:
        guarded.close()
    assert leaked() == []


def test_every_realm_lacks_the_closed_channels(browser: Browser, site: str) -> None:
    guarded = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    try:
        guarded.page.goto(site + "/realms")
        guarded.page.wait_for_function("window.found && window.found.srcdoc")
        found = guarded.page.evaluate("window.found")
    finally:
        guarded.close()
    assert found == {"top": [], "blank": [], "srcdoc": [], "open": None, "docopen": True}


def test_a_page_reaching_for_a_closed_channel_is_told_to_the_person(
    browser: Browser, site: str, caplog: pytest.LogCaptureFixture
) -> None:
    guarded = guarded_context.GuardedContext(browser, ["127.0.0.1"])
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


def test_a_request_the_guard_could_not_judge_is_refused_and_stops_the_run(
    browser: Browser, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    guarded = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    decide = guarded.guard.decide

    def broken(request: Any) -> Any:
        if request.method == "POST":
            raise RuntimeError("a bug in the guard")
        return decide(request)

    monkeypatch.setattr(guarded.guard, "decide", broken)
    try:
        guarded.page.goto(site + "/realms")
        with guarded.page.expect_event("requestfailed"):
            guarded.page.evaluate("fetch('/judge', {method: 'POST', body: 'x'}).catch(() => 0)")
        with pytest.raises(RequestRefused) as caught:
            guarded.raise_if_refused()
    finally:
        guarded.close()
    assert [g for g in _Site.got if g.startswith("POST")] == []
    assert str(caught.value) == (
        "the request guard could not judge POST /judge (RuntimeError), and refused it: the "
        f"portal has changed; nothing was sent. {REPAIR}."
    )


def test_gates_decide_what_the_page_already_started_before_they_open(
    browser: Browser, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    guarded = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    happened: list[str] = []
    drain = guarded.drain

    def drained() -> None:
        happened.append("drain")
        drain()

    monkeypatch.setattr(guarded, "drain", drained)
    try:
        guarded.page.goto(site + "/realms")
        with guarded.declared('"Continue"'):
            happened.append("click")
        with guarded.submitting([]):
            happened.append("submit")
    finally:
        guarded.close()
    assert happened == ["drain", "click", "drain", "submit"]


def test_a_context_is_cut_off_before_it_closes(
    browser: Browser, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its pages unload as it closes: by then the guard and the fence refuse everything."""
    guarded = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    guarded.page.goto(site + "/realms")
    assert not guarded.fence.is_shut
    at_close: list[tuple[bool, bool]] = []
    close = guarded.context.close

    def closing(**kwargs: Any) -> None:
        at_close.append((guarded.guard.is_shut, guarded.fence.is_shut))
        close(**kwargs)

    monkeypatch.setattr(guarded.context, "close", closing)
    guarded.close()
    assert at_close == [(True, True)]
    assert guarded.fence.is_shut
    assert guarded.guard.is_shut
    assert guarded.guard.decide(Seen("GET", site + "/")).allow is False


PEER = """(port) => {
  const pc = new RTCPeerConnection({iceServers: [{urls: [
    `turn:127.0.0.3:${port}?transport=udp`, `turn:127.0.0.3:${port}?transport=tcp`,
    `stun:127.0.0.3:${port}`], username: 'it@lakeside.example.org', credential: 'x'}]});
  pc.createDataChannel('d');
  return pc.createOffer().then((o) => pc.setLocalDescription(o)).then(() => new Promise((done) => {
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') done(1); };
    setTimeout(() => done(0), 3000);
  }));
}"""


def test_chromium_sends_webrtc_only_through_the_fence(
    browser: Browser, site: str, turn_listeners: tuple[int, list[str]]
) -> None:
    """Without `channels.js` (a page that somehow kept WebRTC): the launch flags leave WebRTC
    no way but the context's proxy, and the fence refuses 127.0.0.3."""
    port, heard = turn_listeners
    fence = NetworkFence(["127.0.0.1"])
    context = browser.new_context(proxy=fence.proxy)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(site + "/realms")
        page.evaluate(PEER, port)  # gathering ends (or 3 s pass): every server was tried
    finally:
        context.close()
        fence.stop()
    assert heard == []
    assert [(a.host, a.port) for a in fence.refused] == [("127.0.0.3", port)]


SHADOWED = f"""<!doctype html><title>shadow</title><body><script>
const host = document.createElement('div');
document.body.appendChild(host);
const root = host.attachShadow({{mode: 'closed'}});
const rules = document.createElement('script');
rules.type = 'speculationrules';
rules.textContent = JSON.stringify({{prefetch: [{{source: 'list', eagerness: 'immediate',
  urls: ['/shadow?n={NUMBER}']}}]}});
root.appendChild(rules);
const link = document.createElement('a');
link.href = '/popup?n={NUMBER}';
link.target = '_blank';
link.rel = 'noopener';
document.body.appendChild(link);
link.click();
window.ready = true;
</script>""".encode()


def test_rules_in_a_closed_shadow_root_and_links_to_a_new_window_lead_nowhere(
    browser: Browser, site: str
) -> None:
    _Site.pages = {**_Site.pages, "/shadowed": SHADOWED}
    guarded = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    try:
        guarded.page.goto(site + "/shadowed")
        guarded.page.wait_for_function("window.ready === true")
        guarded.page.wait_for_timeout(800)  # (test only) as long as a prefetch takes to start
    finally:
        guarded.close()
    assert guarded.closed_popups == []  # no popup was ever opened
    assert leaked() == []


COOKIE = f"""<!doctype html><title>cookie</title><body><script>
document.cookie = 'reg={NUMBER}';
fetch('/plain-get');
</script>""".encode()


def test_a_cookie_the_page_set_with_a_number_is_read_like_the_rest_of_a_request(
    browser: Browser, site: str
) -> None:
    _Site.pages = {**_Site.pages, "/cookie": COOKIE}
    guarded = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    fp = guarded.guard.fingerprint
    guarded.guard.fingerprint = type(fp)(frozenset({NUMBER}), fp.company, fp.email)
    try:
        with guarded.page.expect_event("requestfailed"):
            guarded.page.goto(site + "/cookie")
        violation = guarded.guard.violation
    finally:
        guarded.close()
    assert violation == (
        "the page tried to send the registration (its numbers) to /plain-get by itself, with no "
        f"button pressed: the portal has changed; nothing was sent. {REPAIR}."
    )
    assert "GET /plain-get" not in _Site.got


def test_a_run_pointed_at_one_port_reaches_no_other_on_that_machine(
    browser: Browser, site: str
) -> None:
    other = serve(_Site)
    port = site.rsplit(":", 1)[1]
    guarded = guarded_context.GuardedContext(browser, [f"127.0.0.1:{port}"])
    try:
        guarded.page.goto(site + "/realms")
        elsewhere = f"http://127.0.0.1:{other.server_address[1]}/elsewhere"
        with guarded.page.expect_event("requestfailed"):
            guarded.page.evaluate("(u) => fetch(u).catch(() => 0)", elsewhere)
    finally:
        guarded.close()
        other.shutdown()
    assert "GET /elsewhere" not in _Site.got
    assert guarded.fence.allowed.allows("127.0.0.1", int(port))
    assert not guarded.fence.allowed.allows("127.0.0.1", other.server_address[1])
