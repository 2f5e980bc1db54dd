"""Finding a map's elements on the live page, and knowing when the page is ready for us.

Everything here is learnt from the page itself, never from a marker a portal would have to set
for us (`assistant/browser/js/page.js` runs in every page, read in the assistant's isolated world):

- **anchors**: a map target lists anchors in order of certainty (`any:`); the first that finds
  exactly one visible element wins. An id found on several elements stops the search (the page
  is broken there: nothing is filled by guess). The anchor that matched is remembered, logged,
  and shown by `assistant check` and the review when it was not the first.
- **readiness**: no fetch/XHR of the page in flight, no short timer it set pending (the
  "re-render in 300 ms" kind), no request of the portal in flight (seen on the context's
  request events), and the DOM quiet for a short window: awaited in the page, never a fixed
  sleep. Readiness rides along with the read-backs in the same round trip.
- **required fields the map does not know**: visible, required, still empty when a step is
  done: the portal changed, and the run stops naming the field.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.browser import guarded_context, isolated_world
from assistant.errors import PortalMismatch
from assistant.log import get_logger
from assistant.portals.model import (
    Anchor,
    ClickAction,
    CodeGate,
    FieldAction,
    PortalMap,
    RowsAction,
    SubmitAction,
    Target,
    text_pattern,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = get_logger(__name__)

# The DOM must have been still this long before a step is checked or a step's values are read
# back for good: a framework re-renders within a frame or two of an event.
QUIET_MS = 40
# How long one readiness wait may take before the assistant goes on and lets the read-back
# speak: a page with a timer that never ends must not stall every step.
READY_MAX_MS = 3_000
# Long waits for an element are made in slices this long, so that a request the guard refused
# meanwhile stops the run at once (`guarded_context.raise_if_refused`).
WAIT_SLICE_MS = 500


def anchor_spec(anchor: Anchor) -> dict[str, Any]:
    """An anchor as the page script takes it: `{kind, value, match}`."""
    kind = anchor.kind
    value: str | None = getattr(anchor, kind)
    spec: dict[str, Any] = {"kind": kind, "value": value}
    text = {"label": anchor.label, "placeholder": anchor.placeholder}.get(kind)
    if kind == "role":
        text = anchor.name
    if text:
        pattern, is_regex = text_pattern(text)
        spec["match"] = {"regex": pattern} if is_regex else {"text": pattern}
    return spec


def target_spec(target: Target) -> list[dict[str, Any]]:
    """A target's anchors, in order, as the page script takes them."""
    return [anchor_spec(a) for a in target.any]


@dataclass(frozen=True, slots=True)
class Located:
    """Where a target was found: the anchor that matched (its index among the target's anchors,
    -1 for none) and a selector that finds that element again; `counts`: how many elements each
    anchor tried found (-1: the page's engine refused the selector)."""

    target: Target
    anchor: int
    selector: str
    counts: tuple[int, ...]
    label: str = ""

    @classmethod
    def from_page(cls, target: Target, raw: dict[str, Any]) -> Located:
        """What the page script's `resolve` said about `target`."""
        counts = tuple(int(c) for c in raw["counts"])
        return cls(target, int(raw["anchor"]), str(raw["selector"]), counts, str(raw["label"]))

    @property
    def found(self) -> bool:
        """Whether exactly one element was found by one of the anchors."""
        return self.anchor >= 0

    @property
    def doubled(self) -> int:
        """How many elements the most certain ambiguous anchor found (0 when none was)."""
        return next((c for c in self.counts if c > 1), 0)

    @property
    def matched(self) -> Anchor | None:
        """The anchor that found the element."""
        return self.target.any[self.anchor] if self.found else None

    def how(self) -> str:
        """`#id`, or `label "Calls per month" (anchor 2 of 3)` when not the first anchor."""
        anchor = self.matched
        if anchor is None:
            return "not found"
        if self.anchor == 0:
            return anchor.describe()
        return f"{anchor.describe()} (anchor {self.anchor + 1} of {len(self.target.any)})"

    def tried(self) -> str:
        """What was tried and found, for a message: `type=email: none, label "Email": 2`."""
        parts = []
        for anchor, count in zip(self.target.any, self.counts, strict=False):
            found = "refused by the page" if count < 0 else ("none" if count == 0 else str(count))
            parts.append(f"{anchor.describe()}: {found}")
        return "; ".join(parts) or "nothing"


def resolve(page: Page, targets: list[Target], *, visible: bool = True) -> list[Located]:
    """Where each target is on the page now, in one round trip (see the module docstring)."""
    if not targets:
        return []
    raw = evaluate(
        page,
        "([targets, visible]) => window.__assistant.resolve(targets, visible)",
        [[target_spec(t) for t in targets], visible],
    )
    return [Located.from_page(t, r) for t, r in zip(targets, raw, strict=True)]


def evaluate(page: Page, expression: str, arg: Any = None) -> Any:
    """The value of the page function `expression` for `arg` (plain data both ways), evaluated
    in the assistant's isolated world, where the page's scripts cannot change what it reads
    (`isolated_world`)."""
    return isolated_world.evaluate(page, expression, arg)


def evaluate_on(page: Page, selector: str, expression: str) -> Any:
    """The value of the page function `expression` of the one element `selector` finds (the
    first, as a locator would), evaluated in the isolated world like `evaluate`."""
    return evaluate(
        page,
        f"(s) => {{ const el = document.querySelector(s);"
        f" if (!el) throw new Error('no element ' + s); return ({expression})(el); }}",
        selector,
    )


@dataclass(frozen=True, slots=True)
class Idle:
    """What a readiness wait saw: how long it waited, and what was still pending at the end."""

    waited_ms: int
    timers: int
    requests: int
    timed_out: bool


def idle(
    page: Page, *, quiet_ms: int = QUIET_MS, max_ms: int = READY_MAX_MS, timers: bool = True
) -> Idle:
    """Wait (in the page) until it is ready: see the module docstring. Without `timers`, the
    page's short timers are not waited for (only its requests and the DOM)."""
    raw = evaluate(
        page,
        "([q, m, n, t]) => window.__assistant.idle(q, m, n, t)",
        [quiet_ms, max_ms, 0, timers],
    )
    return _idle(raw)


def _idle(raw: dict[str, Any]) -> Idle:
    result = Idle(
        int(raw["waited"]), int(raw["timers"]), int(raw["requests"]), bool(raw["timedOut"])
    )
    if result.timed_out:
        log.info(
            "The page was still busy after %d ms (%d timer(s), %d request(s)); going on.",
            result.waited_ms,
            result.timers,
            result.requests,
        )
    return result


def settle(
    page: Page,
    guard: guarded_context.GuardedContext | None,
    *,
    quiet_ms: int = QUIET_MS,
    max_ms: int = READY_MAX_MS,
    timers: bool = True,
) -> Idle:
    """Wait until the page is ready and no request of the portal is in flight on the context
    (form posts, beacons and loads the page script cannot see), up to `max_ms`."""
    deadline = time.monotonic() + max_ms / 1000
    result = idle(page, quiet_ms=quiet_ms, max_ms=max_ms, timers=timers)
    while guard is not None and guard.in_flight() and time.monotonic() < deadline:
        left = max(1, int((deadline - time.monotonic()) * 1000))
        # Poll in the page (10 ms at the least) while the context says requests are in flight.
        raw = evaluate(
            page,
            "([q, m, n, t]) => window.__assistant.idle(q, m, n, t)",
            [quiet_ms, left, min(left, 10), timers],
        )
        result = _idle(raw)
    return result


def present(page: Page, target: Target) -> bool:
    """Whether any anchor of `target` finds a visible element now (once or more)."""
    return any(count >= 1 for count in resolve(page, [target])[0].counts)


def find_with_errors(page: Page, target: Target, errors: str) -> tuple[Located, str, list[str]]:
    """Where `target` is now, its caption (its accessible name: "Continue to next step"; ""
    when not found), and the texts the page's error regions (`errors`) show, in one round
    trip."""
    raw = evaluate(
        page, "([t, e]) => window.__assistant.findWithErrors(t, e)", [target_spec(target), errors]
    )
    located = Located.from_page(target, raw["located"])
    return located, str(raw.get("caption") or ""), [str(e) for e in raw["errors"]]


def settled_errors(
    page: Page, guard: guarded_context.GuardedContext | None, errors: str
) -> list[str]:
    """Wait until the page is ready (requests on the context included), then the texts its
    error regions (`errors`) show."""
    if guard is not None and guard.in_flight():
        settle(page, guard)
    raw = evaluate(
        page,
        "([q, m, t, e]) => window.__assistant.settled(q, m, t, e)",
        [QUIET_MS, READY_MAX_MS, True, errors],
    )
    _idle(raw["ready"])
    return [str(e) for e in raw["errors"]]


def wait_visible(page: Page, target: Target, timeout_ms: float) -> Located:
    """Wait until one of `target`'s anchors finds exactly one visible element, or an id anchor
    finds several (waiting longer will not help); the last look at the page when neither
    happens in time (`found` False)."""
    located = resolve(page, [target])[0]
    if located.found or located.doubled:
        return located
    wait_for(
        page,
        "(t) => { const r = window.__assistant.resolve([t], true)[0];"
        " return r.anchor >= 0 || r.counts.some((c) => c > 1); }",
        target_spec(target),
        timeout_ms,
    )
    return resolve(page, [target])[0]


def wait_for(page: Page, expression: str, arg: Any, timeout_ms: float) -> Any:
    """What `expression` (a page function of `arg`) returns once it is truthy, looked at every
    frame in the isolated world; None when `timeout_ms` pass first. Waited in slices: a request
    the guard refused meanwhile stops the run now (`RequestRefused`), not when the time is up."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left_ms = (deadline - time.monotonic()) * 1000
        if left_ms <= 0:
            return None
        found = isolated_world.wait_for(page, expression, arg, min(left_ms, WAIT_SLICE_MS))
        if found:
            return found
        guarded_context.raise_if_refused(page)


def map_targets(portal: PortalMap) -> list[Target]:
    """Every element a map knows (number rows expanded to the portal's limit), for the
    required-field check: a required field the map knows is never "unknown"."""
    found: list[Target] = []
    for step in portal.steps:
        for action in step.actions:
            if isinstance(action, FieldAction):
                found.append(action.target)
            elif isinstance(action, RowsAction):
                for i in range(portal.number_limit):
                    found.append(action.number.with_index(i))
                    if action.display_name:
                        found.append(action.display_name.with_index(i))
            elif isinstance(action, CodeGate):
                found.append(action.input)
            elif isinstance(action, ClickAction):
                found.append(action.click)
            elif isinstance(action, SubmitAction):
                found.append(action.submit)
    return found


def unknown_required(page: Page, known: list[Target]) -> list[tuple[str, str]]:
    """Visible required fields that are still empty and that no anchor of `known` finds:
    (label, selector) each."""
    raw = evaluate(
        page, "(known) => window.__assistant.required(known)", [target_spec(t) for t in known]
    )
    return [(str(r["label"]), str(r["selector"])) for r in raw]


def check_required(page: Page, step: str, known: list[Target]) -> None:
    """Raise `PortalMismatch` naming each required field the map does not know that is still
    empty when `step` is done: the portal changed, and nothing may be sent half-filled."""
    missing = unknown_required(page, known)
    if missing:
        names = ", ".join(f'"{label}"' for label, _ in missing)
        raise PortalMismatch(
            f"{step} step: the page requires {names}, which the map does not fill; the portal "
            "has changed. Nothing was submitted; run `assistant check` and update the map."
        )
