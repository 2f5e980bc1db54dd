"""What the assistant knows of a step on the page: where each of its elements is, what each held
when last read (in one round trip), and how long to wait for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.browser import locate
from assistant.browser.locate import Located
from assistant.portals.formats import Option
from assistant.portals.model import Target
from assistant.portals.plan import PlannedStep

if TYPE_CHECKING:
    from playwright.sync_api import Page


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait for the page (milliseconds); tests shorten them."""

    step_ms: float = 30_000
    action_ms: float = 15_000


@dataclass(frozen=True, slots=True)
class ElementState:
    """One element as the page holds it (`count`: how many elements its selector found)."""

    count: int
    value: str = ""
    label: str = ""
    checked: bool = False
    options: tuple[Option, ...] = ()
    token: int = 0  # which element (a re-rendered one gets a new token)
    name: str = ""  # its form field name: what a form post calls its value


def element_state(raw: dict[str, Any] | None) -> ElementState:
    if raw is None:
        return ElementState(0)
    options = tuple((str(v), str(t)) for v, t in raw.get("options") or ())
    return ElementState(
        int(raw["count"]),
        str(raw.get("value", "")),
        str(raw.get("label", "")),
        bool(raw.get("checked", False)),
        options,
        int(raw.get("token", 0)),
        str(raw.get("name", "")),
    )


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

    def selector(self, name: str) -> str:
        """The selector that finds field `name` again ("" when it was not found)."""
        found = self.located.get(name)
        return found.selector if found is not None else ""


def read_elements(page: Page, selectors: list[str]) -> list[ElementState]:
    raw = locate.evaluate(page, "(s) => window.__assistant.snapshot(s)", selectors)
    return [element_state(r) for r in raw]


def field_place(step: str, field_name: str, target: Target) -> str:
    return f'{step} step: field "{field_name}" ({target.describe()})'
