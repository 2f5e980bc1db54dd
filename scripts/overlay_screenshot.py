"""Take docs/learn-overlay.png, docs/repairs.md's picture of `assistant learn`'s overlay.

The replica under the `renamed-ids` variant, where a map broken down to our replica's ids
cannot find the email box: the overlay asks for it, and a click on the send button has just
been refused. Run: .venv/bin/python scripts/overlay_screenshot.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from assistant.browser import launch, overlay
from assistant.portals.elements import find_element
from assistant.portals.loader import load_shipped
from assistant.replica import Replica

OUT = Path(__file__).resolve().parent.parent / "docs" / "learn-overlay.png"


class Photographer:
    """Stands in for the person: clicks the wrong element, points at the right one, and takes
    the picture before answering Skip (nothing is learnt)."""

    def respond(self, page: Page, prompt: overlay.Prompt) -> None:
        page.locator("#btn-request").click()  # a button for a box to type in: refused
        page.locator("#reg_mail").hover()  # the dashed box shows what a click would choose
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done(null)))")
        page.screenshot(path=str(OUT))
        page.keyboard.press("Escape")


def main() -> None:
    element = find_element(load_shipped("fcr"), "contact email")
    prompt = overlay.Prompt(
        element, "The map cannot find it (tried #enterprise_contact_email: none)."
    )
    with (
        Replica(variants=("renamed-ids",), data_dir=Path(tempfile.mkdtemp())) as portal,
        sync_playwright() as p,
    ):
        launched = launch.launch(p, launch.find_browser(), headless=True)
        page = launched.new_page(viewport={"width": 1024, "height": 560})
        page.goto(portal.url)
        overlay.ask(page, prompt, Photographer())
        launched.close()
    print(OUT)


if __name__ == "__main__":
    main()
