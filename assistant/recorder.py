"""What the session tells the journal about each submission, and a JSON stand-in for it.

The session calls a `Recorder` at each state change of a submission:

    check ──▶ filled ──▶ declined
                    └──▶ intent ──▶ submitted (+ Feedback ID) | failed | unknown

`intent` is written durably (fsync) BEFORE the submit click: if the process dies after it, a
later run sees an intent without an outcome and treats the submission as "outcome unknown".
`check` runs before the browser opens and may raise `DuplicateSubmission` (the SQLite journal
does; the JSON recorder keeps no history across runs, so it never does).

`JsonRecorder` writes one JSON file per submission into the run's private folder (0600), the
whole history of states in it, replaced atomically at each change.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from assistant.paths import write_private


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


class Recorder(Protocol):
    """Where submission states go. Every method must be durable when it returns."""

    def check(self, record: SubmissionRecord) -> None:
        """Before filling: raise `DuplicateSubmission` if these numbers must not be sent again."""

    def filled(self, record: SubmissionRecord) -> None:
        """The form is filled and read back; the review is about to be shown."""

    def declined(self, record: SubmissionRecord, reason: str) -> None:
        """The person did not confirm; nothing was sent."""

    def intent(self, record: SubmissionRecord) -> None:
        """The person confirmed; the submit click comes next. Must be on disk (fsync) first."""

    def submitted(self, record: SubmissionRecord, feedback_id: str) -> None:
        """The portal accepted the submission and showed this Feedback ID."""

    def failed(self, record: SubmissionRecord, reason: str) -> None:
        """The portal refused the submission (e.g. HTTP 500); it was not resent."""

    def unknown(self, record: SubmissionRecord, reason: str) -> None:
        """The click was made but its result is not known: a human must check the portal."""


@dataclass
class _History:
    record: SubmissionRecord
    states: list[dict[str, str]] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonRecorder:
    """A `Recorder` writing `submission-<n>.json` files into one run folder."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self._histories: dict[int, _History] = {}

    def path(self, record: SubmissionRecord) -> Path:
        """The JSON file of `record`'s submission."""
        return self.run_dir / f"submission-{record.index}.json"

    def _write(self, record: SubmissionRecord, state: str, **details: str) -> None:
        history = self._histories.setdefault(record.index, _History(record))
        history.states.append({"state": state, "at": _now(), **details})
        data = {**asdict(record), "numbers": list(record.numbers), "states": history.states}
        data["state"] = state
        write_private(self.path(record), json.dumps(data, indent=2).encode("utf-8"))
        # The rename is durable only once the folder itself is synced.
        fd = os.open(self.run_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def check(self, record: SubmissionRecord) -> None:
        """Nothing to check: a JSON run record knows no earlier runs."""

    def filled(self, record: SubmissionRecord) -> None:
        """Record that the form was filled."""
        self._write(record, "filled")

    def declined(self, record: SubmissionRecord, reason: str) -> None:
        """Record that the person did not confirm."""
        self._write(record, "declined", reason=reason)

    def intent(self, record: SubmissionRecord) -> None:
        """Record, durably, that the submit click is about to happen."""
        self._write(record, "intent")

    def submitted(self, record: SubmissionRecord, feedback_id: str) -> None:
        """Record the accepted submission and its Feedback ID."""
        self._write(record, "submitted", feedback_id=feedback_id)

    def failed(self, record: SubmissionRecord, reason: str) -> None:
        """Record a refused submission."""
        self._write(record, "failed", reason=reason)

    def unknown(self, record: SubmissionRecord, reason: str) -> None:
        """Record a submission whose outcome is unknown."""
        self._write(record, "unknown", reason=reason)
