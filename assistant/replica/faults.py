"""The faults the replica can switch on, one name each, and the counters that make them fire
a set number of times."""

from __future__ import annotations

import threading
from collections.abc import Iterable

FAULTS: dict[str, str] = {
    "first-load-fails": "the first load of the start page answers 502 Bad Gateway; a reload works",
    "slow": "the form fields appear about 1.5 s after load",
    "503-twice": "the first two HTML page loads answer 503, later ones 200",
    "rerender": "the form re-renders and clears its values once, ~300 ms after the first input",
    "rerender-twice": "like rerender, and once more ~300 ms after the next input after that",
    "masked-phone": "the contact phone keeps only typed keys (fill() is wiped); 555-555-0100",
    "send-code-503": "the first send-code request answers 503; the page says to try again, "
    "naming the address",
    "submit-500": "every submit POST answers 500 and records nothing",
    "submit-hang": "the submit POST is recorded, then the answer hangs for the hang seconds",
    "submit-no-id": "the submit POST is recorded and answered 200 with a page that shows no "
    "Feedback ID and no error",
    "submit-400": "every submit POST answers 400 with a bare page (no error message, no ID) and "
    "records nothing",
    "review-drift": "when the wizard's review step shows, the page changes the company name",
    "renamed-label": 'the company name label reads "Organization name" instead of "Company name"',
    "renamed-option": 'category "Education" becomes "Schools / Education" (classic value too)',
    "missing-field": "#enterprise_company_address_city is absent",
    "duplicate-field": "two elements carry the id enterprise_company_name",
    "offsite-request": "the page loads an image from 127.0.0.2 and tries a popup to that host",
    "self-post": "the page POSTs the form by itself (to the submit endpoint and a draft "
    "endpoint) right after the code is typed, and again 1.5 s after the review shows",
}


def check_faults(names: Iterable[str]) -> tuple[str, ...]:
    """The fault names as a tuple, or ValueError naming the unknown ones and the valid ones."""
    chosen = tuple(names)
    unknown = [name for name in chosen if name not in FAULTS]
    if unknown:
        raise ValueError(
            f"Unknown replica fault(s): {', '.join(unknown)}. Valid: {', '.join(FAULTS)}."
        )
    return chosen


class FaultState:
    """Which faults are on, and how many more times each counted fault still fires."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(check_faults(names))
        self._lock = threading.Lock()
        self._left = {
            "first-load-fails": 1,
            "503-twice": 2,
            "send-code-503": 1,
        }

    def on(self, name: str) -> bool:
        """Whether fault `name` is switched on for this run."""
        return name in self.names

    def fire(self, name: str) -> bool:
        """True (and one use spent) when counted fault `name` is on and has uses left."""
        if name not in self.names:
            return False
        with self._lock:
            if self._left.get(name, 0) <= 0:
                return False
            self._left[name] -= 1
            return True
