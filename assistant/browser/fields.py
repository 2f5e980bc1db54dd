"""Filling one step of a portal from a plan: check the page first, write, read back, retype.

Finding elements and knowing when the page is ready is `assistant.browser.locate`'s job; this module
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
Playwright itself is never imported here (`assistant.browser.launch` hands out its error classes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.browser import driver, guarded_context, locate
from assistant.browser.locate import Located
from assistant.browser.preflight import check_step
from assistant.browser.step_state import (
    ElementState,
    ReadBack,
    Shot,
    StepState,
    Timeouts,
    element_state,
    field_place,
    read_elements,
)
from assistant.errors import (
    ElementMissing,
    PortalError,
    PortalMismatch,
    ReadBackMismatch,
)
from assistant.log import get_logger, redact
from assistant.portals.formats import Option, same_value
from assistant.portals.model import (
    Target,
    ValueFormat,
)
from assistant.portals.plan import PlannedField, PlannedRows, PlannedStep

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

log = get_logger(__name__)

ABSENT = "not on this portal"


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
    guard: guarded_context.GuardedContext | None,
    state: StepState,
    action: PlannedRows,
    timeouts: Timeouts,
) -> None:
    error_cls, timeout_error = driver.playwright_errors()
    step = state.step.name
    for index, row in enumerate(action.rows):
        name = f"number {index + 1}"
        target = action.number.with_index(index)
        missing = f"{field_place(step, name, target)}: no row appeared for it"
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
                    f"{field_place(step, name, target)}: found {count} times; the map cannot tell "
                    "which one to fill"
                ) from None
            raise
        if action.display_name and "display name 1" not in state.absent:
            label = f"display name {index + 1}"
            name_target = action.display_name.with_index(index)
            where = state.selector(label) if index == 0 else None
            where = where or _row(page, state, label, name_target, timeouts, wait=True)
            if where is None:
                raise ElementMissing(
                    f"{field_place(step, label, name_target)}: not found on the page"
                )
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


def _compare(step: str, entry: _Entry, held: ElementState, element: str) -> ReadBack:
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
    held: list[ElementState]
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
    held = [element_state(r) for r in raw["states"]]
    values = [
        _compare(state.step.name, e, h, _element(state, e))
        for e, h in zip(entries, held, strict=True)
    ]
    required = [(str(r["label"]), str(r["selector"])) for r in raw["required"]]
    return _Probed(values, held, required, int(raw.get("resets", 0)), int(raw.get("changes", 0)))


def _same_element(state: StepState, entry: _Entry, held: ElementState) -> bool:
    """Whether the page still holds the element this field was found in (not a re-render)."""
    return held.token == state.tokens.get(entry.field, held.token)


def fill_step(
    page: Page,
    step: PlannedStep,
    timeouts: Timeouts,
    *,
    guard: guarded_context.GuardedContext | None = None,
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
    nothing typed or filled again, and no short timer or request of the page pending then.
    Otherwise `state.shot` is None and the caller takes its picture now. The picture's values
    cover `shown` (earlier steps it also shows) and this step, for a later `Shot.shows`.

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
    guard: guarded_context.GuardedContext | None,
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
                            f"{field_place(state.step.name, entry.field, entry.target)}: the page "
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
        where = field_place(state.step.name, entry.field, entry.target)
        log.info("%s: the page did not keep the filled value; typing it key by key.", where)
        with _writing(state.step.name, entry.field):
            _type_keys(page.locator(state.selector(entry.field)), entry.wanted, timeouts)


def _relocate(page: Page, state: StepState, entries: list[_Entry]) -> None:
    """Find again the elements whose selector no longer finds them (a re-render may have made
    up new ids)."""
    held = read_elements(page, [state.selector(e.field) for e in entries])
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
        _compare(s.step.name, e, element_state(r), _element(s, e))
        for (s, e), r in zip(entries, raw, strict=True)
    ]
    out: list[ReadBack] = []
    for s in states:
        out.extend(v for v in values if v.step == s.step.name)
        out.extend(_absent_rows(s, s.step.fields()))
    return out


def _write(
    page: Page,
    guard: guarded_context.GuardedContext | None,
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
    error_cls, _ = driver.playwright_errors()
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
