"""What the assistant knows of a step on the page: where each of its elements is, what each held
when last read (in one round trip), and how long to wait for the page.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    shot: Shot | None = field(default=None, compare=False, repr=False)  # see `fill_step`

    def selector(self, name: str) -> str:
        """The selector that finds field `name` again ("" when it was not found)."""
        found = self.located.get(name)
        return found.selector if found is not None else ""


def read_elements(page: Page, selectors: list[str]) -> list[ElementState]:
    raw = locate.evaluate(page, "(s) => window.__assistant.snapshot(s)", selectors)
    return [element_state(r) for r in raw]


def field_place(step: str, field_name: str, target: Target) -> str:
    return f'{step} step: field "{field_name}" ({target.describe()})'
