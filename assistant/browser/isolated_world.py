"""The assistant's own JavaScript world in each portal page, where every read it relies on is
made.

A page's scripts share their world's builtins and the DOM's prototypes with anything evaluated
there (`page.evaluate`): a page that patches `HTMLInputElement.prototype.value`,
`Promise.prototype.then` or `window.eval` rewrites what such an evaluation returns, and so what
the review would show. Chromium gives each page isolated worlds: the same DOM, but a global
object, builtins and DOM wrappers of their own, which the page's scripts cannot reach. The page
script (`js/page.js`) runs in one of them, named `WORLD`, installed in every new document of the
page from its first use on, and everything `locate.evaluate` asks is evaluated there.

What only the page's world can see (the timers and requests the page starts) is counted by the
same script installed there (an init script), and the reader asks it with an event: the page
can see that question and lie in its answer, which changes only how long the reader waits.
"""

from __future__ import annotations

import json
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.browser import devtools, driver
from assistant.browser.scripts import page_script

if TYPE_CHECKING:
    from playwright.sync_api import CDPSession, Page

WORLD = "assistant"
# Set in the isolated world before the page script: it reads there and asks the page's world
# for its timers and requests.
_READER = "window.__assistantReader = true;\n"
# What Chromium answers when the world's context went away with its document.
_GONE = ("Cannot find context with specified id", "Execution context was destroyed")


@dataclass(slots=True)
class _World:
    session: CDPSession
    frame_id: str
    context_id: int | None = None


_WORLDS: weakref.WeakKeyDictionary[Page, _World] = weakref.WeakKeyDictionary()


def evaluate(page: Page, expression: str, arg: Any = None) -> Any:
    """The value of the page function `expression` called with `arg` (plain data both ways),
    evaluated in the assistant's isolated world of `page`'s main frame; a returned promise is
    awaited there. A page script error is raised as Playwright's `Error`, with its message.

    A document that went away (a navigation) takes its world's context with it: the call is
    made once more in the new document's world."""
    error_cls, _ = driver.playwright_errors()
    world = _world(page)
    source = f"({expression})({json.dumps(arg)})"
    for attempt in range(2):
        context_id = _context(world)
        try:
            reply = world.session.send(
                "Runtime.evaluate",
                {
                    "expression": source,
                    "contextId": context_id,
                    "returnByValue": True,
                    "awaitPromise": True,
                },
            )
        except error_cls as error:
            if attempt == 0 and any(gone in str(error) for gone in _GONE):
                world.context_id = None
                continue
            raise
        details = reply.get("exceptionDetails")
        if details is not None:
            raise error_cls(_message(details))
        return reply["result"].get("value")
    raise AssertionError("unreachable")  # pragma: no cover


def wait_for(page: Page, expression: str, arg: Any, timeout_ms: float, *, every_ms: int = 0) -> Any:
    """What the page function `expression` returns for `arg` once it is truthy, looked at every
    frame (or every `every_ms`) in the isolated world; None when `timeout_ms` pass first (one
    round trip: callers wait in slices). A navigation meanwhile starts the looking again in the
    new document."""
    error_cls, _ = driver.playwright_errors()
    deadline = time.monotonic() + timeout_ms / 1000
    pause = (
        f"new Promise((ok) => setTimeout(ok, {int(every_ms)}))"
        if every_ms > 0
        else "new Promise((ok) => requestAnimationFrame(() => ok()))"
    )
    poll = (
        "async ([a, ms]) => { const f = " + expression + ";"
        " const end = performance.now() + ms;"
        " for (;;) { const r = f(a); if (r) return r;"
        " if (performance.now() >= end) return null;"
        " await " + pause + "; } }"
    )
    while True:
        left_ms = (deadline - time.monotonic()) * 1000
        try:
            return evaluate(page, poll, [arg, max(0.0, left_ms)])
        except error_cls as error:
            if time.monotonic() >= deadline or not any(g in str(error) for g in _GONE):
                raise


def _world(page: Page) -> _World:
    world = _WORLDS.get(page)
    session = devtools.session(page)
    if world is None or world.session is not session:
        frame_id = str(session.send("Page.getFrameTree")["frameTree"]["frame"]["id"])
        # Every later document of the page has the script from its start, so that its
        # MutationObserver has seen every change when the first read comes.
        session.send(
            "Page.addScriptToEvaluateOnNewDocument",
            {"source": _READER + page_script(), "worldName": WORLD},
        )
        world = _WORLDS[page] = _World(session, frame_id)
    return world


def _context(world: _World) -> int:
    """The world's context in the main frame's current document, the page script installed."""
    if world.context_id is None:
        reply = world.session.send(
            "Page.createIsolatedWorld", {"frameId": world.frame_id, "worldName": WORLD}
        )
        context_id = int(reply["executionContextId"])
        # A document that began before the script was added to new documents gets it now; so
        # does its page's world where the init script did not run (a page the browser made
        # itself, such as an error page): from now on its timers and requests are counted.
        world.session.send(
            "Runtime.evaluate",
            {"expression": _READER + page_script(), "contextId": context_id},
        )
        world.session.send("Runtime.evaluate", {"expression": page_script()})
        world.context_id = context_id
    return world.context_id


def _message(details: dict[str, Any]) -> str:
    exception = details.get("exception") or {}
    text = str(exception.get("description") or details.get("text") or "script error")
    return text.splitlines()[0]
