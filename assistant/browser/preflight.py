"""Before anything is typed in a step: wait for the step's page, then find every mapped element
(once, and a select holding an option for its value), or stop naming what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.browser import guarded_context, locate
from assistant.browser.locate import Located
from assistant.browser.step_state import (
    StepState,
    Timeouts,
    element_state,
    field_place,
    read_elements,
)
from assistant.errors import (
    ElementMissing,
    NoMatchingOption,
)
from assistant.log import get_logger
from assistant.portals.formats import Option, did_you_mean, match_option
from assistant.portals.model import Target
from assistant.portals.plan import PlannedField, PlannedRows, PlannedStep

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = get_logger(__name__)


def wait_for_step(
    page: Page,
    step: PlannedStep,
    timeouts: Timeouts,
    guard: guarded_context.GuardedContext | None = None,
) -> Located:
    """Wait until the step's element is visible; `PortalMismatch` naming what was tried."""
    located = locate.wait_visible(page, step.wait_for, timeouts.step_ms)
    if located.found or located.doubled:
        return located  # doubled: the step's own check names the field
    raise ElementMissing(
        f'{step.name} step: "{step.wait_for.describe()}" did not appear within '
        f"{timeouts.step_ms / 1000:.0f} s{tried(located)}{blocked_note(guard)}; the "
        "portal may have changed (run `assistant check`)"
    )


def tried(located: Located) -> str:
    """ " (tried type=email: none; label /e-?mail/: none)" for a target of several anchors."""
    return f" (tried {located.tried()})" if len(located.target.any) > 1 else ""


def blocked_note(guard: guarded_context.GuardedContext | None, since: int = 0) -> str:
    """ "; the page tried to send POST x by itself, which was blocked" when it did."""
    if guard is None or len(guard.blocked_writes) <= since:
        return ""
    sent = ", ".join(dict.fromkeys(guard.blocked_writes[since:]))
    return (
        f"; the page tried to send {sent} by itself, which was blocked (requests leave only "
        "through the map's buttons)"
    )


def _check_targets(step: PlannedStep) -> list[tuple[str, Target, PlannedField | None, bool]]:
    """What `check_step` looks at: (name, target, the field when it is one, may be absent)."""
    found: list[tuple[str, Target, PlannedField | None, bool]] = []
    for action in step.fields():
        if isinstance(action, PlannedRows):
            found.append(("number 1", action.number.with_index(0), None, False))
            if action.display_name:
                found.append(
                    (
                        "display name 1",
                        action.display_name.with_index(0),
                        None,
                        action.display_name_when_present,
                    )
                )
            if action.add and len(action.rows) > 1:
                found.append(("add a number", action.add, None, False))
        else:
            found.append((action.field, action.target, action, action.when_present))
    return found


def check_step(
    page: Page,
    step: PlannedStep,
    timeouts: Timeouts = Timeouts(),
    guard: guarded_context.GuardedContext | None = None,
) -> StepState:
    """Wait for the step, then check every element it writes, before anything is typed, on a
    ready page.

    Every element must be found once (a `when_present` one may be absent), and every select
    must hold an option for its value; found, read and checked in one round trip once the page
    is ready (the step, or an element still missing, is waited for). Returns where each one is
    and the option chosen for each select. Selects without an option for their value raise one
    `NoMatchingOption` naming each of them, holding the live options of every select.
    """
    checks = _check_targets(step)
    raw = _check(page, step.wait_for, checks)
    arrived = raw["located"].pop(0)
    raw["states"].pop(0)
    if arrived["anchor"] < 0 and not any(int(c) > 1 for c in arrived["counts"]):
        # The step is not (yet) on the page: wait for it, then look again.
        wait_for_step(page, step, timeouts, guard)
        raw = _check(page, step.wait_for, checks)
        raw["located"].pop(0)
        raw["states"].pop(0)
    state = StepState(step, page_resets=int(raw.get("resets", 0)))
    shown: dict[str, tuple[Option, ...]] = {}  # the live options of each select
    unmatched: list[str] = []
    for (name, target, action, maybe), found, held in zip(
        checks, raw["located"], raw["states"], strict=True
    ):
        located = Located.from_page(target, found)
        if not located.found and not located.doubled and not maybe:
            located = locate.wait_visible(page, target, timeouts.step_ms)
            held = None
        if located.doubled and not located.found:
            raise ElementMissing(
                f"{field_place(step.name, name, target)}: found {located.doubled} times; "
                "the map cannot tell which one to fill"
            )
        if not located.found:
            if maybe:
                state.absent.add(name)
                log.info(
                    "%s step: %s is not on this portal (tried %s).",
                    step.name,
                    name,
                    located.tried(),
                )
                continue
            raise ElementMissing(
                f"{field_place(step.name, name, target)}: not found on the page{tried(located)}"
            )
        state.located[name] = located
        if located.anchor > 0:
            log.info("%s step: %s found by %s.", step.name, name, located.how())
        current = (
            element_state(held) if held is not None else read_elements(page, [located.selector])[0]
        )
        state.tokens[name] = current.token
        if action is None or action.write != "select":
            continue
        options = tuple(o for o in current.options if o[0])
        shown[action.field] = options
        if not action.value:
            continue
        option = match_option(options, action.value, action.match)
        if option is None:
            unmatched.append(
                _no_match(field_place(step.name, action.field, target), action, options)
            )
        else:
            state.chosen[action.field] = option
    if unmatched:
        # Every select of the step is judged before stopping: one code shows every misspelling.
        raise NoMatchingOption("; also ".join(unmatched), shown)
    return state


def _check(
    page: Page, arrival: Target, checks: list[tuple[str, Target, PlannedField | None, bool]]
) -> dict[str, Any]:
    """The step's own element and every element it writes, found and read once the page is
    ready, in one round trip."""
    targets = [arrival, *(t for _, t, _, _ in checks)]
    raw: dict[str, Any] = locate.evaluate(
        page,
        "([t, q, m]) => window.__assistant.check(t, q, m)",
        [[locate.target_spec(t) for t in targets], locate.QUIET_MS, locate.READY_MAX_MS],
    )
    return raw


def _no_match(where: str, action: PlannedField, options: Sequence[Option]) -> str:
    """`…: no option matches "Helth Care"; did you mean Healthcare? Options found: …`."""
    found = ", ".join(label for _, label in options) or "none"
    if action.match == "range":
        return f"{where}: no option matches contains {action.value}; options found: {found}"
    near = did_you_mean(options, action.value, action.match)
    if near:
        return f'{where}: no option matches "{action.value}"; {near} Options found: {found}'
    return f'{where}: no option matches "{action.value}"; options found: {found}'
