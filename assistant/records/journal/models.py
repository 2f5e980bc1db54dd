"""What the journal stores: one `Attempt` per submission attempt, and the states it moves through.

started ──▶ failed                  stopped before the review (re-render, renamed option, missing
   │                                field, code refused, Ctrl-C, another run holding the numbers)
   ▼
filled ──▶ declined                 the human said no at the review
   │
   ├────▶ failed                    the run stopped before the click (a difference at the review,
   │                                or another run sent the same numbers while this one waited)
   ▼
intent ──▶ submitted (Feedback ID)  the click was made and the portal confirmed it
   │  ├──▶ failed                   the portal answered with an error (not retried)
   │  └──▶ unknown                  the click was made and then something broke
   │
   └─(crash)─ an `intent` left behind is as unknown as `unknown`

unknown / intent ──settle──▶ submitted | failed   only a human decides
started / filled ──settle──▶ failed               nothing was clicked (refused while its run lives)
started / filled ──(its run ended)──▶ failed      closed by the next run of the same profile

A `started` row is written when a submission starts, right after the duplicate guard passed and
before the browser opens for it, so every attempt leaves a trace. `started` and `filled` rows carry
their run's `owner` ("<pid>@<start time>", see `assistant.records.runlock`): while that run holds
its profile's lock it is alive and the row is its own; once it is gone (crash, kill), the row can
only be abandoned, never clicked, and is closed as not sent.

Every row is filed in a ledger, `Destination`: the host actually driven (normalised, see
`assistant.hosts`) and the registry that host belongs to. A portal is known by where it is: rows
sent to one host block each other whichever map sent them, and real rows of one registry block
each other at every host it is known at. Rows sent elsewhere than the map's own host (`--url`,
e.g. the replica) are practice and never count as registrations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assistant.errors import AssistantError
from assistant.hosts import REGISTRY_HOSTS

# The Free Caller Registry's FCRFE + 17 digits; its sister forms' (trf, vsf) are taken to follow
# the engine's scheme, three capitals + FE + 17 digits (see their maps).
FEEDBACK_ID_PATTERN = re.compile(r"[A-Z]{3}FE\d{17}")


class State(StrEnum):
    """Where a submission attempt stands."""

    STARTED = "started"
    FILLED = "filled"
    DECLINED = "declined"
    INTENT = "intent"
    SUBMITTED = "submitted"
    FAILED = "failed"
    UNKNOWN = "unknown"


# Which states each state may move to. `settle` is the only way out of `unknown`.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.STARTED: frozenset({State.FILLED, State.FAILED}),
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

# States in which no click has been made: the run that owns the row is still at work, or died
# before the intent (then the row is abandoned and can be closed as not sent).
OPEN: frozenset[State] = frozenset({State.STARTED, State.FILLED})


class InvalidTransition(AssistantError):
    """A journal write asked for a move the state machine forbids (a wiring bug, not user input)."""


# The registries known by their hosts: a map's registry is its start URL's (see `Destination`).
KNOWN_REGISTRIES = frozenset(REGISTRY_HOSTS.values())


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a submission goes, as the ledger keys it: the `host` the browser actually drove, in
    its one form (`assistant.hosts.host_of`: "www.freecallerregistry.com", or "127.0.0.1:8765"
    for a replica), and the `registry` that host belongs to ("fcr", whichever map or copy of a
    map drove it; for a host no registry is known at, the map's). `real` is True when that host
    is the map's own, or a known host of a registry; a run pointed elsewhere with `--url` is
    practice.
    """

    registry: str
    host: str
    real: bool = True

    def holds(self, row: Destination) -> bool:
        """Whether a row filed under `row` belongs to this ledger (can block a submission here).

        - A row sent to the same host, whatever registry its map named: a portal is known by
          where it is, not by what a map calls it. Except two known registries (`fcr`, `trf`,
          `vsf`: a map's registry is its start URL's, so a map cannot name another): one host
          serving both is a practice portal (the replica serves the FCR, the TRF and the VSF
          on one port), and registering with one never registers with the other.
        - For a real destination, a real row of the same registry at any host it is known at
          ("freecallerregistry.com" and "www.freecallerregistry.com" are one registry).
        - For a real destination, a row of the same registry without a host (migrated from a
          journal that did not record one, for a map we do not ship): taking it for practice
          could let the same numbers be registered twice, taking it for real can only refuse
          too much.
        """
        if row.host and row.host == self.host:
            return row.registry == self.registry or not (
                row.registry in KNOWN_REGISTRIES and self.registry in KNOWN_REGISTRIES
            )
        return self.real and row.registry == self.registry and (row.real or not row.host)

    def describe(self) -> str:
        """The host as `history` shows it: "(practice)" after a host that is not the map's."""
        if not self.host:
            return "(not recorded)"
        return self.host if self.real else f"{self.host} (practice)"

    @property
    def practice(self) -> str:
        """The host of a practice destination ("127.0.0.1:8765"), "" for a real one (or one
        whose host was not recorded): what the review, the summary and the receipt say
        PRACTICE about."""
        return "" if self.real else self.host


@dataclass(frozen=True, slots=True)
class NewAttempt:
    """What is known about a submission when its form has been filled, before review.

    `numbers` are E.164 strings; `part`/`parts` say which submission of its profile this is
    (1 of 3 when a profile's numbers are split by the portal's limit). `registry` "" means
    `portal` (a shorthand for tests: a run always files its destination's registry); `host` ""
    means not recorded (see `Destination.holds`); `owner` is the run that writes it
    (`assistant.records.runlock`).
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
    registry: str = ""
    host: str = ""
    real_portal: bool = True
    owner: str = ""

    @property
    def destination(self) -> Destination:
        """The ledger this attempt is filed in."""
        return Destination(self.registry or self.portal, self.host, self.real_portal)


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
    registry: str = ""
    host: str = ""
    real_portal: bool = True
    owner: str = ""

    @property
    def destination(self) -> Destination:
        """The ledger this attempt is filed in."""
        return Destination(self.registry or self.portal, self.host, self.real_portal)

    def to_json(self) -> dict[str, Any]:
        """A plain dict for `history --json` (lists, not tuples; the state as its name)."""
        return {
            "id": self.id,
            "run_id": self.run_id,
            "portal": self.portal,
            "registry": self.registry,
            "host": self.host,
            "real_portal": self.real_portal,
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
            "owner": self.owner,
        }


@dataclass(frozen=True, slots=True)
class DueNumber:
    """A number whose last successful registration with a registry (at one host) is older than
    the window; `portal` is the map that sent it."""

    number: str
    portal: str
    last_submitted_at: str
    days_since: int
    feedback_id: str | None
    attempt_id: int
    profile_path: str
    profile_label: str
    registry: str = ""
    host: str = ""
    real_portal: bool = True


@dataclass(frozen=True, slots=True)
class NumberRecord:
    """The latest attempt touching one number (what the duplicate guard reasons about)."""

    number: str
    attempt: Attempt = field(repr=False)


def owner_token(pid: int, started: str) -> str:
    """The `owner` of the rows a run writes: its pid and UTC start time, "<pid>@<start>"."""
    return f"{pid}@{started}"


def describe_owner(owner: str) -> str:
    """The run an `owner` token names, e.g. "pid 4242, started 2026-10-01 14:03:05 UTC" ("" for
    a row written before owners were recorded)."""
    pid, _, started = owner.partition("@")
    if not pid or not started:
        return ""
    return f"pid {pid}, started {started.replace('T', ' ').replace('Z', ' UTC')}"
