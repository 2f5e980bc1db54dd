"""`assistant check`'s core: compare the live portal with its map, without typing anything.

Walks the steps reachable without data or a code (an acknowledgement is clicked through; a
step that needs values or the emailed code ends the walk), and checks every mapped element of
those steps, and of later steps the page already holds: found once, its label as the map
expects, and the live options of each select.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant import browser
from assistant.fill import Timeouts, locate
from assistant.portals.model import (
    ClickAction,
    CodeGate,
    FieldAction,
    PortalMap,
    RowsAction,
    Target,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

_LABEL_JS = (
    "el => { const l = el.labels && el.labels[0];"
    " return l ? l.innerText : (el.getAttribute('aria-label') || ''); }"
)
_OPTIONS_JS = "el => Array.from(el.options).filter(o => o.value).map(o => o.label || o.text)"

Status = Literal["ok", "missing", "doubled", "label"]


@dataclass(frozen=True, slots=True)
class FieldReport:
    """One mapped element as found on the live page."""

    field: str
    element: str
    status: Status
    detail: str = ""
    options: tuple[str, ...] = ()


@dataclass(slots=True)
class StepReport:
    """One step of the map: whether it was reached, and its elements."""

    name: str
    note: str
    fields: list[FieldReport] = field(default_factory=list)

    @property
    def drift(self) -> list[FieldReport]:
        """The elements that do not match the map."""
        return [f for f in self.fields if f.status != "ok"]


def _clean_label(text: str) -> str:
    return " ".join(text.replace("*", " ").split())


def _inspect(page: Page, name: str, target: Target, select: bool) -> FieldReport:
    loc = locate(page, target)
    count = loc.count()
    element = target.describe()
    if count == 0:
        return FieldReport(name, element, "missing", "not found on the page")
    if count > 1:
        return FieldReport(name, element, "doubled", f"found {count} times")
    options: tuple[str, ...] = ()
    if select:
        options = tuple(str(o) for o in loc.evaluate(_OPTIONS_JS))
    if target.expect_label:
        live = _clean_label(str(loc.evaluate(_LABEL_JS)))
        if live.lower() != target.expect_label.lower():
            detail = f'label reads "{live}", the map expects "{target.expect_label}"'
            return FieldReport(name, element, "label", detail, options)
    return FieldReport(name, element, "ok", "", options)


def survey(page: Page, portal: PortalMap, timeouts: Timeouts) -> list[StepReport]:
    """Check the loaded portal page against `portal`, step by step (see the module doc)."""
    _, timeout_error = browser.playwright_errors()
    reports: list[StepReport] = []
    reachable = True
    for step in portal.steps:
        if reachable:
            try:
                page.locator(step.wait_for).first.wait_for(
                    state="visible", timeout=timeouts.step_ms
                )
                note = "opened"
            except timeout_error:
                reports.append(StepReport(step.name, f'"{step.wait_for}" did not appear'))
                reports[-1].fields.append(
                    FieldReport("step", step.wait_for, "missing", "the step did not appear")
                )
                break
        elif page.locator(step.wait_for).count():
            note = (
                "comes after the emailed code, so it was not opened; its fields are already "
                "in the page (hidden until then) and were checked there"
            )
        else:
            reports.append(
                StepReport(
                    step.name,
                    "comes after the emailed code, so it was not opened; its fields are not in "
                    "the page before then, so they were not checked",
                )
            )
            continue
        report = StepReport(step.name, note)
        for action in step.actions:
            if isinstance(action, FieldAction):
                report.fields.append(
                    _inspect(page, action.field, action.target, action.write == "select")
                )
            elif isinstance(action, RowsAction):
                report.fields.append(_inspect(page, "numbers", action.number.with_index(0), False))
                if action.display_name:
                    report.fields.append(
                        _inspect(page, "display names", action.display_name.with_index(0), False)
                    )
        reports.append(report)
        if not reachable:
            continue
        needs_data = any(isinstance(a, FieldAction | RowsAction | CodeGate) for a in step.actions)
        if needs_data:
            reachable = False
            continue
        for action in step.actions:
            if isinstance(action, ClickAction):
                locate(page, action.click).click(timeout=timeouts.action_ms)
    return reports
