"""The outcome of the submit click, from what the page shows (not from a request we guessed).

After the one click, the page is watched for up to the map's `success.timeout_s` (or
`--submit-timeout`):

- **submitted** as soon as a Feedback ID (the map's pattern) shows, in `feedback_selector` or
  anywhere in the page's text, whatever request carried it and however late it appears;
- **failed** when the page shows a new message in its error regions, or when the answer to the
  click's request was 4xx/5xx and no Feedback ID followed within a short grace;
- **unknown** only when neither happens in time (the click was made: a human must check).

IDs and error texts already on the page before the click never count.
"""

from __future__ import annotations

import time
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from assistant.browser import driver, guarded_context, isolated_world, locate
from assistant.log import get_logger
from assistant.portals.model import Success
from assistant.testhooks import crashpoint

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = get_logger(__name__)

# After a 4xx/5xx answer, how long the page may still take to show a Feedback ID or its error.
ERROR_GRACE_S = 2.0
# How often the Python side looks at the answers' status codes while the page is watched.
SLICE_S = 0.5
# How long the click's first request may take to show up before the page is watched alone.
FIRST_REQUEST_S = 1.0

_PROBE_JS = (
    "(s) => { const r = window.__assistant.outcome(s); return (r.id || r.error) ? r : null; }"
)


@dataclass(frozen=True, slots=True)
class Before:
    """What the page showed before the click: IDs and error texts that must not count."""

    ids: tuple[str, ...]
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """How the submit ended on the page, and how long that took to tell."""

    state: Literal["submitted", "failed", "unknown"]
    elapsed_s: float
    feedback_id: str | None = None
    page_error: str = ""
    status: int | None = None  # the HTTP status of the click's request's answer, when one came
    answered: bool = True  # False: a request of the click was still waiting at the end


def _spec(success: Success, before: Before) -> dict[str, Any]:
    return {
        "pattern": success.feedback_pattern,
        "feedbackSelector": success.feedback_selector,
        "errorSelector": success.error_selector,
        "ignoreIds": list(before.ids),
        "ignoreErrors": list(before.errors),
    }


def before_click(page: Page, success: Success) -> Before:
    """What the page shows now (read before the intent is recorded)."""
    raw = locate.evaluate(
        page, "(s) => window.__assistant.outcome(s)", _spec(success, Before((), ()))
    )
    return Before(tuple(str(i) for i in raw["ids"]), tuple(str(e) for e in raw["errors"]))


def await_outcome(
    page: Page,
    guard: guarded_context.GuardedContext,
    success: Success,
    before: Before,
    timeout_s: float,
    started: float,
) -> Answer:
    """Watch the page after the click (made at `started`, a `time.monotonic()`) until it shows
    the outcome or `timeout_s` have passed since the click (see the module docstring)."""
    deadline = started + timeout_s
    if stopped_in_browser(guard):
        return Answer("failed", time.monotonic() - started)
    if not answered(page, guard, deadline):
        return Answer("unknown", time.monotonic() - started, answered=False)
    crashpoint("after-click")  # test-only: the portal has the submission, nothing recorded
    return _watch_page(page, guard, success, before, deadline, started)


def answered(page: Page, guard: guarded_context.GuardedContext, deadline: float) -> bool:
    """Wait for the answers to the click's requests, on the client side only: while a form
    post is on its way, a call into the page may wait for the next document whatever its own
    time-out says. False when some request is still unanswered at `deadline`."""
    _, timeout_cls = driver.playwright_errors()
    if not guard.submit_writes_seen:
        # The click's request may not have been seen yet: give it a moment to show up.
        with suppress(timeout_cls):
            page.wait_for_event(
                "request",
                predicate=lambda r: r.method.upper() not in guarded_context.SAFE_METHODS,
                timeout=max(1.0, min(deadline - time.monotonic(), FIRST_REQUEST_S) * 1000),
            )
    while guard.submit_in_flight():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if stopped_in_browser(guard):
            return True
        with suppress(timeout_cls):
            page.wait_for_event("requestfinished", timeout=max(1.0, min(left, SLICE_S) * 1000))
    return True


def _watch_page(
    page: Page,
    guard: guarded_context.GuardedContext,
    success: Success,
    before: Before,
    deadline: float,
    started: float,
) -> Answer:
    """Watch what the page shows until it names the outcome or `deadline` comes."""
    error_cls, _ = driver.playwright_errors()
    spec = _spec(success, before)
    bad_since: float | None = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or stopped_in_browser(guard):
            break
        found: dict[str, Any] | None = None
        try:
            found = isolated_world.wait_for(
                page, _PROBE_JS, spec, max(1.0, min(left, SLICE_S) * 1000), every_ms=100
            )
        except error_cls as error:
            # The page is between two documents (the answer is loading): look again.
            log.debug("Watching the page after the submit: %s", str(error).splitlines()[0])
            found = None
        status = _worst(guard.submit_answers)
        now = time.monotonic()
        if found and found.get("id"):
            return Answer("submitted", now - started, str(found["id"]), status=status)
        if found and found.get("error"):
            return Answer("failed", now - started, page_error=str(found["error"]), status=status)
        if status is not None and status >= 400:
            bad_since = bad_since if bad_since is not None else now
            if now - bad_since >= ERROR_GRACE_S:
                return Answer("failed", now - started, status=status)
    return Answer("unknown", time.monotonic() - started, status=_worst(guard.submit_answers))


def stopped_in_browser(guard: guarded_context.GuardedContext) -> bool:
    """Whether the request guard stopped the submit request (it did not carry what was
    reviewed): nothing was sent, and there is no answer to wait for."""
    return guard.guard.submit_stopped is not None


def _worst(statuses: list[int]) -> int | None:
    """The answer that says most: an error status if any came, else the last one."""
    if not statuses:
        return None
    errors = [s for s in statuses if s >= 400]
    return max(errors) if errors else statuses[-1]
