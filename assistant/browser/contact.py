"""Where the contact's email and phone sit on the page, so screenshots can paint them over
(`--mask-contact`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.browser import locate
from assistant.portals.model import (
    CodeGate,
    FieldAction,
    PortalMap,
    Target,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page


# Profile values that are contact details: masked in screenshots under `--mask-contact`.
CONTACT_PATHS = frozenset({"contact.email", "contact.phone"})


def contact_targets(portal: PortalMap) -> tuple[Target, ...]:
    """The elements of `portal` that hold the contact email, the contact phone or the code."""
    targets: list[Target] = []
    for step in portal.steps:
        for action in step.actions:
            if isinstance(action, FieldAction) and action.value in CONTACT_PATHS:
                targets.append(action.target)
            elif isinstance(action, CodeGate):
                targets.append(action.input)
    return tuple(targets)


def contact_locators(page: Page, portal: PortalMap, values: Sequence[str] = ()) -> list[Locator]:
    """What to paint over in screenshots: the elements of `contact_targets` (wherever one of
    each target's anchors finds its element), and every element whose text shows one of
    `values` (the contact email or phone, in any common spelling), such as a review summary."""
    found = locate.resolve(page, list(contact_targets(portal)), visible=False)
    masks = [page.locator(f.selector) for f in found if f.found]
    masks += [page.get_by_text(pattern) for pattern in _spellings(values)]
    return masks


def _spellings(values: Sequence[str]) -> list[re.Pattern[str]]:
    """A pattern per value that finds it as a page may print it: an email in any case, a
    phone number with or without +1, brackets, spaces, dots or dashes."""
    patterns = []
    for value in values:
        value = value.strip()
        digits = re.sub(r"\D", "", value)
        if "@" in value:
            patterns.append(re.compile(re.escape(value), re.IGNORECASE))
        elif len(digits) >= 10:
            d = digits[-10:]
            sep = r"[\s.-]*"
            patterns.append(re.compile(rf"(\+?1{sep})?\(?{d[:3]}\)?{sep}{d[3:6]}{sep}{d[6:]}"))
    return patterns
