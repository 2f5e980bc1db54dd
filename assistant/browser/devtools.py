"""One DevTools session per page, for what Playwright does not offer: Chromium's own capture
(`screenshots`) and the assistant's isolated world (`isolated_world`).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import CDPSession, Page

# Opening a session costs ~20 ms: one is kept per page while it lives.
_SESSIONS: weakref.WeakKeyDictionary[Page, CDPSession] = weakref.WeakKeyDictionary()


def session(page: Page) -> CDPSession:
    """The page's DevTools session, opened on first use."""
    found = _SESSIONS.get(page)
    if found is None:
        found = _SESSIONS[page] = page.context.new_cdp_session(page)
    return found


def forget(page: Page) -> None:
    """Drop the page's session after it failed: the next use opens a new one."""
    _SESSIONS.pop(page, None)
