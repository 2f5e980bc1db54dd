"""Filling one step of a portal from a plan: check the page first, write, read back, retype.

Promises, per step:
- wait for the step's element (and the page's ready signal), never a fixed sleep;
- before typing anything, every mapped element exists exactly once and every select holds an
  option for its value, else `PortalMismatch` naming the field (and the options found);
- every value is read back after writing; where it differs it is typed key by key; a value
  still wrong raises `ReadBackMismatch` naming the field;
- once the step is written, the page is left to settle (ready signal) and read back whole: a
  form that reset itself is filled once more; a second reset raises `ReadBackMismatch` with a
  diff.

Only page work lives here: asking a person for anything is the session's and the gates' job.
Playwright itself is never imported here (`assistant.browser` hands out its error classes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

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

_OPTIONS_JS = "el => Array.from(el.options).map(o => [o.value, o.label || o.text])"
_SELECTED_JS = "el => el.selectedIndex >= 0 ? el.options[el.selectedIndex].label : ''"


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
    """Wait until the step's element is visible and the page says it is ready."""
    _, timeout_error = browser.playwright_errors()
    try:
        page.locator(step.wait_for).first.wait_for(state="visible", timeout=timeouts.step_ms)
        if ready:
            page.locator(ready).wait_for(state="attached", timeout=timeouts.step_ms)
    except timeout_error:
        raise PortalMismatch(
            f'{step.name} step: "{step.wait_for}" did not appear within '
            f"{timeouts.step_ms / 1000:.0f} s; the portal may have changed "
            "(run `assistant check`)"
        ) from None


def check_step(page: Page, step: PlannedStep) -> dict[str, Option]:
    """Check every element the step writes, before anything is typed.

    Returns the option chosen for each select field (by field name).
    """
    chosen: dict[str, Option] = {}
    for action in step.fields():
        if isinstance(action, PlannedRows):
            _single(page, step.name, "numbers", action.number.with_index(0))
            if action.display_name:
                _single(page, step.name, "display names", action.display_name.with_index(0))
            if action.add and len(action.rows) > 1:
                _single(page, step.name, "add a number", action.add)
            continue
        loc = _single(page, step.name, action.field, action.target)
        if action.write == "select" and action.value:
            options: list[Option] = [(str(v), str(t)) for v, t in loc.evaluate(_OPTIONS_JS)]
            option = match_option([o for o in options if o[0]], action.value, action.match)
            if option is None:
                found = ", ".join(label for value, label in options if value) or "none"
                wanted = (
                    f"contains {action.value}" if action.match == "range" else f'"{action.value}"'
                )
                raise PortalMismatch(
                    f"{_where(step.name, action.field, action.target)}: no option matches "
                    f"{wanted}; options found: {found}"
                )
            chosen[action.field] = option
    return chosen


def _write_text(loc: Locator, value: str, fmt: ValueFormat, where: str, timeouts: Timeouts) -> None:
    loc.fill(value, timeout=timeouts.action_ms)
    if same_value(value, loc.input_value(), fmt) or (not value and not loc.input_value()):
        return
    # A key-driven input mask ignores fill(): clear the field and type key by key.
    log.info("%s: the page did not keep the filled value; typing it key by key.", where)
    loc.fill("", timeout=timeouts.action_ms)
    if loc.input_value():
        loc.press("ControlOrMeta+a")
        loc.press("Backspace")
    loc.press_sequentially(value, timeout=timeouts.action_ms)
    if not same_value(value, loc.input_value(), fmt):
        # Masked at the source: this message may reach a summary table or the journal's reason.
        raise ReadBackMismatch(
            redact(
                f"{where}: the page shows {loc.input_value()!r} after typing {value!r}; "
                "stopped before the review"
            )
        )


def _write_field(
    page: Page, step: str, action: PlannedField, option: Option | None, timeouts: Timeouts
) -> None:
    loc = _single(page, step, action.field, action.target)
    where = _where(step, action.field, action.target)
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
        _write_text(loc, action.value, action.format, where, timeouts)


def _write_rows(page: Page, step: str, action: PlannedRows, timeouts: Timeouts) -> None:
    _, timeout_error = browser.playwright_errors()
    for index, row in enumerate(action.rows):
        target = action.number.with_index(index)
        loc = locate(page, target)
        if index > 0 and loc.count() == 0:
            if action.add:
                _single(page, step, "add a number", action.add).click(timeout=timeouts.action_ms)
            try:
                loc.wait_for(state="visible", timeout=timeouts.action_ms)
            except timeout_error:
                raise PortalMismatch(
                    f"{_where(step, f'number {index + 1}', target)}: no row appeared for it"
                ) from None
        loc = _single(page, step, f"number {index + 1}", target)
        _write_text(
            loc, row.number, action.format, _where(step, f"number {index + 1}", target), timeouts
        )
        if action.display_name:
            name_target = action.display_name.with_index(index)
            name_loc = _single(page, step, f"display name {index + 1}", name_target)
            where = _where(step, f"display name {index + 1}", name_target)
            _write_text(name_loc, row.display_name, "text", where, timeouts)


def read_back(
    page: Page,
    step: PlannedStep,
    chosen: dict[str, Option],
    actions: list[PlannedField | PlannedRows] | None = None,
) -> list[ReadBack]:
    """Every value the step wrote (or just `actions`), as the page holds it now."""
    result: list[ReadBack] = []
    for action in step.fields() if actions is None else actions:
        if isinstance(action, PlannedRows):
            for index, row in enumerate(action.rows):
                target = action.number.with_index(index)
                shown = _value_of(locate(page, target))
                result.append(
                    ReadBack(
                        step.name,
                        f"number {index + 1}",
                        target.describe(),
                        row.profile_number,
                        row.number,
                        shown,
                        same_value(row.number, shown, action.format),
                    )
                )
                if action.display_name:
                    name_target = action.display_name.with_index(index)
                    shown = _value_of(locate(page, name_target))
                    result.append(
                        ReadBack(
                            step.name,
                            f"display name {index + 1}",
                            name_target.describe(),
                            row.display_name,
                            row.display_name,
                            shown,
                            same_value(row.display_name, shown, "text"),
                        )
                    )
            continue
        loc = locate(page, action.target)
        element = action.target.describe()
        if action.write == "select":
            option = chosen.get(action.field)
            value = _value_of(loc)
            label = loc.evaluate(_SELECTED_JS) if loc.count() == 1 else ""
            wanted = option[0] if option else ""
            shown = str(label) if value else ""
            equal = value == wanted
            result.append(
                ReadBack(
                    step.name,
                    action.field,
                    element,
                    action.profile_value,
                    option[1] if option else action.value,
                    shown,
                    equal,
                )
            )
        elif action.write == "checkbox":
            checked = loc.count() == 1 and loc.is_checked()
            wanted_on = action.value.lower() in ("yes", "true", "1", "on")
            result.append(
                ReadBack(
                    step.name,
                    action.field,
                    element,
                    action.profile_value,
                    "checked" if wanted_on else "not checked",
                    "checked" if checked else "not checked",
                    checked == wanted_on,
                )
            )
        else:
            shown = _value_of(loc)
            equal = same_value(action.value, shown, action.format) or (
                not action.value and not shown
            )
            result.append(
                ReadBack(
                    step.name,
                    action.field,
                    element,
                    action.profile_value,
                    action.value,
                    shown,
                    equal,
                )
            )
    return result


def _value_of(loc: Locator) -> str:
    """The element's current value, or "" when it is gone (a re-render may remove it)."""
    return loc.input_value() if loc.count() == 1 else ""


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
    chosen = check_step(page, step)
    written: list[PlannedField | PlannedRows] = []
    resets = 0
    for action in step.fields():
        _write(page, step.name, action, chosen, timeouts)
        written.append(action)
        _settle(page, ready, timeouts)
        wrong = [v for v in read_back(page, step, chosen, written) if not v.equal]
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
            for again in written:
                _write(page, step.name, again, chosen, timeouts)
            _settle(page, ready, timeouts)
            wrong = [v for v in read_back(page, step, chosen, written) if not v.equal]
    values = read_back(page, step, chosen)
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
    error_cls, _ = browser.playwright_errors()
    try:
        if isinstance(action, PlannedRows):
            _write_rows(page, step, action, timeouts)
        else:
            _write_field(page, step, action, chosen.get(action.field), timeouts)
    except error_cls as error:
        # Playwright's message quotes the value being typed (and a call log with it): only its
        # first line goes on, through the redactor, so contact details never reach the screen.
        first = redact(str(error).strip().splitlines()[0] if str(error).strip() else "")
        raise PortalError(
            f'{step} step: writing "{action.field}" failed ({first}); nothing was submitted'
        ) from None


def click(page: Page, step: str, action: ClickAction, timeouts: Timeouts) -> None:
    """Click a button that moves on; with `expect`, wait until its effect shows."""
    _, timeout_error = browser.playwright_errors()
    loc = _single(page, step, "button", action.click)
    loc.click(timeout=timeouts.action_ms)
    log.info("%s step: clicked %s.", step, action.click.describe())
    if action.expect:
        try:
            page.locator(action.expect).first.wait_for(state="visible", timeout=timeouts.step_ms)
        except timeout_error:
            raise PortalError(
                f'{step} step: after clicking {action.click.describe()}, "{action.expect}" did '
                f"not appear{_page_error(page)}"
            ) from None


def _page_error(page: Page, selector: str = '.error, [role="alert"]') -> str:
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
