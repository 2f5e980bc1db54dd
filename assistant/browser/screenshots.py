"""Screenshots of a portal page: the whole page, as PNG or (for the step screenshots) a quick
scaled JPEG, with the contact's boxes painted over on request.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import TYPE_CHECKING

from assistant.browser import devtools
from assistant.browser.driver import playwright_errors

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page


# Step screenshots are the whole page at this scale: every row legible (a 1280-pixel-wide page
# becomes 960 wide), for little more than a shot of the window costs (see `_whole_page`).
QUICK_SCALE = 0.75


def screenshot(page: Page, mask: Sequence[Locator] = (), *, quick: bool = False) -> bytes:
    """A full-page PNG of `page`, as bytes (the caller writes it privately); with `quick`, a
    JPEG (quality 70) of the whole page at `QUICK_SCALE`, for little more than one of the
    window costs.

    Every element matched by a locator of `mask` is painted over with a solid black box (used
    by `--mask-contact` for the contact email, phone and code boxes).
    """
    if not mask:
        with suppress(playwright_errors()[0]):
            return _whole_page(page, QUICK_SCALE if quick else 1.0, jpeg=quick)
    # Masks are painted by Playwright (a browser without DevTools sessions lands here too).
    if not quick:
        return page.screenshot(full_page=True, mask=list(mask), mask_color="#000000")
    return page.screenshot(
        type="jpeg", quality=70, full_page=True, mask=list(mask), mask_color="#000000"
    )


def _whole_page(page: Page, scale: float, *, jpeg: bool) -> bytes:
    """The whole page, scaled, as Chromium itself captures it in one call: a JPEG (quality 70)
    or a PNG (encoded for speed: about a quarter larger than Playwright's).

    Measured on the benchmark's 20-number wizard (2 shared cores), per step screenshot: a JPEG
    of the window 60 ms, a full-page JPEG through Playwright 120-130 ms (its preparations and
    every pixel), this 70-85 ms. The review's full-page PNG: through Playwright 80-90 ms, this
    about 50 ms (a capture alone, of any size, takes about 33 ms: a new frame is drawn for it).
    """
    import base64

    session = devtools.session(page)
    try:
        size = session.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": scale}
        encoding = (
            {"format": "jpeg", "quality": 70}
            if jpeg
            else {"format": "png", "optimizeForSpeed": True}
        )
        shot = session.send(
            "Page.captureScreenshot", {**encoding, "captureBeyondViewport": True, "clip": clip}
        )
    except BaseException:
        devtools.forget(page)  # a session that failed once is not used again
        raise
    return base64.b64decode(shot["data"])
