"""Clicking a map's buttons: find the one button, click it once, and wait for its effect (the next
step, an error the page shows, or the request the map declares), never a fixed sleep.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from assistant.browser import guarded_context, locate
from assistant.browser.locate import Located
from assistant.browser.preflight import blocked_note, tried
from assistant.browser.step_state import Timeouts
from assistant.errors import (
    ElementMissing,
    PortalError,
    ValueRefused,
)
from assistant.log import get_logger
from assistant.portals.model import (
    ERROR_REGIONS,
    ClickAction,
    Target,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = get_logger(__name__)


def find_one(
    page: Page,
    step: str,
    what: str,
    target: Target,
    timeout_ms: float,
    located: Located | None = None,
) -> Located:
    """The one visible element for `target` (waited for unless `located` already found it),
    or `PortalMismatch` naming it."""
    if located is None or not located.found:
        located = locate.wait_visible(page, target, timeout_ms)
    if located.found:
        if located.anchor > 0:
            log.info("%s step: %s found by %s.", step, what, located.how())
        return located
    if located.doubled:
        raise ElementMissing(
            f"{step} step: {what} ({target.describe()}): found {located.doubled} times; the "
            "map cannot tell which one to click"
        )
    raise ElementMissing(
        f"{step} step: {what} ({target.describe()}): not found on the page{tried(located)}; "
        "the portal may have changed (run `assistant check`)"
    )


def await_effect(
    page: Page, expect: Target | None, errors: str, before: list[str], timeout_ms: float
) -> dict[str, Any] | None:
    """Wait until `expect` is visible or an error region shows a new text; None on time-out."""
    arg = [locate.target_spec(expect) if expect else None, errors, before]
    found: dict[str, Any] | None = locate.wait_for(
        page, "([t, e, b]) => window.__assistant.effect(t, e, b)", arg, timeout_ms
    )
    return found


def errors_now(page: Page, selector: str) -> list[str]:
    """What the error regions show before a click; the page notes every change to them from
    now on, so that the same words shown again after the click count as the page's answer."""
    return [
        str(t) for t in locate.evaluate(page, "(s) => window.__assistant.armErrors(s)", selector)
    ]


def click(
    page: Page,
    step: str,
    action: ClickAction,
    timeouts: Timeouts,
    guard: guarded_context.GuardedContext | None = None,
) -> None:
    """Click a button of the map; with `expect`, wait until that element shows.

    Writes the click causes may leave the browser while its effects settle (the guard's
    declared gate). A page that answers with a new message in its error regions stops the run
    with that message; with `retry_on`, such a click is made again, up to `attempts` clicks in
    all, each retry logged. Maps use this only for clicks that are safe to repeat (sending the
    code); the submit is a different action and is never repeated.
    """
    what = button_name(action.click)
    regions = action.retry_on or ERROR_REGIONS
    first, caption, before = locate.find_with_errors(page, action.click, regions)
    button = find_one(page, step, what, action.click, timeouts.action_ms, first)
    blocked = len(guard.blocked_writes) if guard else 0
    clicking = f'"{caption}"' if caption else what
    for attempt in range(1, action.attempts + 1):
        if attempt > 1 or not first.found:
            before = errors_now(page, regions)
        gate = (
            guard.declared(clicking, writes=action.writes, carries=frozenset(action.carries))
            if guard
            else nullcontext()
        )
        with gate:
            page.locator(button.selector).click(timeout=timeouts.action_ms)
            log.info("%s step: clicked %s.", step, button.how())
            if action.expect is not None:
                effect = await_effect(page, action.expect, regions, before, timeouts.step_ms)
            else:
                # The requests the click started go out and come back while the gate is open;
                # timers it set run after the gate shuts, like anything else the page does.
                locate.settle(page, guard, timers=False)
        if action.expect is None:
            new = [t for t in locate.settled_errors(page, guard, regions) if t not in before]
            effect = {"done": not new, "error": new[0] if new else None}
        if effect is not None and effect.get("done"):
            return
        message = str(effect.get("error")) if effect else ""
        if not message:
            raise PortalError(
                f'{step} step: after clicking {what}, "{_describe(action.expect)}" did not '
                f"appear within {timeouts.step_ms / 1000:.0f} s{blocked_note(guard, blocked)}"
            )
        if action.retry_on and attempt < action.attempts:
            log.warning(
                "%s step: %s did not work: the page says %r; clicking again (%d of %d).",
                step,
                what,
                message,
                attempt + 1,
                action.attempts,
            )
            continue
        # The page's answer to what was typed (a retry_on click's is a hiccup, said again).
        refused = PortalError if action.retry_on else ValueRefused
        raise refused(f"{step} step: after clicking {what}, the page says {message!r}")
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def button_name(target: Target) -> str:
    """`button #id` or `button "Send code"` (a role anchor names the role itself)."""
    shown = target.describe()
    return shown if target.first.kind == "role" else f"button {shown}"


def _describe(target: Target | None) -> str:
    return target.describe() if target is not None else "the next step"
