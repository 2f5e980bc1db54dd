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
same script installed there (an init script), which tells the reader each change by an event
(on the window's `performance`, which both worlds share): the page can stop or forge what it
tells, which changes only how long the reader waits. The reader never asks as it reads (it
asks once, as its world is made, before the page's scripts run): a page hearing a question
would know the moment it is read, and could put back what was typed for that moment only.
"""

from __future__ import annotations

import json
import secrets
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.browser import devtools, driver
from assistant.browser.scripts import page_script

if TYPE_CHECKING:
    from playwright.sync_api import CDPSession, Page

WORLD = "assistant"
# Set in the isolated world before the page script: it reads there and hears from the page's
# world about its timers and requests.
_READER = "window.__assistantReader = true;\n"
# The name under which the world keeps its token (see `_World`).
_MARK = "__assistantWorld"
# How much longer than the time it was given a wait's DevTools call may take to answer.
_LATE_MS = 2_000
# What Chromium answers when the world's context went away with its document (the last: the
# document went away while the evaluation was under way, the page loading its next one).
_GONE = (
    "Cannot find context with specified id",
    "Execution context was destroyed",
    "Inspected target navigated or closed",
)


@dataclass(slots=True)
class _World:
    """The assistant's world in a page's main frame. Chromium numbers contexts per browser
    process, and a document loaded into a new process (a page can ask for one: cross-origin
    isolation) numbers its contexts from 1 again: a kept `context_id` can then name another
    context, such as the page's own world in one of its frames. So each evaluation first
    checks that it runs in the main frame's world holding `token` (a secret the page never
    sees), and the world is made again when not."""

    session: CDPSession
    frame_id: str
    token: str
    context_id: int | None = None

    def installer(self) -> str:
        """The source that makes a world the assistant's: marked as the reader, the token, the
        page script."""
        return f"{_READER}window.{_MARK} = {json.dumps(self.token)};\n{page_script()}"

    def call(self, expression: str, arg: Any) -> str:
        """`expression` called with `arg`, as an expression that gives [token, value] in this
        world and null in any other."""
        token = json.dumps(self.token)
        return (
            "(() => { let ours = false;"
            f" try {{ ours = window.{_MARK} === {token} && window.top === window; }}"
            " catch (error) { ours = false; }"
            " if (!ours) return null;"
            f" return (async () => [{token}, await ({expression})({json.dumps(arg)})])(); }})()"
        )


_WORLDS: weakref.WeakKeyDictionary[Page, _World] = weakref.WeakKeyDictionary()


def evaluate(
    page: Page, expression: str, arg: Any = None, *, timeout_ms: float | None = None
) -> Any:
    """The value of the page function `expression` called with `arg` (plain data both ways),
    evaluated in the assistant's isolated world of `page`'s main frame; a returned promise is
    awaited there. A page script error is raised as Playwright's `Error`, with its message;
    no answer within `timeout_ms` (a page keeping the browser busy) as its `TimeoutError`.

    A document that went away (a navigation) takes its world's context with it: the call is
    made once more in the new document's world."""
    error_cls, _ = driver.playwright_errors()
    world = _world(page)
    source = world.call(expression, arg)
    for attempt in range(2):
        try:
            # Made in the document that is current now, which a page load may take away
            # before the world is ready: that counts as gone too.
            context_id = _context(world, timeout_ms)
            reply = world.session.send(
                "Runtime.evaluate",
                {
                    "expression": source,
                    "contextId": context_id,
                    "returnByValue": True,
                    "awaitPromise": True,
                },
                timeout=timeout_ms,
            )
        except error_cls as error:
            if _gone(error):
                world.context_id = None  # the next call makes the world again, too
                if attempt == 0:
                    continue
            raise
        details = reply.get("exceptionDetails")
        if details is not None:
            raise error_cls(_message(details))
        answer = reply["result"].get("value")
        if isinstance(answer, list) and len(answer) == 2 and answer[0] == world.token:
            return answer[1]
        # The id named a context that is not the world (a document in a new process).
        world.context_id = None
        if attempt == 0:
            continue
        raise error_cls(f"{_GONE[0]}: the assistant's world is not in the page's document")
    raise AssertionError("unreachable")  # pragma: no cover


def prepare(page: Page) -> None:
    """Make ready the assistant's world for `page`'s next documents before it loads one: the
    world is then in each of them from its start, before the page's scripts."""
    _world(page)


def wait_for(page: Page, expression: str, arg: Any, timeout_ms: float, *, every_ms: int = 0) -> Any:
    """What the page function `expression` returns for `arg` once it is truthy, looked at every
    frame (or every `every_ms`) in the isolated world; None when `timeout_ms` pass first (one
    round trip: callers wait in slices). A navigation meanwhile starts the looking again in the
    new document. The page's scripts can keep the browser busy (a loop), and a DevTools call
    waits for them: each is given the time left and `_LATE_MS` more, and one that gets no
    answer in that time counts as nothing found (Playwright's wait_for_function gave up
    likewise)."""
    error_cls, timeout_cls = driver.playwright_errors()
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
            return evaluate(page, poll, [arg, max(0.0, left_ms)], timeout_ms=left_ms + _LATE_MS)
        except timeout_cls:
            return None
        except error_cls as error:
            if time.monotonic() >= deadline or not _gone(error):
                raise


def _world(page: Page) -> _World:
    world = _WORLDS.get(page)
    session = devtools.session(page)
    if world is None or world.session is not session:
        frame_id = str(session.send("Page.getFrameTree")["frameTree"]["frame"]["id"])
        token = secrets.token_hex(16)
        # Every later document of the page has the script from its start, before the page's
        # own scripts, so that its MutationObserver has seen every change when the first read
        # comes and its one question to the page's world tells the page nothing. (A session's
        # scripts for new documents run only with its Page domain enabled.)
        world = _WORLDS[page] = _World(session, frame_id, token)
        session.send("Page.enable")
        session.send(
            "Page.addScriptToEvaluateOnNewDocument",
            {"source": world.installer(), "worldName": WORLD},
        )
    return world


def _context(world: _World, timeout_ms: float | None = None) -> int:
    """The world's context in the main frame's current document, the page script installed."""
    if world.context_id is None:
        reply = world.session.send(
            "Page.createIsolatedWorld",
            {"frameId": world.frame_id, "worldName": WORLD},
            timeout=timeout_ms,
        )
        context_id = int(reply["executionContextId"])
        # A document that began before the script was added to new documents gets it now; so
        # does its page's world where the init script did not run (a page the browser made
        # itself, such as an error page): from now on its timers and requests are counted.
        world.session.send(
            "Runtime.evaluate",
            {"expression": world.installer(), "contextId": context_id},
            timeout=timeout_ms,
        )
        world.session.send("Runtime.evaluate", {"expression": page_script()}, timeout=timeout_ms)
        world.context_id = context_id
    return world.context_id


def _gone(error: Exception) -> bool:
    """Whether `error` says the world's context went away with its document."""
    return any(gone in str(error) for gone in _GONE)


def _message(details: dict[str, Any]) -> str:
    exception = details.get("exception") or {}
    text = str(exception.get("description") or details.get("text") or "script error")
    return text.splitlines()[0]
