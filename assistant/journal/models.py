"""What the journal stores: one `Attempt` per submission attempt, and the states it moves through.

filled ──▶ declined                 the human said no at the review
   │
   ├────▶ failed                    the run stopped before anyone confirmed
   ▼
intent ──▶ submitted (Feedback ID)  the click was made and the portal confirmed it
   │  ├──▶ failed                   the portal answered with an error (not retried)
   │  └──▶ unknown                  the click was made and then something broke
   │
   └─(crash)─ an `intent` left behind is as unknown as `unknown`
unknown / intent ──settle──▶ submitted | failed   only a human decides
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assistant.errors import AssistantError

FEEDBACK_ID_PATTERN = re.compile(r"FCRFE\d{17}")


class State(StrEnum):
    """Where a submission attempt stands."""

    FILLED = "filled"
    DECLINED = "declined"
    INTENT = "intent"
    SUBMITTED = "submitted"
    FAILED = "failed"
    UNKNOWN = "unknown"


# Which states each state may move to. `settle` is the only way out of `unknown`.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.FILLED: frozenset({State.DECLINED, State.INTENT, State.FAILED}),
    State.INTENT: frozenset({State.SUBMITTED, State.FAILED, State.UNKNOWN}),
    State.UNKNOWN: frozenset(),
    State.SUBMITTED: frozenset(),
    State.FAILED: frozenset(),
    State.DECLINED: frozenset(),
}

# States whose outcome only a human can settle: an `intent` with no outcome means the process
# died between recording the intent and recording the result, which may be after the click.
UNSETTLED: frozenset[State] = frozenset({State.INTENT, State.UNKNOWN})


class InvalidTransition(AssistantError):
    """A journal write asked for a move the state machine forbids (a wiring bug, not user input)."""


@dataclass(frozen=True, slots=True)
class NewAttempt:
    """What is known about a submission when its form has been filled, before review.

    `numbers` are E.164 strings; `part`/`parts` say which submission of its profile this is
    (1 of 3 when a profile's numbers are split by the portal's limit).
    """

    run_id: str
    portal: str
    profile_path: str
    profile_sha256: str
    profile_label: str
    numbers: tuple[str, ...]
    part: int = 1
    parts: int = 1
    resubmit: bool = False


@dataclass(frozen=True, slots=True)
class Attempt:
    """One row of the journal, with its numbers, as last committed."""

    id: int
    run_id: str
    portal: str
    profile_path: str
    profile_sha256: str
    profile_label: str
    numbers: tuple[str, ...]
    part: int
    parts: int
    resubmit: bool
    state: State
    reason: str
    feedback_id: str | None
    review_values: Any
    screenshots: tuple[str, ...]
    confirmed_by: str | None
    confirmed_at: str | None
    submitted_at: str | None
    receipt_path: str | None
    settled_by: str | None
    settled_at: str | None
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        """A plain dict for `history --json` (lists, not tuples; the state as its name)."""
        return {
            "id": self.id,
            "run_id": self.run_id,
            "portal": self.portal,
            "profile_path": self.profile_path,
            "profile_sha256": self.profile_sha256,
            "profile_label": self.profile_label,
            "numbers": list(self.numbers),
            "part": self.part,
            "parts": self.parts,
            "resubmit": self.resubmit,
            "state": str(self.state),
            "reason": self.reason,
            "feedback_id": self.feedback_id,
            "review_values": self.review_values,
            "screenshots": list(self.screenshots),
            "confirmed_by": self.confirmed_by,
            "confirmed_at": self.confirmed_at,
            "submitted_at": self.submitted_at,
            "receipt_path": self.receipt_path,
            "settled_by": self.settled_by,
            "settled_at": self.settled_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class DueNumber:
    """A number whose last successful registration with a portal is older than the window."""

    number: str
    portal: str
    last_submitted_at: str
    days_since: int
    feedback_id: str | None
    attempt_id: int
    profile_path: str
    profile_label: str


@dataclass(frozen=True, slots=True)
class NumberRecord:
    """The latest attempt touching one number (what the duplicate guard reasons about)."""

    number: str
    attempt: Attempt = field(repr=False)
