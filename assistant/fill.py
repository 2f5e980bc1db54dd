"""Filling one step of a portal from a plan: check the page first, write, read back, retype.

Finding elements and knowing when the page is ready is `assistant.locate`'s job; this module
writes, reads back and retypes. Promises, per step:

- wait for the step's element, never a fixed sleep;
- before typing anything, every mapped element is found (a `when_present` one may be absent:
  the review then says "not on this portal") and found once, and every select holds an option
  for its value; else `PortalMismatch` naming the field (a select without the value's option:
  `NoMatchingOption`, with the options found and the nearest one as "did you mean …?");
- the step's values are written, then read back in one round trip once the page is ready
  (requests, short timers and the DOM settled). A text value the same element did not keep
  is typed key by key (input masks ignore `fill()`); still wrong, `ReadBackMismatch`. A value
  lost because its element was replaced (a re-render) or cleared is a reset: everything
  written is filled once more; a second reset raises `ReadBackMismatch` with a diff;
- when the step's values are in, a visible required field the map does not know that is still
  empty stops the run naming it (the portal changed).

Only page work lives here: asking a person for anything is the session's and the gates' job.
Playwright itself is never imported here (`assistant.browser` hands out its error classes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant import browser, locate, request_guard
from assistant.errors import (
    ElementMissing,
    NoMatchingOption,
    PortalError,
    PortalMismatch,
    ReadBackMismatch,
    ValueRefused,
)
from assistant.locate import Located
from assistant.log import get_logger, redact
from assistant.plan import PlannedField, PlannedRows, PlannedStep
from assistant.portals.formats import Option, did_you_mean, match_option, same_value
from assistant.portals.model import (
    ERROR_REGIONS,
    ClickAction,
    CodeGate,
    FieldAction,
    PortalMap,
    Target,
    ValueFormat,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

log = get_logger(__name__)

ABSENT = "not on this portal"


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait for the page (milliseconds); tests shorten them."""

    step_ms: float = 30_000
    action_ms: float = 15_000


@dataclass(frozen=True, slots=True)
class ReadBack:
    """One value as the profile has it, as it was meant for the page, and as the page shows it.

    `absent`: the field's presence is unknown and this page has none (`shown` says so)."""

    step: str
    field: str
    element: str
    profile: str
    wanted: str
    shown: str
    equal: bool
    absent: bool = False
    kind: str = "text"  # how it is written: "text", "select" or "checkbox"
    sent: str | None = None  # what the form sends when it differs from `shown` (a select's value)
    key: str = ""  # the element's form field name ("" when it has none)

    @property
    def in_request(self) -> str:
        """The value as the page sends it ("" for a checkbox or a field the page lacks)."""
        if self.absent or self.kind == "checkbox":
            return ""
        return self.shown if self.sent is None else self.sent


@dataclass(frozen=True, slots=True)
class Shot:
    """A screenshot of a step (`fill_step`'s `capture`) and what the page held when it was taken:
    the values of every step it covers, as `read_back_steps` gives them, and the page's count of
    DOM changes. A later read-back that finds the same shows the same page (`shows`)."""

    image: bytes
    values: tuple[ReadBack, ...]
    changes: int

    def shows(self, values: Sequence[ReadBack], changes: int) -> bool:
        """Whether the page read back as `values`, with `changes` DOM changes so far, is the
        page in the picture (nothing in the DOM changed since, every value the same)."""
        return changes == self.changes and tuple(values) == self.values


@dataclass(frozen=True, slots=True)
class _State:
    """One element as the page holds it (`count`: how many elements its selector found)."""

    count: int
    value: str = ""
    label: str = ""
    checked: bool = False
    options: tuple[Option, ...] = ()
    token: int = 0  # which element (a re-rendered one gets a new token)
    name: str = ""  # its form field name: what a form post calls its value


def _state(raw: dict[str, Any] | None) -> _State:
    if raw is None:
        return _State(0)
    options = tuple((str(v), str(t)) for v, t in raw.get("options") or ())
    return _State(
        int(raw["count"]),
        str(raw.get("value", "")),
        str(raw.get("label", "")),
        bool(raw.get("checked", False)),
        options,
        int(raw.get("token", 0)),
        str(raw.get("name", "")),
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    """One value a step writes: where, what the page should show, and how to compare."""

    field: str
    target: Target
    write: str
    wanted: str
    profile: str
    format: ValueFormat
    option: Option | None = None


@dataclass
class StepState:
    """What filling a step learnt: where each element is (by field name, rows as "number 3"
    and "display name 3"), the option chosen for each select, and the fields this page lacks."""

    step: PlannedStep
    located: dict[str, Located] = field(default_factory=dict)
    chosen: dict[str, Option] = field(default_factory=dict)
    absent: set[str] = field(default_factory=set)
    tokens: dict[str, int] = field(default_factory=dict)
    page_resets: int = 0  # the page's count of re-renders when the step was checked
    shot: Shot | None = field(default=None, compare=False, repr=False)  # see `fill_step`

    def selector(self, name: str) -> str:
        """The selector that finds field `name` again ("" when it was not found)."""
        found = self.located.get(name)
        return found.selector if found is not None else ""


def _where(step: str, field_name: str, target: Target) -> str:
    return f'{step} step: field "{field_name}" ({target.describe()})'


def wait_for_step(
    page: Page, step: PlannedStep, timeouts: Timeouts, guard: browser.GuardedContext | None = None
) -> Located:
    """Wait until the step's element is visible; `PortalMismatch` naming what was tried."""
    located = locate.wait_visible(page, step.wait_for, timeouts.step_ms)
    if located.found or located.doubled:
        return located  # doubled: the step's own check names the field
    raise ElementMissing(
        f'{step.name} step: "{step.wait_for.describe()}" did not appear within '
        f"{timeouts.step_ms / 1000:.0f} s{_tried(located)}{blocked_note(guard)}; the "
        "portal may have changed (run `assistant check`)"
    )


def _tried(located: Located) -> str:
    """ " (tried type=email: none; label /e-?mail/: none)" for a target of several anchors."""
    return f" (tried {located.tried()})" if len(located.target.any) > 1 else ""


def blocked_note(guard: browser.GuardedContext | None, since: int = 0) -> str:
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
    guard: browser.GuardedContext | None = None,
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
                f"{_where(step.name, name, target)}: found {located.doubled} times; "
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
                f"{_where(step.name, name, target)}: not found on the page{_tried(located)}"
            )
        state.located[name] = located
        if located.anchor > 0:
            log.info("%s step: %s found by %s.", step.name, name, located.how())
        current = _state(held) if held is not None else _read(page, [located.selector])[0]
        state.tokens[name] = current.token
        if action is None or action.write != "select":
            continue
        options = tuple(o for o in current.options if o[0])
        shown[action.field] = options
        if not action.value:
            continue
        option = match_option(options, action.value, action.match)
        if option is None:
            unmatched.append(_no_match(_where(step.name, action.field, target), action, options))
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


def _read(page: Page, selectors: list[str]) -> list[_State]:
    raw = locate.evaluate(page, "(s) => window.__assistant.snapshot(s)", selectors)
    return [_state(r) for r in raw]


# -- writing ---------------------------------------------------------------------------------


def _type_keys(loc: Locator, value: str, timeouts: Timeouts) -> None:
    """Clear the field and type `value` key by key (for key-driven input masks)."""
    loc.fill("", timeout=timeouts.action_ms)
    if loc.input_value():
        loc.press("ControlOrMeta+a")
        loc.press("Backspace")
    loc.press_sequentially(value, timeout=timeouts.action_ms)


def _write_field(page: Page, state: StepState, action: PlannedField, timeouts: Timeouts) -> None:
    if action.field in state.absent:
        return
    # No count here: check_step found the element once, and Playwright's strict locators
    # refuse to act on two; what the page then holds is read back by the caller.
    loc = page.locator(state.selector(action.field))
    if action.write == "select":
        option = state.chosen.get(action.field)
        if option is not None:
            loc.select_option(value=option[0], timeout=timeouts.action_ms)
    elif action.write == "checkbox":
        loc.set_checked(
            action.value.lower() in ("yes", "true", "1", "on"), timeout=timeouts.action_ms
        )
    elif action.write == "upload":
        if action.value:
            loc.set_input_files(action.value, timeout=timeouts.action_ms)
    elif action.value or loc.input_value(timeout=timeouts.action_ms):
        loc.fill(action.value, timeout=timeouts.action_ms)


def _row(
    page: Page, state: StepState, name: str, target: Target, timeouts: Timeouts, *, wait: bool
) -> str | None:
    """Where row target `name` (e.g. "number 3") is: found like the first row was when that
    anchor is a plain selector (Playwright then waits for the row itself), else resolved on
    the page (and waited for, with `wait`). None when it is not there."""
    first = state.located.get(name.rsplit(" ", 1)[0] + " 1")
    if first is not None and first.matched is not None:
        index = first.anchor
        anchor = target.any[index]
        value = getattr(anchor, anchor.kind)
        css = {"id": f'[id="{value}"]', "name": f'[name="{value}"]', "css": value}.get(anchor.kind)
        if css is not None:
            state.located[name] = Located(target, index, str(css), ())
            return str(css)
    if wait:
        located = locate.wait_visible(page, target, timeouts.action_ms)
    else:
        located = locate.resolve(page, [target])[0]
    if not located.found:
        return None
    state.located[name] = located
    return located.selector


def _write_rows(
    page: Page,
    guard: browser.GuardedContext | None,
    state: StepState,
    action: PlannedRows,
    timeouts: Timeouts,
) -> None:
    error_cls, timeout_error = browser.playwright_errors()
    step = state.step.name
    for index, row in enumerate(action.rows):
        name = f"number {index + 1}"
        target = action.number.with_index(index)
        missing = f"{_where(step, name, target)}: no row appeared for it"
        selector: str | None = state.selector(name)
        if index > 0 and action.add:
            # Rows appear only when asked for: press "add" when the row is missing.
            selector = _row(page, state, name, target, timeouts, wait=False)
            if selector is None or page.locator(selector).count() == 0:
                add = state.located["add a number"]
                with guard.declared('"add a number"') if guard else nullcontext():
                    page.locator(add.selector).click(timeout=timeouts.action_ms)
                selector = selector or _row(page, state, name, target, timeouts, wait=True)
                try:
                    if selector is None:
                        raise timeout_error("no row")
                    page.locator(selector).wait_for(state="visible", timeout=timeouts.action_ms)
                except timeout_error:
                    raise ElementMissing(missing) from None
        elif index > 0:
            # The page adds the next row by itself (on input): fill() waits for it to appear.
            selector = _row(page, state, name, target, timeouts, wait=True)
        if not selector:
            raise ElementMissing(missing)
        loc = page.locator(selector)
        try:
            loc.fill(row.number, timeout=timeouts.action_ms)
        except error_cls:
            count = loc.count()
            if count == 0:
                raise ElementMissing(missing) from None
            if count > 1:
                raise ElementMissing(
                    f"{_where(step, name, target)}: found {count} times; the map cannot tell "
                    "which one to fill"
                ) from None
            raise
        if action.display_name and "display name 1" not in state.absent:
            label = f"display name {index + 1}"
            name_target = action.display_name.with_index(index)
            where = state.selector(label) if index == 0 else None
            where = where or _row(page, state, label, name_target, timeouts, wait=True)
            if where is None:
                raise ElementMissing(f"{_where(step, label, name_target)}: not found on the page")
            if row.display_name or page.locator(where).input_value():
                page.locator(where).fill(row.display_name, timeout=timeouts.action_ms)


def _entries(state: StepState, actions: Sequence[PlannedField | PlannedRows]) -> list[_Entry]:
    entries: list[_Entry] = []
    for action in actions:
        if isinstance(action, PlannedRows):
            names_absent = "display name 1" in state.absent
            for index, row in enumerate(action.rows):
                entries.append(
                    _Entry(
                        f"number {index + 1}",
                        action.number.with_index(index),
                        "text",
                        row.number,
                        row.profile_number,
                        action.format,
                    )
                )
                if action.display_name and not names_absent:
                    entries.append(
                        _Entry(
                            f"display name {index + 1}",
                            action.display_name.with_index(index),
                            "text",
                            row.display_name,
                            row.display_name,
                            "text",
                        )
                    )
            continue
        if action.field in state.absent:
            continue
        entries.append(
            _Entry(
                action.field,
                action.target,
                action.write,
                action.value,
                action.profile_value,
                action.format,
                state.chosen.get(action.field),
            )
        )
    return entries


def _compare(step: str, entry: _Entry, held: _State, element: str) -> ReadBack:
    """`entry` as the page shows it (`held`); an element gone or doubled shows nothing."""
    single = held.count == 1
    if entry.write == "select":
        value = held.value if single else ""
        wanted = entry.option[0] if entry.option else ""
        shown = held.label if value else ""
        label = entry.option[1] if entry.option else entry.wanted
        return ReadBack(
            step,
            entry.field,
            element,
            entry.profile,
            label,
            shown,
            value == wanted,
            kind="select",
            sent=value,
            key=held.name,
        )
    if entry.write == "checkbox":
        checked = single and held.checked
        wanted_on = entry.wanted.lower() in ("yes", "true", "1", "on")
        return ReadBack(
            step,
            entry.field,
            element,
            entry.profile,
            "checked" if wanted_on else "not checked",
            "checked" if checked else "not checked",
            checked == wanted_on,
            kind="checkbox",
        )
    shown = held.value if single else ""
    equal = same_value(entry.wanted, shown, entry.format) or (not entry.wanted and not shown)
    return ReadBack(
        step, entry.field, element, entry.profile, entry.wanted, shown, equal, key=held.name
    )


def _element(state: StepState, entry: _Entry) -> str:
    found = state.located.get(entry.field)
    return found.how() if found is not None and found.found else entry.target.describe()


@dataclass(frozen=True, slots=True)
class _Probed:
    """One read-back: the values, what the page holds, required fields the map does not know,
    and how many times the page took away an element it fills since it was loaded."""

    values: list[ReadBack]
    held: list[_State]
    required: list[tuple[str, str]]
    resets: int
    changes: int  # the page's count of DOM changes when it was read


def _probe(
    page: Page,
    state: StepState,
    entries: list[_Entry],
    *,
    quiet_ms: int = 0,
    known: list[Target] | None = None,
) -> _Probed:
    """`entries` as the page holds them once it is ready, in one round trip (and, with
    `known`, the required fields the map does not know)."""
    raw = locate.evaluate(
        page,
        "([s, q, m, k]) => window.__assistant.probe(s, q, m, k)",
        [
            [state.selector(e.field) or ":not(*)" for e in entries],
            quiet_ms,
            locate.READY_MAX_MS,
            [locate.target_spec(t) for t in known] if known is not None else None,
        ],
    )
    held = [_state(r) for r in raw["states"]]
    values = [
        _compare(state.step.name, e, h, _element(state, e))
        for e, h in zip(entries, held, strict=True)
    ]
    required = [(str(r["label"]), str(r["selector"])) for r in raw["required"]]
    return _Probed(values, held, required, int(raw.get("resets", 0)), int(raw.get("changes", 0)))


def _same_element(state: StepState, entry: _Entry, held: _State) -> bool:
    """Whether the page still holds the element this field was found in (not a re-render)."""
    return held.token == state.tokens.get(entry.field, held.token)


def fill_step(
    page: Page,
    step: PlannedStep,
    timeouts: Timeouts,
    *,
    guard: browser.GuardedContext | None = None,
    known: list[Target] | None = None,
    capture: Callable[[], bytes] | None = None,
    shown: Sequence[StepState] = (),
) -> tuple[StepState, list[ReadBack]]:
    """Wait for `step`; check, write and verify every value of it (not its clicks or gates).

    The step's values are written, then read back in one round trip once the page is ready
    (no request or short timer pending, the DOM quiet). A text value the same element did not
    keep is typed key by key. Each time the page took away elements it had filled (a
    re-render, counted in the page as it happens) or lost values in place is a reset: after
    the first, everything is filled once more; a second stops the run with a diff. With
    `known` (every element the map knows), a required field no anchor of the map finds that
    is still empty stops the run.

    With `capture` (a screenshot), the step is photographed right after the writes, while the
    read-back waits for the page to be still; the picture is kept (`state.shot`) only if that
    read-back finds the page exactly as it was then: no DOM change since, every value the same,
    and no short timer or request of the page pending then. Otherwise `state.shot` is None and
    the caller takes its picture now. The picture's values cover `shown` (earlier steps it also
    shows) and this step, for a later `Shot.shows`.

    Returns where everything is and the read-back values. Raises `PortalMismatch` before typing
    when the page does not match the map, `ReadBackMismatch` when a value will not stay.
    """
    state = check_step(page, step, timeouts, guard)
    written = step.fields()
    for action in written:
        _write(page, guard, state, action, timeouts)
    entries = _entries(state, written)
    early = _early_shot(page, [*shown, state], capture) if capture is not None else None
    resets, got, first = _verify(page, guard, state, written, entries, known, timeouts)
    state.shot = _kept(early, state, got) if first else None
    if got.required:
        names = ", ".join(f'"{label}"' for label, _ in got.required)
        raise PortalMismatch(
            f"{step.name} step: the page requires {names}, which the map does not fill; the "
            "portal has changed. Nothing was submitted; run `assistant check` and update the map."
        )
    log.info(
        "%s step: %d value(s) written and read back (%d reset(s) survived).",
        step.name,
        len(got.values),
        resets,
    )
    return state, [*got.values, *_absent_rows(state, written)]


def _early_shot(
    page: Page, states: list[StepState], capture: Callable[[], bytes]
) -> tuple[Shot, bool]:
    """What `states` hold now (without waiting for the page), then `capture`'s picture: the
    picture, and whether a short timer or a request of the page was pending."""
    entries = _all_entries(states)
    raw = locate.evaluate(
        page,
        "(s) => window.__assistant.mark(s)",
        [s.selector(e.field) or ":not(*)" for s, e in entries],
    )
    image = capture()
    values = _read_values(states, entries, raw["states"])
    return Shot(image, tuple(values), int(raw["changes"])), bool(raw["busy"])


def _kept(early: tuple[Shot, bool] | None, state: StepState, got: _Probed) -> Shot | None:
    """The early picture, if the step's first read-back (`got`: nothing was written again)
    found the page as it was when the picture was taken; else None."""
    if early is None:
        return None
    shot, busy = early
    mine = [v for v in shot.values if v.step == state.step.name and not v.absent]
    if busy or got.changes != shot.changes or mine != got.values:
        return None
    return shot


def _verify(
    page: Page,
    guard: browser.GuardedContext | None,
    state: StepState,
    written: list[PlannedField | PlannedRows],
    entries: list[_Entry],
    known: list[Target] | None,
    timeouts: Timeouts,
) -> tuple[int, _Probed, bool]:
    """Read back until the page holds every value (see `fill_step`); the number of resets
    survived, the last read-back, and whether it was the first (nothing written again)."""
    resets = 0
    rerenders_seen = 0
    typed: set[str] = set()
    got = _probe(page, state, entries, quiet_ms=locate.QUIET_MS, known=known)
    while True:
        rerenders = got.resets - state.page_resets
        wrong = [
            (e, v, h) for e, v, h in zip(entries, got.values, got.held, strict=True) if not v.equal
        ]
        if rerenders > rerenders_seen:
            resets += rerenders - rerenders_seen
            rerenders_seen = rerenders
        else:
            masked = [
                e
                for e, _, h in wrong
                if e.write == "text"
                and h.count == 1
                and _same_element(state, e, h)
                and e.field not in typed
            ]
            if masked:
                _retype(page, state, masked, timeouts)
                typed |= {e.field for e in masked}
                got = _probe(page, state, entries, quiet_ms=locate.QUIET_MS, known=known)
                continue
            for entry, value, now in wrong:
                if entry.field in typed and _same_element(state, entry, now):
                    # Masked at the source: this message may reach a summary or the journal.
                    raise ReadBackMismatch(
                        redact(
                            f"{_where(state.step.name, entry.field, entry.target)}: the page "
                            f"shows {value.shown!r} after typing {entry.wanted!r}; stopped "
                            "before the review"
                        )
                    )
            if wrong:
                resets += 1  # values lost where they stood
        if resets > 1:
            diff = "; ".join(
                f"{v.field}: wanted {v.wanted!r}, page shows {v.shown!r}" for _, v, _ in wrong
            )
            raise ReadBackMismatch(
                redact(
                    f"{state.step.name} step: the form reset itself a second time; stopped "
                    f"before the review. Differences: {diff or 'none left, but it was reset'}"
                )
            )
        if not wrong:
            return resets, got, not typed and not resets
        log.warning(
            "%s step: the page reset %d value(s) after they were written; writing them again.",
            state.step.name,
            len(wrong),
        )
        _relocate(page, state, entries)
        for action in written:
            _write(page, guard, state, action, timeouts)
        got = _probe(page, state, entries, quiet_ms=locate.QUIET_MS, known=known)
        for entry, now in zip(entries, got.held, strict=True):
            state.tokens[entry.field] = now.token


def _retype(page: Page, state: StepState, entries: list[_Entry], timeouts: Timeouts) -> None:
    """Type each of `entries` key by key (a key-driven input mask ignores fill())."""
    for entry in entries:
        where = _where(state.step.name, entry.field, entry.target)
        log.info("%s: the page did not keep the filled value; typing it key by key.", where)
        with _writing(state.step.name, entry.field):
            _type_keys(page.locator(state.selector(entry.field)), entry.wanted, timeouts)


def _relocate(page: Page, state: StepState, entries: list[_Entry]) -> None:
    """Find again the elements whose selector no longer finds them (a re-render may have made
    up new ids)."""
    held = _read(page, [state.selector(e.field) for e in entries])
    lost = [e for e, h in zip(entries, held, strict=True) if h.count != 1]
    for entry, found in zip(lost, locate.resolve(page, [e.target for e in lost]), strict=True):
        if found.found:
            state.located[entry.field] = found


def _absent_rows(state: StepState, written: list[PlannedField | PlannedRows]) -> list[ReadBack]:
    """One review row per field this portal does not have ("not on this portal")."""
    rows: list[ReadBack] = []
    for action in written:
        if isinstance(action, PlannedRows):
            if action.display_name and "display name 1" in state.absent:
                names = ", ".join(
                    dict.fromkeys(r.display_name for r in action.rows if r.display_name)
                )
                rows.append(
                    ReadBack(
                        state.step.name,
                        "display names",
                        action.display_name.describe(),
                        names,
                        names,
                        ABSENT,
                        True,
                        absent=True,
                    )
                )
        elif action.field in state.absent:
            rows.append(
                ReadBack(
                    state.step.name,
                    action.field,
                    action.target.describe(),
                    action.profile_value,
                    action.value,
                    ABSENT,
                    True,
                    absent=True,
                )
            )
    return rows


def read_back_steps(page: Page, states: Sequence[StepState]) -> list[ReadBack]:
    """Every value of every step (in order), as the page holds it now that it is ready, in one
    round trip; fields a page lacks come back as "not on this portal"."""
    return read_back_counted(page, states)[0]


def read_back_counted(page: Page, states: Sequence[StepState]) -> tuple[list[ReadBack], int]:
    """`read_back_steps`, and the page's count of DOM changes when it was read (`Shot.shows`)."""
    entries = _all_entries(states)
    raw = locate.evaluate(
        page,
        "([s, q, m]) => window.__assistant.probe(s, q, m, null)",
        [
            [s.selector(e.field) or ":not(*)" for s, e in entries],
            locate.QUIET_MS,
            locate.READY_MAX_MS,
        ],
    )
    return _read_values(states, entries, raw["states"]), int(raw.get("changes", 0))


def _all_entries(states: Sequence[StepState]) -> list[tuple[StepState, _Entry]]:
    return [(s, e) for s in states for e in _entries(s, s.step.fields())]


def _read_values(
    states: Sequence[StepState],
    entries: list[tuple[StepState, _Entry]],
    raw: list[dict[str, Any] | None],
) -> list[ReadBack]:
    """The values of `entries` as the page held them (`raw`), step by step, with a row for each
    field a page lacks."""
    values = [
        _compare(s.step.name, e, _state(r), _element(s, e))
        for (s, e), r in zip(entries, raw, strict=True)
    ]
    out: list[ReadBack] = []
    for s in states:
        out.extend(v for v in values if v.step == s.step.name)
        out.extend(_absent_rows(s, s.step.fields()))
    return out


def _write(
    page: Page,
    guard: browser.GuardedContext | None,
    state: StepState,
    action: PlannedField | PlannedRows,
    timeouts: Timeouts,
) -> None:
    with _writing(state.step.name, action.field):
        if isinstance(action, PlannedRows):
            _write_rows(page, guard, state, action, timeouts)
        else:
            _write_field(page, state, action, timeouts)


@contextmanager
def _writing(step: str, field_name: str) -> Iterator[None]:
    """Turn a Playwright error while writing `field` into a `PortalError` with no value in it."""
    error_cls, _ = browser.playwright_errors()
    try:
        yield
    except error_cls as error:
        # Playwright's message quotes the value being typed (and a call log with it): only its
        # first line goes on, through the redactor, so contact details never reach the screen.
        first = redact(str(error).strip().splitlines()[0] if str(error).strip() else "")
        raise PortalError(
            f'{step} step: writing "{field_name}" failed ({first}); nothing was submitted'
        ) from None


# -- clicks and the code ---------------------------------------------------------------------


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
        f"{step} step: {what} ({target.describe()}): not found on the page{_tried(located)}; "
        "the portal may have changed (run `assistant check`)"
    )


def _await_effect(
    page: Page, expect: Target | None, errors: str, before: list[str], timeout_ms: float
) -> dict[str, Any] | None:
    """Wait until `expect` is visible or an error region shows a new text; None on time-out."""
    arg = [locate.target_spec(expect) if expect else None, errors, before]
    found: dict[str, Any] | None = locate.wait_for(
        page, "([t, e, b]) => window.__assistant.effect(t, e, b)", arg, timeout_ms
    )
    return found


def _errors_now(page: Page, selector: str) -> list[str]:
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
    guard: browser.GuardedContext | None = None,
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
            before = _errors_now(page, regions)
        gate = (
            guard.declared(clicking, writes=action.writes, carries=frozenset(action.carries))
            if guard
            else nullcontext()
        )
        with gate:
            page.locator(button.selector).click(timeout=timeouts.action_ms)
            log.info("%s step: clicked %s.", step, button.how())
            if action.expect is not None:
                effect = _await_effect(page, action.expect, regions, before, timeouts.step_ms)
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


@dataclass(frozen=True, slots=True)
class CodeResult:
    """What the page made of a verification code: accepted, or refused with its message."""

    accepted: bool
    message: str = ""


def enter_code(
    page: Page,
    step: str,
    gate: CodeGate,
    code: str | None,
    timeouts: Timeouts,
    guard: browser.GuardedContext | None = None,
) -> CodeResult:
    """Type `code` into the gate's box (None: the person typed it in the browser) and, when the
    gate has a confirm button, press it and wait for `accepted` or the page's error."""
    if (
        gate.confirm is not None
        and gate.accepted is not None
        and locate.present(page, gate.accepted)
    ):
        return CodeResult(True)  # accepted already (the person pressed verify in the browser)
    box = find_one(page, step, "the verification code box", gate.input, timeouts.action_ms)
    loc = page.locator(box.selector)
    if code is not None and guard is not None:
        guard.knows_code(code)  # a request carrying it is recognised from now on
    if code is not None:
        loc.fill(code, timeout=timeouts.action_ms)
        if loc.input_value() != code:
            loc.fill("")
            loc.press_sequentially(code, timeout=timeouts.action_ms)
    typed = loc.input_value().strip()
    if not (typed.isdigit() and len(typed) == gate.digits):
        return CodeResult(False, f"the code box holds no {gate.digits}-digit code")
    if guard is not None:
        guard.knows_code(typed)  # also the code the person typed into the browser
    if gate.confirm is None:
        return CodeResult(True)
    if gate.accepted is not None and locate.present(page, gate.accepted):
        return CodeResult(True)  # the person already pressed the button in the browser
    what = "the verify button"
    button = find_one(page, step, what, gate.confirm, timeouts.action_ms)
    before = _errors_now(page, gate.error)
    verifying = (
        guard.declared(what, writes=gate.writes, carries=request_guard.EMAIL_AND_CODE)
        if guard
        else nullcontext()
    )
    with verifying:
        page.locator(button.selector).click(timeout=timeouts.action_ms)
        if gate.accepted is None:
            locate.settle(page, guard)
            return CodeResult(True)
        effect = _await_effect(page, gate.accepted, gate.error, before, timeouts.step_ms)
    if effect is None:
        return CodeResult(False, "the page neither accepted nor refused the code")
    if effect.get("done"):
        return CodeResult(True)
    return CodeResult(False, str(effect.get("error") or "the page refused the code"))


# Profile values that are contact details: masked in screenshots under `--mask-contact`.
CONTACT_PATHS = frozenset({"contact.email", "contact.phone"})


def contact_targets(portal: PortalMap) -> tuple[Target, ...]:
    """The elements of `portal` that hold the contact email, the contact phone or the code."""
    targets: list[Target] = []
    for step in portal.steps:
        for action in step.actions:
            if isinstance(action, FieldAction) and action.value in CONTACT_PATHS:
                targets.append(action.target)
            elif isinstance(action, CodeGate):
                targets.append(action.input)
    return tuple(targets)


def contact_locators(page: Page, portal: PortalMap, values: Sequence[str] = ()) -> list[Locator]:
    """What to paint over in screenshots: the elements of `contact_targets` (wherever one of
    each target's anchors finds its element), and every element whose text shows one of
    `values` (the contact email or phone, in any common spelling), such as a review summary."""
    found = locate.resolve(page, list(contact_targets(portal)), visible=False)
    masks = [page.locator(f.selector) for f in found if f.found]
    masks += [page.get_by_text(pattern) for pattern in _spellings(values)]
    return masks


def _spellings(values: Sequence[str]) -> list[re.Pattern[str]]:
    """A pattern per value that finds it as a page may print it: an email in any case, a
    phone number with or without +1, brackets, spaces, dots or dashes."""
    patterns = []
    for value in values:
        value = value.strip()
        digits = re.sub(r"\D", "", value)
        if "@" in value:
            patterns.append(re.compile(re.escape(value), re.IGNORECASE))
        elif len(digits) >= 10:
            d = digits[-10:]
            sep = r"[\s.-]*"
            patterns.append(re.compile(rf"(\+?1{sep})?\(?{d[:3]}\)?{sep}{d[3:6]}{sep}{d[6:]}"))
    return patterns
