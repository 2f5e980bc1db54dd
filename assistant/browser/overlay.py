"""The overlay `assistant learn` shows in the portal's page (`assistant/js/overlay.js`): one
prompt at a time ("Click the field for: Calls per month"), the person's click checked in the
page, and what they chose handed back.

Waiting is Playwright waiting on the page's answer (a promise the overlay resolves), never a
sleep. Between showing a prompt and waiting, a `Person` is told: the person at the browser
needs nothing (their click is the answer); a test clicks for them there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from assistant.browser import driver
from assistant.browser.scripts import overlay_script, page_script
from assistant.errors import PortalError
from assistant.log import get_logger
from assistant.portals.elements import Element
from assistant.portals.model import Anchor

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = get_logger(__name__)

# A page that reloads while it waits is shown the prompt again, this many times at most.
SHOW_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Prompt:
    """What the overlay asks for: which element, and why the map needs the person (`why`)."""

    element: Element
    why: str

    @property
    def title(self) -> str:
        """ "Click the field for: Calls per month", "Click the button: Send code"…"""
        element = self.element
        if element.slot == "wait_for":
            return (
                f"Click something that shows the {element.step} step has opened (its first field)"
            )
        if element.slot == "expect":
            return f"Click what appeared after “{element.name.removeprefix('after ')}” was clicked"
        if element.slot == "accepted":
            return "Click what shows the code was accepted (the first field after it)"
        if element.slot == "submit":
            return "Click the button: Submit (it will not be pressed)"
        if element.kind == "button":
            return f"Click the button: {self.name}"
        return f"Click the field for: {self.name}"

    @property
    def name(self) -> str:
        """The element as the person knows it: "Calls per month", "Phone number 1"."""
        if self.element.row:
            return "Phone number 1" if self.element.slot == "number" else "Display name 1"
        return self.element.title

    def spec(self) -> dict[str, Any]:
        """The prompt as the overlay script takes it."""
        element = self.element
        return {
            "step": element.step,
            "name": self.name,
            "title": self.title,
            "why": self.why,
            "kind": element.kind,
            "row": element.row,
            "absentOk": element.absent_ok,
        }


class Person(Protocol):
    """Whoever answers the overlay."""

    def respond(self, page: Page, prompt: Prompt) -> None:
        """Called once `prompt` shows in `page`: act on the page (click an element, Skip…)."""


class AtTheBrowser:
    """The person in front of the browser: they click in it; nothing to do here."""

    def respond(self, page: Page, prompt: Prompt) -> None:
        """Nothing: the overlay waits for their click."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What the person chose: an element (the anchor that finds exactly it, and its label),
    Skip, or Not on this page; with the anchors passed over because they found several
    elements (`tried`) and every click the overlay refused, in words (`refusals`)."""

    action: Literal["picked", "skip", "absent"]
    anchor: Anchor | None = None
    label: str = ""
    tried: tuple[str, ...] = ()
    refusals: tuple[str, ...] = ()


def ask(page: Page, prompt: Prompt, person: Person) -> Answer:
    """Show `prompt` in `page`, let `person` respond, and wait for their answer."""
    error_cls, _ = driver.playwright_errors()
    for _attempt in range(SHOW_ATTEMPTS):
        install(page)
        page.evaluate("(p) => window.__assistantLearn.show(p)", prompt.spec())
        person.respond(page, prompt)
        try:
            raw = page.evaluate("() => window.__assistantLearn.answer()")
        except error_cls:
            log.info("The page changed while the overlay waited (%s); asking again.", prompt.title)
            continue
        return _answer(raw)
    raise PortalError(
        f"{prompt.element.where}: the page kept reloading while it waited for your click; run "
        "`assistant learn` again"
    )


def install(page: Page) -> None:
    """Put the page script and the overlay in `page` (once per document)."""
    if page.evaluate("() => Boolean(window.__assistantLearn)"):
        return
    if not page.evaluate("() => Boolean(window.__assistant)"):
        page.evaluate(page_script())
    page.evaluate(overlay_script())


def clear(page: Page) -> None:
    """Take the overlay and its highlight away (nothing to do where it never showed)."""
    error_cls, _ = driver.playwright_errors()
    try:
        page.evaluate("() => window.__assistantLearn && window.__assistantLearn.clear()")
    except error_cls:
        log.info("The overlay could not be cleared (the page is gone).")


def _answer(raw: dict[str, Any]) -> Answer:
    spec = raw.get("anchor")
    anchor = None
    if spec:
        kind, value = str(spec["kind"]), str(spec["value"])
        anchor = (
            Anchor(role=value, name=str(spec["name"]))
            if kind == "role"
            else Anchor(**{kind: value})
        )
    tried = tuple(f"{t['anchor']}: {t['count']} elements" for t in raw.get("tried") or ())
    return Answer(
        action=raw["action"],
        anchor=anchor,
        label=str(raw.get("label") or ""),
        tried=tried,
        refusals=tuple(str(r) for r in raw.get("refusals") or ()),
    )
