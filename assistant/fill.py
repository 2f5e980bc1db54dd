"""Filling one step of a portal from a plan: check the page first, write, read back, retype.

Promises, per step:
- wait for the step's element (and the page's ready signal), never a fixed sleep;
- before typing anything, every mapped element exists exactly once and every select holds an
  option for its value, else `PortalMismatch` naming the field (and the options found);
- after each value, everything written so far is read back from the page, together with the
  ready signal (one `page.evaluate` for id and CSS targets; label and role targets one by
  one through Playwright). A page that dropped its ready signal is re-rendering: it is waited
  for and read again, and the values it lost are a reset: filled once more; a second reset
  raises `ReadBackMismatch` with a diff;
- on a ready page, a text value that did not stay is typed key by key (input masks ignore
  `fill()`); still wrong, it raises `ReadBackMismatch` naming the field.

Only page work lives here: asking a person for anything is the session's and the gates' job.
Playwright itself is never imported here (`assistant.browser` hands out its error classes).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import browser
from assistant.errors import PortalError, PortalMismatch, ReadBackMismatch
from assistant.log import get_logger, redact
from assistant.plan import PlannedField, PlannedRows, PlannedStep
from assistant.portals.formats import Option, match_option, same_value
from assistant.portals.model import (
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

# What the page holds for one element: its value, its selected option's label and its options
# (selects), whether it is checked. Shared by the batched read (all ids and CSS targets of a
# step in one round trip) and the per-element read (label and role targets).
_STATE_OF_JS = """el => {
  const state = {count: 1, value: '', label: '', checked: false, options: null};
  if (el.tagName === 'SELECT') {
    state.value = el.value;
    state.label = el.selectedIndex >= 0 ? el.options[el.selectedIndex].label : '';
    state.options = Array.from(el.options).map(o => [o.value, o.label || o.text]);
  } else if (typeof el.value === 'string') {
    state.value = el.value;
  }
  state.checked = typeof el.checked === 'boolean'
    ? el.checked : el.getAttribute('aria-checked') === 'true';
  return state;
}"""
# All targets at once, and whether the page's ready signal is up, in one round trip. A
# selector the browser's own engine refuses (Playwright-only syntax) comes back as null and is
# read through Playwright instead; so is one found nowhere (it may sit in a shadow root).
_SNAPSHOT_JS = (
    """([selectors, ready]) => {
  const stateOf = """
    + _STATE_OF_JS
    + """;
  const states = selectors.map(sel => {
    let found;
    try { found = document.querySelectorAll(sel); } catch (e) { return null; }
    if (found.length !== 1) return {count: found.length, value: '', label: '', checked: false,
                                     options: null};
    return stateOf(found[0]);
  });
  let isReady = true;
  if (ready) {
    try { isReady = document.querySelector(ready) !== null; } catch (e) { isReady = false; }
  }
  return {states, ready: isReady};
}"""
)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait for the page (milliseconds); tests shorten them."""

    step_ms: float = 30_000
    action_ms: float = 15_000


@dataclass(frozen=True, slots=True)
class ReadBack:
    """One value as the profile has it, as it was meant for the page, and as the page shows it."""

    step: str
    field: str
    element: str
    profile: str
    wanted: str
    shown: str
    equal: bool


@dataclass(frozen=True, slots=True)
class _State:
    """One element as the page holds it (`count` how many elements the target matched)."""

    count: int
    value: str = ""
    label: str = ""
    checked: bool = False
    options: tuple[Option, ...] = ()


def _state(raw: dict[str, Any]) -> _State:
    options = tuple((str(v), str(t)) for v, t in raw.get("options") or ())
    return _State(
        int(raw["count"]), str(raw["value"]), str(raw["label"]), bool(raw["checked"]), options
    )


def _selector(target: Target) -> str | None:
    """The CSS selector `locate` uses for `target`, or None for label and role targets."""
    if target.id:
        return f'[id="{target.id}"]'
    return target.css or None


def snapshot(
    page: Page, targets: list[Target], ready: str | None = None
) -> tuple[list[_State], bool]:
    """Every target's state (in order) and whether `ready` matches, in one round trip.

    Label and role targets, and targets the batched read cannot resolve, are read one by one
    through Playwright's own locators (a count and, for one match, an evaluate).
    """
    selectors = [_selector(t) for t in targets]
    raw = page.evaluate(_SNAPSHOT_JS, [[s for s in selectors if s is not None], ready or ""])
    batched = iter(raw["states"])
    states: list[_State] = []
    for target, selector in zip(targets, selectors, strict=True):
        found = next(batched) if selector is not None else None
        if found is not None and int(found["count"]) > 0:
            states.append(_state(found))
            continue
        loc = locate(page, target)
        count = loc.count()
        states.append(_state(loc.evaluate(_STATE_OF_JS)) if count == 1 else _State(count))
    return states, bool(raw["ready"])


def locate(page: Page, target: Target) -> Locator:
    """The locator for a map target (ids through an attribute selector, so any id works)."""
    if target.id:
        return page.locator(f'[id="{target.id}"]')
    if target.css:
        return page.locator(target.css)
    if target.label:
        return page.get_by_label(target.label, exact=True)
    return page.get_by_role(target.role, name=target.name, exact=True)  # type: ignore[arg-type]


def _where(step: str, field: str, target: Target) -> str:
    return f'{step} step: field "{field}" ({target.describe()})'


def _single(page: Page, step: str, field: str, target: Target) -> Locator:
    """The element for `target`, which must exist exactly once."""
    loc = locate(page, target)
    count = loc.count()
    if count == 0:
        raise PortalMismatch(f"{_where(step, field, target)}: not found on the page")
    if count > 1:
        raise PortalMismatch(
            f"{_where(step, field, target)}: found {count} times; "
            "the map cannot tell which one to fill"
        )
    return loc


def wait_for_step(page: Page, step: PlannedStep, ready: str | None, timeouts: Timeouts) -> None:
    """Wait until the step's element is visible and the page says it is ready.

    For a step that writes values the ready signal is tested by `fill_step`'s first read
    (`check_step`, in the same round trip) and waited for there when it is not up.
    """
    _, timeout_error = browser.playwright_errors()
    try:
        page.locator(step.wait_for).first.wait_for(state="visible", timeout=timeouts.step_ms)
        if ready and not step.fields():
            page.locator(ready).wait_for(state="attached", timeout=timeouts.step_ms)
    except timeout_error:
        raise PortalMismatch(
            f'{step.name} step: "{step.wait_for}" did not appear within '
            f"{timeouts.step_ms / 1000:.0f} s; the portal may have changed "
            "(run `assistant check`)"
        ) from None


def _check_targets(step: PlannedStep) -> list[tuple[str, Target, PlannedField | None]]:
    """What `check_step` looks at: (field name, target, the field when it is a single field)."""
    found: list[tuple[str, Target, PlannedField | None]] = []
    for action in step.fields():
        if isinstance(action, PlannedRows):
            found.append(("numbers", action.number.with_index(0), None))
            if action.display_name:
                found.append(("display names", action.display_name.with_index(0), None))
            if action.add and len(action.rows) > 1:
                found.append(("add a number", action.add, None))
        else:
            found.append((action.field, action.target, action))
    return found


def check_step(
    page: Page, step: PlannedStep, ready: str | None = None, timeouts: Timeouts = Timeouts()
) -> dict[str, Option]:
    """Check every element the step writes, before anything is typed, on a ready page.

    Every element must exist exactly once, and every select must hold an option for its value;
    all of it, and whether `ready` matches, is read in one round trip (when the page is not
    ready yet, it is waited for and read again). Returns the option chosen for each select
    field (by field name).
    """
    checks = _check_targets(step)
    targets = [target for _, target, _ in checks]
    states, is_ready = snapshot(page, targets, ready)
    if not is_ready:
        _settle(page, ready, timeouts)
        states, _ = snapshot(page, targets)
    chosen: dict[str, Option] = {}
    for (name, target, action), state in zip(checks, states, strict=True):
        if state.count == 0:
            raise PortalMismatch(f"{_where(step.name, name, target)}: not found on the page")
        if state.count > 1:
            raise PortalMismatch(
                f"{_where(step.name, name, target)}: found {state.count} times; "
                "the map cannot tell which one to fill"
            )
        if action is None or action.write != "select" or not action.value:
            continue
        options = list(state.options)
        option = match_option([o for o in options if o[0]], action.value, action.match)
        if option is None:
            found = ", ".join(label for value, label in options if value) or "none"
            wanted = f"contains {action.value}" if action.match == "range" else f'"{action.value}"'
            raise PortalMismatch(
                f"{_where(step.name, action.field, action.target)}: no option matches "
                f"{wanted}; options found: {found}"
            )
        chosen[action.field] = option
    return chosen


def _type_keys(loc: Locator, value: str, timeouts: Timeouts) -> None:
    """Clear the field and type `value` key by key (for key-driven input masks)."""
    loc.fill("", timeout=timeouts.action_ms)
    if loc.input_value():
        loc.press("ControlOrMeta+a")
        loc.press("Backspace")
    loc.press_sequentially(value, timeout=timeouts.action_ms)


def _write_field(
    page: Page, step: str, action: PlannedField, option: Option | None, timeouts: Timeouts
) -> None:
    # No count here: check_step saw the element exactly once, and Playwright's strict locators
    # refuse to act on two; what the page then holds is read back by the caller.
    loc = locate(page, action.target)
    if action.write == "select":
        if option is not None:
            loc.select_option(value=option[0], timeout=timeouts.action_ms)
    elif action.write == "checkbox":
        loc.set_checked(
            action.value.lower() in ("yes", "true", "1", "on"), timeout=timeouts.action_ms
        )
    elif action.write == "upload":
        if action.value:
            loc.set_input_files(action.value, timeout=timeouts.action_ms)
    else:
        loc.fill(action.value, timeout=timeouts.action_ms)


def _write_rows(page: Page, step: str, action: PlannedRows, timeouts: Timeouts) -> None:
    error_cls, timeout_error = browser.playwright_errors()
    for index, row in enumerate(action.rows):
        target = action.number.with_index(index)
        where = _where(step, f"number {index + 1}", target)
        loc = locate(page, target)
        if action.add:
            # Rows appear only when asked for: count, press "add" when the row is missing.
            if index > 0 and loc.count() == 0:
                _single(page, step, "add a number", action.add).click(timeout=timeouts.action_ms)
                try:
                    loc.wait_for(state="visible", timeout=timeouts.action_ms)
                except timeout_error:
                    raise PortalMismatch(f"{where}: no row appeared for it") from None
            loc = _single(page, step, f"number {index + 1}", target)
            loc.fill(row.number, timeout=timeouts.action_ms)
        else:
            # The page adds the next row by itself (on input): fill() waits for it to appear.
            try:
                loc.fill(row.number, timeout=timeouts.action_ms)
            except error_cls:
                count = loc.count()
                if count == 0:
                    raise PortalMismatch(f"{where}: no row appeared for it") from None
                _single(page, step, f"number {index + 1}", target)  # names a doubled row
                raise
        if action.display_name:
            name_target = action.display_name.with_index(index)
            locate(page, name_target).fill(row.display_name, timeout=timeouts.action_ms)


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


def _entries(
    step: PlannedStep, chosen: dict[str, Option], actions: list[PlannedField | PlannedRows]
) -> list[_Entry]:
    entries: list[_Entry] = []
    for action in actions:
        if isinstance(action, PlannedRows):
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
                if action.display_name:
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
        entries.append(
            _Entry(
                action.field,
                action.target,
                action.write,
                action.value,
                action.profile_value,
                action.format,
                chosen.get(action.field),
            )
        )
    return entries


def _compare(step: str, entry: _Entry, state: _State) -> ReadBack:
    """`entry` as the page shows it (`state`); an element gone or doubled shows nothing."""
    element = entry.target.describe()
    single = state.count == 1
    if entry.write == "select":
        value = state.value if single else ""
        wanted = entry.option[0] if entry.option else ""
        shown = state.label if value else ""
        label = entry.option[1] if entry.option else entry.wanted
        return ReadBack(step, entry.field, element, entry.profile, label, shown, value == wanted)
    if entry.write == "checkbox":
        checked = single and state.checked
        wanted_on = entry.wanted.lower() in ("yes", "true", "1", "on")
        return ReadBack(
            step,
            entry.field,
            element,
            entry.profile,
            "checked" if wanted_on else "not checked",
            "checked" if checked else "not checked",
            checked == wanted_on,
        )
    shown = state.value if single else ""
    equal = same_value(entry.wanted, shown, entry.format) or (not entry.wanted and not shown)
    return ReadBack(step, entry.field, element, entry.profile, entry.wanted, shown, equal)


def _probe(
    page: Page,
    step: PlannedStep,
    entries: list[_Entry],
    ready: str | None,
) -> tuple[list[ReadBack], bool]:
    """`entries` as the page holds them now, and whether its ready signal is up: one round
    trip for id and CSS targets."""
    states, is_ready = snapshot(page, [e.target for e in entries], ready)
    return [_compare(step.name, e, s) for e, s in zip(entries, states, strict=True)], is_ready


def read_back(
    page: Page,
    step: PlannedStep,
    chosen: dict[str, Option],
    actions: list[PlannedField | PlannedRows] | None = None,
) -> list[ReadBack]:
    """Every value the step wrote (or just `actions`), as the page holds it now."""
    entries = _entries(step, chosen, step.fields() if actions is None else actions)
    return _probe(page, step, entries, None)[0]


def read_back_steps(
    page: Page, steps: Sequence[PlannedStep], chosen: dict[str, dict[str, Option]]
) -> list[ReadBack]:
    """Every value of every step (in order), as the page holds it now, in one round trip
    (`chosen`: each step's options, by step name)."""
    entries = [
        (step, e)
        for step in steps
        for e in _entries(step, chosen.get(step.name, {}), step.fields())
    ]
    states, _ = snapshot(page, [e.target for _, e in entries])
    return [_compare(step.name, e, s) for (step, e), s in zip(entries, states, strict=True)]


def _settle(page: Page, ready: str | None, timeouts: Timeouts) -> None:
    """Wait for the page's ready signal (a re-rendering page drops it until it is done)."""
    if ready:
        _, timeout_error = browser.playwright_errors()
        try:
            page.locator(ready).wait_for(state="attached", timeout=timeouts.step_ms)
        except timeout_error:
            raise PortalError(
                f"the page did not become ready again within {timeouts.step_ms / 1000:.0f} s"
            ) from None


def _write_verified(
    page: Page,
    step: PlannedStep,
    chosen: dict[str, Option],
    to_write: list[PlannedField | PlannedRows],
    written: list[PlannedField | PlannedRows],
    ready: str | None,
    timeouts: Timeouts,
) -> list[ReadBack]:
    """Write `to_write`, then read back everything `written` once the page is ready.

    The read-back is one round trip when the page is ready (the ready check rides along);
    a page that dropped its ready signal is re-rendering: it is waited for and read again,
    and what it lost is left to the caller (a reset). On a ready page, a text value that did
    not stay is typed key by key once (a key-driven input mask ignores fill()); still wrong,
    it raises `ReadBackMismatch` naming the field.
    """
    for action in to_write:
        _write(page, step.name, action, chosen, timeouts)
    entries = _entries(step, chosen, written)
    values, is_ready = _probe(page, step, entries, ready)
    if is_ready:
        fresh = {e.field for e in _entries(step, chosen, to_write) if e.write == "text"}
        retyped = [
            entry
            for entry, value in zip(entries, values, strict=True)
            if not value.equal and entry.field in fresh
        ]
        for entry in retyped:
            where = _where(step.name, entry.field, entry.target)
            log.info("%s: the page did not keep the filled value; typing it key by key.", where)
            with _writing(step.name, entry.field):
                _type_keys(locate(page, entry.target), entry.wanted, timeouts)
        if retyped:
            values, is_ready = _probe(page, step, entries, ready)
            still = {e.field for e in retyped}
            for entry, value in zip(entries, values, strict=True):
                if is_ready and not value.equal and entry.field in still:
                    # Masked at the source: this message may reach a summary or the journal.
                    raise ReadBackMismatch(
                        redact(
                            f"{_where(step.name, entry.field, entry.target)}: the page shows "
                            f"{value.shown!r} after typing {entry.wanted!r}; stopped before "
                            "the review"
                        )
                    )
    if not is_ready:
        _settle(page, ready, timeouts)
        values, _ = _probe(page, step, entries, None)
    return values


def fill_step(
    page: Page, step: PlannedStep, ready: str | None, timeouts: Timeouts
) -> tuple[dict[str, Option], list[ReadBack]]:
    """Check, write and verify every value of `step` (not its clicks or gates).

    After each value, the page is left to settle (its ready signal) and everything written so
    far is read back: a page that reset itself is noticed at once, and the values it lost are
    written once more; a second reset stops the run with a diff.

    Returns the options chosen and the read-back values. Raises `PortalMismatch` before typing
    when the page does not match the map, `ReadBackMismatch` when a value will not stay.
    """
    chosen = check_step(page, step, ready, timeouts)
    written: list[PlannedField | PlannedRows] = []
    values: list[ReadBack] = []
    resets = 0
    for action in step.fields():
        written.append(action)
        values = _write_verified(page, step, chosen, [action], written, ready, timeouts)
        wrong = [v for v in values if not v.equal]
        while wrong:
            resets += 1
            if resets > 1:
                diff = "; ".join(
                    f"{v.field}: wanted {v.wanted!r}, page shows {v.shown!r}" for v in wrong
                )
                raise ReadBackMismatch(
                    redact(
                        f"{step.name} step: the form reset itself a second time; stopped before "
                        f"the review. Differences: {diff}"
                    )
                )
            log.warning(
                "%s step: the page reset %d value(s) after they were written; writing them again.",
                step.name,
                len(wrong),
            )
            values = _write_verified(page, step, chosen, written, written, ready, timeouts)
            wrong = [v for v in values if not v.equal]
    # The last read covered every value of the step, after its last write, on a ready page.
    log.info(
        "%s step: %d value(s) written and read back (%d reset(s) survived).",
        step.name,
        len(values),
        resets,
    )
    return chosen, values


def _write(
    page: Page,
    step: str,
    action: PlannedField | PlannedRows,
    chosen: dict[str, Option],
    timeouts: Timeouts,
) -> None:
    with _writing(step, action.field):
        if isinstance(action, PlannedRows):
            _write_rows(page, step, action, timeouts)
        else:
            _write_field(page, step, action, chosen.get(action.field), timeouts)


@contextmanager
def _writing(step: str, field: str) -> Iterator[None]:
    """Turn a Playwright error while writing `field` into a `PortalError` with no value in it."""
    error_cls, _ = browser.playwright_errors()
    try:
        yield
    except error_cls as error:
        # Playwright's message quotes the value being typed (and a call log with it): only its
        # first line goes on, through the redactor, so contact details never reach the screen.
        first = redact(str(error).strip().splitlines()[0] if str(error).strip() else "")
        raise PortalError(
            f'{step} step: writing "{field}" failed ({first}); nothing was submitted'
        ) from None


def click(page: Page, step: str, action: ClickAction, timeouts: Timeouts) -> None:
    """Click a button that moves on; with `expect`, wait until its effect shows.

    With `retry_on`, a click the page answers with its "try again" message is made again, up
    to `attempts` clicks in all, each retry logged. Maps use this only for clicks that are safe
    to repeat (sending the code); the submit is a different action and is never repeated.
    """
    _, timeout_error = browser.playwright_errors()
    loc = _single(page, step, "button", action.click)
    for attempt in range(1, action.attempts + 1):
        loc.click(timeout=timeouts.action_ms)
        log.info("%s step: clicked %s.", step, action.click.describe())
        if not action.expect:
            return
        done = page.locator(action.expect).filter(visible=True)
        waiting = (
            done.or_(page.locator(action.retry_on).filter(visible=True))
            if (action.retry_on)
            else done
        )
        try:
            waiting.first.wait_for(state="visible", timeout=timeouts.step_ms)
        except timeout_error:
            break
        if done.count() > 0:
            return
        if attempt < action.attempts:
            log.warning(
                "%s step: %s did not work%s; clicking again (%d of %d).",
                step,
                action.click.describe(),
                _page_error(page, action.retry_on or ""),
                attempt + 1,
                action.attempts,
            )
    raise PortalError(
        f'{step} step: after clicking {action.click.describe()}, "{action.expect}" did '
        f"not appear{_page_error(page, action.retry_on or _ERROR_SELECTOR)}"
    )


_ERROR_SELECTOR = '.error, [role="alert"]'


def _page_error(page: Page, selector: str = _ERROR_SELECTOR) -> str:
    """ ": <the page's visible error message>", or "" when it shows none."""
    errors = page.locator(selector).filter(visible=True)
    texts = [t.strip() for t in errors.all_inner_texts() if t.strip()]
    return f": the page says {texts[0]!r}" if texts else ""


@dataclass(frozen=True, slots=True)
class CodeResult:
    """What the page made of a verification code: accepted, or refused with its message."""

    accepted: bool
    message: str = ""


def enter_code(
    page: Page, step: str, gate: CodeGate, code: str | None, timeouts: Timeouts
) -> CodeResult:
    """Type `code` into the gate's box (None: the person typed it in the browser) and, when the
    gate has a confirm button, press it and wait for `accepted` or the page's error."""
    _, timeout_error = browser.playwright_errors()
    loc = _single(page, step, "verification code", gate.input)
    if code is not None:
        loc.fill(code, timeout=timeouts.action_ms)
        if loc.input_value() != code:
            loc.fill("")
            loc.press_sequentially(code, timeout=timeouts.action_ms)
    typed = loc.input_value().strip()
    if not (typed.isdigit() and len(typed) == gate.digits):
        return CodeResult(False, f"the code box holds no {gate.digits}-digit code")
    if gate.confirm is None:
        return CodeResult(True)
    accepted = page.locator(gate.accepted).filter(visible=True) if gate.accepted else None
    if accepted is not None and accepted.count() > 0:
        return CodeResult(True)  # the person already pressed the button in the browser
    errors = page.locator(gate.error).filter(visible=True)
    _single(page, step, "verify button", gate.confirm).click(timeout=timeouts.action_ms)
    if accepted is None:
        return CodeResult(True)
    try:
        accepted.or_(errors).first.wait_for(state="visible", timeout=timeouts.step_ms)
    except timeout_error:
        return CodeResult(False, "the page neither accepted nor refused the code")
    if accepted.count() > 0:
        return CodeResult(True)
    texts = [t.strip() for t in errors.all_inner_texts() if t.strip()]
    return CodeResult(False, texts[0] if texts else "the page refused the code")


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


def contact_locators(page: Page, portal: PortalMap) -> list[Locator]:
    """Locators for `contact_targets` on `page` (to paint over in screenshots)."""
    return [locate(page, target) for target in contact_targets(portal)]
