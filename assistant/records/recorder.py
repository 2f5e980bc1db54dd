"""What the session tells the journal about each submission (the `Recorder` protocol).

The session calls a `Recorder` at each state change of a submission:

    check ──▶ started ──▶ failed (stopped before the review: the reason says why)
                 └──▶ filled ──▶ declined | failed (stopped before anyone confirmed)
                           └──▶ intent (+ what was reviewed)
                                   └──▶ submitted (+ Feedback ID) | failed | unknown

`check` runs before the browser opens for the submission and raises `DuplicateSubmission` for
numbers that must not be sent again; `started` follows at once, so every attempt that passed
the guard leaves a row, however early it stops. `intent` carries the values read back at the
review and the review's screenshot, runs the duplicate guard again in the same write (raising
`ConcurrentSubmission` when another run confirmed the numbers meanwhile; nothing is then
recorded and the session closes the attempt as failed) and is written durably (committed,
fsynced) BEFORE the submit click: if the process dies after it, a later run sees an intent
without an outcome and treats the submission as "outcome unknown". The one implementation is
`assistant.records.journal.recorder.JournalRecorder`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from assistant.records.journal.models import Destination


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """Which submission a state change is about."""

    label: str
    profile_path: str
    profile_sha256: str
    portal: str
    index: int
    count: int
    numbers: tuple[str, ...]  # E.164
    run_dir: str
    registry: str = ""  # the driven host's (`FillOptions.destination`); "" means the portal's name
    host: str = ""  # the host driven; "" means not known (counted as the registry's real one)
    real_portal: bool = True  # False when driven elsewhere than the map's host (`--url`)

    @property
    def destination(self) -> Destination:
        """The ledger the submission is filed in (see `Destination`)."""
        return Destination(self.registry or self.portal, self.host, self.real_portal)


@dataclass(frozen=True, slots=True)
class Reviewed:
    """What the person confirmed: each value as read back from the page, and the screenshot(s).

    `values` are rows `{"step", "field", "profile", "sent"}`: `sent` is what the page held at
    the review, which is what the submit sends.
    """

    values: tuple[Mapping[str, str], ...]
    screenshots: tuple[str, ...]


class Recorder(Protocol):
    """Where submission states go. Every method must be durable when it returns."""

    def check(self, record: SubmissionRecord) -> list[str]:
        """Before filling: raise `DuplicateSubmission` if these numbers must not be sent again;
        return the lines the review must show about them (e.g. "RESUBMITTING: …")."""
        ...

    def attempt_id(self, record: SubmissionRecord) -> int:
        """The journal's number for this submission's attempt (for messages a person acts on)."""
        ...

    def started(self, record: SubmissionRecord) -> None:
        """The guard passed; the browser opens for the submission next."""

    def filled(self, record: SubmissionRecord) -> None:
        """The form is filled and read back; the review is about to be shown."""

    def declined(self, record: SubmissionRecord, reason: str) -> None:
        """The person did not confirm (or the review found a difference); nothing was sent."""

    def intent(self, record: SubmissionRecord, reviewed: Reviewed) -> None:
        """The person confirmed `reviewed`; the submit click comes next. On disk first.
        Raises `ConcurrentSubmission` (and records nothing) when another run confirmed these
        numbers since the review was shown."""

    def submitted(self, record: SubmissionRecord, feedback_id: str, sent: str = "") -> str | None:
        """The portal accepted the submission and showed this Feedback ID (`sent`: what the
        request the browser let out carried); returns the path of the receipt written for
        it, if one was."""

    def failed(self, record: SubmissionRecord, reason: str) -> None:
        """The portal refused the submission (e.g. HTTP 500), or the run stopped before the
        click (before or at the review); it was not (re)sent."""

    def unknown(self, record: SubmissionRecord, reason: str) -> None:
        """The click was made but its result is not known: a human must check the portal."""
