"""Hostile pages against the assistant's isolated world (`isolated_world`, `js/page.js`): what a
portal page can still do to the reads it cannot reach, found by attacking it. Each page here
does one thing; what it shows is what the assistant must still read (or how soon it must give
up), whatever the page does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from assistant.browser import guarded_context, isolated_world, loading, locate
from assistant.browser.scripts import page_script
from assistant.portals.model import Target

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

pytestmark = pytest.mark.browser

ORIGIN = "http://portal.test"
SNAPSHOT = "(s) => window.__assistant.snapshot(s)"


def open_pages(context: BrowserContext, pages: dict[str, str]) -> Page:
    """A page of a portal context (the page script in every document) serving `pages` (path:
    HTML), opened at the first."""
    context.add_init_script(script=page_script())  # as every portal context has it
    page = context.new_page()
    page.route(
        ORIGIN + "/**",
        lambda route: route.fulfill(
            body=pages[route.request.url.removeprefix(ORIGIN)], content_type="text/html"
        ),
    )
    page.goto(ORIGIN + next(iter(pages)))
    return page


def held(page: Page, selector: str) -> str:
    [state] = locate.evaluate(page, SNAPSHOT, [selector])
    assert state["count"] == 1
    return str(state["value"])


def test_an_element_named_like_the_helpers_does_not_take_their_place(
    context: BrowserContext,
) -> None:
    """An element's id or name is a property of `window` in every world (named access): on
    the first document, whose world is made after the page has loaded, `window.__assistant`
    was that element, the page script thought itself installed, and every read failed with
    "TypeError: window.__assistant.snapshot is not a function"."""
    page = open_pages(context, {"/": '<div id="__assistant"></div><input id=name value=held>'})
    assert held(page, '[id="name"]') == "held"
    assert locate.resolve(page, [Target.of(id="name")])[0].selector == '[id="name"]'


def test_a_wait_for_an_element_outlives_a_navigation(context: BrowserContext) -> None:
    """A page that loads the next document while the assistant waits for an element of it:
    Chromium ends that evaluation with "Inspected target navigated or closed", which the wait
    took for a failure instead of looking again in the new document (Playwright's
    wait_for_function, used before, looked again)."""
    page = open_pages(
        context,
        {
            "/": "<p>1</p>",
            "/next": "<script>setTimeout(() => {"
            " document.body.innerHTML = '<input id=later>'; }, 300)</script>",
        },
    )
    assert locate.evaluate(page, "() => location.pathname", None) == "/"
    page.evaluate("() => setTimeout(() => { location.href = '/next'; }, 200)")
    located = locate.wait_visible(page, Target.of(id="later"), 10_000)
    assert (located.found, located.selector) == (True, '[id="later"]')


# The field holds what the page wants, except while the assistant reads it: the page's world
# hears the reader ask for its timers and requests (a synchronous event, dispatched before the
# read), puts the typed value back for the read, and its own value again right after.
RESTORED_WHEN_READ = """
<input id=name>
<script>
  const el = document.getElementById("name");
  let typed = "";
  el.addEventListener("input", () => { typed = el.value; el.value = "Evil Holdings"; });
  const restore = () => {
    if (!typed) return;
    el.value = typed;
    setTimeout(() => { el.value = "Evil Holdings"; }, 0);
  };
  // Wherever the question is asked.
  window.addEventListener("__assistant:pending?", restore, true);
  performance.addEventListener("__assistant:pending?", restore);
</script>
"""


def test_the_page_cannot_tell_when_it_is_read(context: BrowserContext) -> None:
    """The read-back (`probe`) and the picture before a screenshot (`mark`) asked the page's
    world, by an event it could hear, for its timers and requests just before reading: a page
    could show the typed value to every read and hold another the rest of the time."""
    page = open_pages(context, {"/": RESTORED_WHEN_READ})
    assert held(page, '[id="name"]') == ""  # the world is made and installed
    page.locator("#name").fill("Harbor Fuel")
    assert held(page, '[id="name"]') == "Evil Holdings"  # a read that asks nothing
    probed = locate.evaluate(
        page, "(s) => window.__assistant.probe(s, 40, 1000, null)", ['[id="name"]']
    )
    assert probed["states"][0]["value"] == "Evil Holdings"
    marked = locate.evaluate(page, "(s) => window.__assistant.mark(s)", ['[id="name"]'])
    assert marked["states"][0]["value"] == "Evil Holdings"
    # What the page counts is still heard: its short timer, pending while the page waits.
    page.evaluate("() => { window.soon = setTimeout(() => {}, 900); }")
    assert locate.evaluate(page, "(s) => window.__assistant.mark(s)", [])["busy"] is True
    page.evaluate("() => clearTimeout(window.soon)")
    assert locate.evaluate(page, "(s) => window.__assistant.mark(s)", [])["busy"] is False


def test_a_document_rewritten_in_place_still_tells_its_timers(context: BrowserContext) -> None:
    """document.open() keeps the window and its worlds but erases every event listener of the
    document and the window, in all worlds: the page's world no longer heard the reader's
    question, and the reader took the page for idle from then on (it only reads sooner)."""
    page = open_pages(context, {"/": "<input id=name>"})
    busy = "(s) => window.__assistant.mark(s).busy"
    assert locate.evaluate(page, busy, []) is False
    page.evaluate("() => { document.open(); document.write('<input id=name>'); document.close(); }")
    assert held(page, '[id="name"]') == ""
    page.evaluate("() => { window.soon = setTimeout(() => {}, 900); }")
    assert locate.evaluate(page, busy, []) is True
    page.evaluate("() => clearTimeout(window.soon)")
    assert locate.evaluate(page, busy, []) is False
    # Nor does a rewrite make the reader ask again, which the page would hear as it reads.
    page.evaluate(
        "() => { document.open(); document.write('<input id=name>'); document.close();"
        " window.asked = 0; const count = () => { window.asked += 1; };"
        " window.addEventListener('__assistant:pending?', count, true);"
        " performance.addEventListener('__assistant:pending?', count); }"
    )
    assert locate.evaluate(page, busy, []) is False
    assert page.evaluate("() => window.asked") == 0


# A field whose tag name is a selector list ("a,input": Chromium takes it), next to an input
# of the same name: the selector made for the field ("a,input[name=company]") is unique on
# the page, but what it finds is the other input.
TAG_IS_A_LIST = """
<input name=company aria-label="Referral code">
<script>
  const field = document.createElement("a,input");
  field.setAttribute("role", "textbox");
  field.setAttribute("aria-label", "Company name");
  field.setAttribute("name", "company");
  field.style.display = "inline-block";
  field.textContent = "Harbor Fuel";
  document.body.append(field);
</script>
"""


@pytest.mark.parametrize("named", [True, False], ids=["by name", "by path"])
def test_the_selector_made_for_an_element_finds_that_element(
    context: BrowserContext, named: bool
) -> None:
    """`selectorFor` took the element's tag name as CSS and a selector as good when it found
    one element, any element: the field labelled "Company name" was written and read back
    through a selector that finds the page's "Referral code" input (by its name, or, without
    one, by its path from the root: "... > a,input:nth-of-type(1)" is a list too)."""
    html = (
        TAG_IS_A_LIST
        if named
        else TAG_IS_A_LIST.replace("name=company ", "").replace(
            'field.setAttribute("name", "company");', ""
        )
    )
    page = open_pages(context, {"/": html})
    [located] = locate.resolve(page, [Target.of(label="Company name")])
    assert located.found
    label = "(el) => el.getAttribute('aria-label')"
    assert locate.evaluate_on(page, located.selector, label) == "Company name"
    assert page.locator(located.selector).evaluate(label) == "Company name"


# A document that asks for a browser process of its own (cross-origin isolation: COOP and
# COEP, honoured on a secure origin such as localhost or any https portal), with frames whose
# worlds lie about their fields. In the new process, context ids start again from 1: the id
# of the assistant's world in the document before names a context of this one.
FRAME = (
    '<iframe srcdoc="<input id=name value=x><script>'
    "Object.defineProperty(HTMLInputElement.prototype, 'value', {get() { return 'Harbor Fuel'; }});"
    '</script>"></iframe>'
)
OWN_PROCESS = "<input id=name value='Harbor Fuel Holdings'>" + FRAME * 6
ISOLATING = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}


def test_a_document_in_a_new_process_is_read_in_the_assistants_world(
    context: BrowserContext,
) -> None:
    """The world's context id was kept until Chromium said it was gone; after the page loaded a
    document into a new process, the same id named a context there (one of the frames' own
    worlds), and the reader read the frame's field as the page's, told by the frame's scripts."""
    context.add_init_script(script=page_script())
    page = context.new_page()

    def serve(route: Route) -> None:
        if route.request.url.endswith("/isolated"):
            route.fulfill(body=OWN_PROCESS, content_type="text/html", headers=ISOLATING)
        else:
            route.fulfill(body="<input id=name value=first>", content_type="text/html")

    page.route("http://localhost/**", serve)
    page.goto("http://localhost/")
    assert held(page, '[id="name"]') == "first"
    page.evaluate("() => { location.href = '/isolated'; }")
    page.wait_for_url("**/isolated")
    assert page.evaluate("() => crossOriginIsolated") is True
    assert held(page, '[id="name"]') == "Harbor Fuel Holdings"
    assert locate.evaluate(page, "() => window.top === window", None) is True


# A page that counts the questions the reader asks its world.
COUNTS_QUESTIONS = """
<input id=name>
<script>
  window.asked = 0;
  const count = () => { window.asked += 1; };
  window.addEventListener("__assistant:pending?", count, true);
  performance.addEventListener("__assistant:pending?", count);
</script>
"""


def test_the_reader_is_in_each_new_document_before_the_page(context: BrowserContext) -> None:
    """The script meant for every new document's world from its start (addScriptToEvaluate-
    OnNewDocument) never ran there: the DevTools session had not enabled its Page domain. The
    world was made at the first read of each document instead, and its question then told
    the page that moment (and its MutationObserver had missed everything before)."""
    page = open_pages(context, {"/": "<p>1</p>", "/next": COUNTS_QUESTIONS})
    assert locate.evaluate(page, "() => location.pathname", None) == "/"
    page.goto(ORIGIN + "/next")
    mark = locate.evaluate(page, "(s) => window.__assistant.mark(s)", ['[id="name"]'])
    assert mark["changes"] > 0  # the document's parsing, seen as it happened
    locate.idle(page)
    assert page.evaluate("() => window.asked") == 0


def test_the_reader_is_in_the_first_document_before_the_page(context: BrowserContext) -> None:
    """The portal's first page, loaded before the assistant's first read: its world was made
    at that read, whose question the page heard."""
    context.add_init_script(script=page_script())
    page = context.new_page()
    page.route(
        ORIGIN + "/", lambda route: route.fulfill(body=COUNTS_QUESTIONS, content_type="text/html")
    )
    loading.load_page(page, ORIGIN + "/")
    locate.idle(page)
    assert page.evaluate("() => window.asked") == 0


@pytest.fixture
def guarded(browser: Browser) -> Iterator[guarded_context.GuardedContext]:
    made = guarded_context.GuardedContext(browser, ["127.0.0.1"])
    yield made
    made.close()


def test_a_page_that_stops_its_clock_does_not_hold_the_gate(
    guarded: guarded_context.GuardedContext,
) -> None:
    """Before every click of the map the guard waits (`drain`, up to `DRAIN_MAX_S`) for the
    page's requests, with the page script run in the page's own world: a page whose
    `performance.now` stands still never let that wait end (Playwright's evaluate has no
    timeout; the run hung). Here the clock stands still for 30 s."""
    guarded.page.set_content(
        "<input id=name><script>"
        " const now0 = performance.now.bind(performance); const until = now0() + 30000;"
        " performance.now = () => (now0() < until ? 0 : now0());"
        "</script>"
    )
    started = time.monotonic()
    guarded.drain()
    assert time.monotonic() - started < guarded_context.DRAIN_MAX_S + 4


def test_a_busy_page_does_not_stretch_a_wait(context: BrowserContext) -> None:
    """A page whose scripts keep the browser's main thread busy: the wait in the isolated world
    is a DevTools call without a timeout, which answers only when the page lets go (8 s here,
    or never). Playwright's wait_for_function, used before, gave up in time."""
    page = open_pages(context, {"/": "<input id=name>"})
    assert held(page, '[id="name"]') == ""
    started = time.monotonic()
    page.evaluate(
        "() => setTimeout(() => { const end = Date.now() + 8000; while (Date.now() < end) {} })"
    )
    assert isolated_world.wait_for(page, "() => false", None, 1_000) is None
    assert time.monotonic() - started < 4
