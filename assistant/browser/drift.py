"""`assistant check`'s core: compare the live portal with its map, without typing anything.

Walks the steps reachable without data or a code (an acknowledgement is clicked through; a
step that needs values or the emailed code ends the walk), and checks every mapped element of
those steps, and of later steps the page already holds (hidden until the code is verified):
which anchor found it, whether it is there once, its label as the map expects, and the live
options of each select (`seen_options`, for `assistant.portals.seen` to remember). A
`when_present` element that is missing is reported as "not on this portal", not as drift.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant.browser import guarded_context, locate
from assistant.browser.clicks import button_name
from assistant.browser.step_state import Timeouts
from assistant.portals.formats import Option
from assistant.portals.model import (
    ClickAction,
    CodeGate,
    FieldAction,
    PortalMap,
    RowsAction,
    SubmitAction,
    Target,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

_LABEL_JS = (
    "el => { const l = el.labels && el.labels[0];"
    " return l ? l.innerText : (el.getAttribute('aria-label') || ''); }"
)
_OPTIONS_JS = (
    "el => Array.from(el.options).filter(o => o.value).map(o => [o.value, o.label || o.text])"
)

Status = Literal["ok", "missing", "doubled", "label", "absent"]


@dataclass(frozen=True, slots=True)
class FieldReport:
    """One mapped element as found on the live page, and the anchor that found it."""

    field: str
    element: str
    status: Status
    detail: str = ""
    options: tuple[str, ...] = ()  # a select's option labels
    anchor: str = ""  # how it was found: `#id`, or `label "X" (anchor 2 of 3)`
    choices: tuple[Option, ...] = ()  # a select's options as (value, label) pairs


@dataclass(slots=True)
class StepReport:
    """One step of the map: whether it was reached, and its elements."""

    name: str
    note: str
    fields: list[FieldReport] = field(default_factory=list)

    @property
    def drift(self) -> list[FieldReport]:
        """The elements that do not match the map."""
        return [f for f in self.fields if f.status not in ("ok", "absent")]


def _clean_label(text: str) -> str:
    return " ".join(text.replace("*", " ").split())


@dataclass(frozen=True, slots=True)
class _Item:
    name: str
    target: Target
    select: bool = False
    maybe: bool = False  # when_present
    click: bool = False  # a button that moves on (clicked on steps that need no data)


def _items(portal: PortalMap, step_index: int) -> list[_Item]:
    items: list[_Item] = []
    for action in portal.steps[step_index].actions:
        if isinstance(action, FieldAction):
            items.append(
                _Item(action.field, action.target, action.write == "select", action.when_present)
            )
        elif isinstance(action, RowsAction):
            items.append(_Item("numbers", action.number.with_index(0)))
            if action.display_name:
                items.append(
                    _Item(
                        "display names",
                        action.display_name.with_index(0),
                        maybe=action.display_name_when_present,
                    )
                )
            if action.add:
                items.append(_Item("add a number", action.add))
        elif isinstance(action, ClickAction):
            items.append(_Item(button_name(action.click), action.click, click=True))
        elif isinstance(action, CodeGate):
            items.append(_Item("verification code", action.input))
            if action.confirm:
                items.append(_Item("verify button", action.confirm))
        elif isinstance(action, SubmitAction):
            items.append(_Item("submit button", action.submit))
    return items


def _inspect(page: Page, item: _Item, found: locate.Located) -> FieldReport:
    element = item.target.describe()
    if not found.found:
        if found.doubled:
            return FieldReport(item.name, element, "doubled", f"found {found.doubled} times")
        if item.maybe:
            return FieldReport(item.name, element, "absent", "not on this portal (it may not be)")
        return FieldReport(item.name, element, "missing", f"not found (tried {found.tried()})")
    choices: tuple[Option, ...] = ()
    if item.select:
        read = locate.evaluate_on(page, found.selector, _OPTIONS_JS)
        choices = tuple((str(v), str(label)) for v, label in read)
    options = tuple(label for _, label in choices)
    how = found.how()
    expected = item.target.expect_label
    if expected:
        live = _clean_label(str(locate.evaluate_on(page, found.selector, _LABEL_JS)))
        if live.lower() != expected.lower():
            detail = f'label reads "{live}", the map expects "{expected}"'
            return FieldReport(item.name, element, "label", detail, options, how, choices)
    return FieldReport(item.name, element, "ok", "", options, how, choices)


def seen_options(reports: list[StepReport]) -> dict[str, tuple[Option, ...]]:
    """The live options of every select the survey read, by field name (to remember them)."""
    return {f.field: f.choices for r in reports for f in r.fields if f.choices}


def survey(
    page: Page,
    portal: PortalMap,
    timeouts: Timeouts,
    guard: guarded_context.GuardedContext | None = None,
) -> list[StepReport]:
    """Check the loaded portal page against `portal`, step by step (see the module doc).
    The acknowledgement clicks pass through `guard`'s declared gate when one is given."""
    reports: list[StepReport] = []
    reachable = True
    for index, step in enumerate(portal.steps):
        items = _items(portal, index)
        if reachable:
            arrived = locate.wait_visible(page, step.wait_for, timeouts.step_ms)
            if not (arrived.found or arrived.doubled):
                report = StepReport(step.name, f'"{step.wait_for.describe()}" did not appear')
                report.fields.append(
                    FieldReport(
                        "step",
                        step.wait_for.describe(),
                        "missing",
                        f"the step did not appear (tried {arrived.tried()})",
                    )
                )
                reports.append(report)
                break
            locate.settle(page, guard)
            found = locate.resolve(page, [i.target for i in items])
            note = "opened"
        else:
            # Later steps: checked only as far as the page already holds them, hidden.
            found = locate.resolve(page, [i.target for i in items], visible=False)
            if not any(f.found or f.doubled for f in found):
                reports.append(
                    StepReport(
                        step.name,
                        "comes after the emailed code, so it was not opened; its fields are not "
                        "in the page before then, so they were not checked",
                    )
                )
                continue
            note = (
                "comes after the emailed code, so it was not opened; its fields are already in "
                "the page (hidden until then) and were checked there"
            )
        report = StepReport(step.name, note)
        report.fields.extend(_inspect(page, i, f) for i, f in zip(items, found, strict=True))
        reports.append(report)
        if not reachable:
            continue
        needs_data = any(isinstance(a, FieldAction | RowsAction | CodeGate) for a in step.actions)
        if needs_data:
            reachable = False
            continue
        for action, located in zip(items, found, strict=True):
            if action.click and located.found:
                with guard.declared(action.name) if guard else nullcontext():
                    page.locator(located.selector).click(timeout=timeouts.action_ms)
                    locate.settle(page, guard, timers=False)
    return reports
