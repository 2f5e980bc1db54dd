"""The scripts the assistant puts in the portal's pages (`assistant/browser/js/`): `page.js` in
every page (finding elements, readiness), `channels.js` before the page's own scripts (closing
the channels routing does not see), `overlay.js` for `assistant learn`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _script(name: str) -> str:
    return resources.files("assistant.browser").joinpath("js", name).read_text(encoding="utf-8")


@cache
def page_script() -> str:
    """The script installed in every portal page: finding elements, readiness (`page.js`)."""
    return _script("page.js")


@cache
def channels_script() -> str:
    """The script that closes the channels routing does not show (`channels.js`)."""
    return _script("channels.js")


@cache
def overlay_script() -> str:
    """The overlay `assistant learn` shows in the portal's page (`overlay.js`)."""
    return _script("overlay.js")
