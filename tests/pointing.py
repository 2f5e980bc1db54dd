"""A person pointing at the page for `assistant learn`'s overlay, scripted: for each element
it is asked about, the clicks it makes in turn (a CSS selector each), `SKIP` (Esc) or `ABSENT`
(Tab to "Not on this page", Enter), or `BY_PAGE + script`: the page's own script doing something
(which must not count as the person). Real Playwright clicks, so the overlay sees what a
person's clicks would be."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.browser.overlay import Prompt

if TYPE_CHECKING:
    from playwright.sync_api import Page

SKIP = "SKIP"
ABSENT = "ABSENT"
BY_PAGE = "BY_PAGE:"


class ScriptedPerson:
    """Answers prompts by element name ("calls per month", "send code"); `asked` lists every
    prompt shown, as `(where, title, why)`."""

    def __init__(self, clicks: dict[str, Sequence[str]]) -> None:
        self.clicks = clicks
        self.asked: list[tuple[str, str, str]] = []

    def respond(self, page: Page, prompt: Prompt) -> None:
        element = prompt.element
        self.asked.append((element.where, prompt.title, prompt.why))
        for move in self.clicks.get(element.name, (SKIP,)):
            if move == SKIP:
                page.keyboard.press("Escape")
            elif move == ABSENT:
                page.keyboard.press("Tab")
                page.keyboard.press("Enter")
            elif move.startswith(BY_PAGE):
                page.evaluate(move.removeprefix(BY_PAGE))
            else:
                page.locator(move).click()
