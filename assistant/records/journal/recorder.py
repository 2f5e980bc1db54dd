"""`JournalRecorder`: the session's `Recorder` protocol, written to the journal.

A thin adapter: each protocol call maps to one journal call (see `assistant.records.recorder`), with
the duplicate guard behind `check` and again inside the intent's write (`duplicates.recheck`). The
intent row stores what the person reviewed (the values read back from the page and the review
screenshot), so the receipt written after a successful submission shows exactly what was sent. Rows
are written with this process's owner token (`assistant.records.runlock`), so a later run can tell
the open rows of a run that has ended.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.log import redact
from assistant.records import duplicates, receipts, runlock
from assistant.records.journal.models import NewAttempt
from assistant.records.journal.store import Journal

if TYPE_CHECKING:
    from assistant.records.recorder import Reviewed, SubmissionRecord


class JournalRecorder:
    """Records each submission of a run in the journal; `check` runs the duplicate guard."""

    def __init__(
        self,
        journal: Journal,
        *,
        resubmit: bool = False,
        window_days: int = duplicates.DEFAULT_WINDOW_DAYS,
        owner: str | None = None,
    ) -> None:
        self.journal = journal
        self.resubmit = resubmit
        self.window_days = window_days
        self.owner = owner if owner is not None else runlock.this_run().token
        self.findings: dict[int, list[duplicates.Finding]] = {}  # by submission index, for review
        # By run, profile and submission: two submissions of one batch can be open at once
        # (one reviewed while the next is prepared), and every profile has a submission 1.
        self._ids: dict[tuple[str, str, str, int], int] = {}
        # What the review says.
        self._shown: dict[tuple[str, str, str, int], list[duplicates.Finding]] = {}

    def attempt_id(self, record: SubmissionRecord) -> int:
        """The journal id of `record`'s attempt (after `started`, or `filled` without it)."""
        return self._ids[_key(record)]

    def check(self, record: SubmissionRecord) -> list[str]:
        """Raise `DuplicateSubmission` for blocked numbers; with --resubmit, return one
        "RESUBMITTING: …" line per recently submitted number let through."""
        found = duplicates.check(
            self.journal,
            record.destination,
            record.numbers,
            resubmit=self.resubmit,
            window_days=self.window_days,
        )
        self.findings[record.index] = found
        self._shown[_key(record)] = found
        return [f"RESUBMITTING: {f.summary()}" for f in found]

    def started(self, record: SubmissionRecord) -> None:
        """Start the attempt's row (state `started`)."""
        self._ids[_key(record)] = self.journal.start(self._new(record))

    def filled(self, record: SubmissionRecord) -> None:
        """The review is next: move the row to `filled` (or start it there, without `started`)."""
        key = _key(record)
        if key in self._ids:
            self.journal.filled(self._ids[key])
        else:
            self._ids[key] = self.journal.begin(self._new(record))

    def _new(self, record: SubmissionRecord) -> NewAttempt:
        where = record.destination
        return NewAttempt(
            run_id=Path(record.run_dir).name,
            portal=record.portal,
            profile_path=record.profile_path,
            profile_sha256=record.profile_sha256,
            profile_label=record.label,
            numbers=record.numbers,
            part=record.index,
            parts=record.count,
            resubmit=self.resubmit,
            registry=where.registry,
            host=where.host,
            real_portal=where.real,
            owner=self.owner,
        )

    def declined(self, record: SubmissionRecord, reason: str) -> None:
        """Nothing was sent. (Every reason is kept redacted: it is text of an error, which may
        quote the code or the contact details, and the journal is a file.)"""
        self.journal.declined(self.attempt_id(record), redact(reason))

    def intent(self, record: SubmissionRecord, reviewed: Reviewed) -> None:
        """Durable (committed, fsynced) before returning: the click comes only after this.

        The guard runs again inside the same write transaction; `ConcurrentSubmission` when
        another run confirmed these numbers since the review (nothing is written then)."""

        def recheck() -> None:
            duplicates.recheck(
                self.journal,
                record.destination,
                record.numbers,
                reviewed=self._shown.get(_key(record), ()),
                window_days=self.window_days,
            )

        self.journal.intent(
            self.attempt_id(record),
            confirmed_by=getpass.getuser(),
            review_values=[dict(v) for v in reviewed.values],
            screenshots=reviewed.screenshots,
            recheck=recheck,
        )

    def submitted(self, record: SubmissionRecord, feedback_id: str, sent: str = "") -> str | None:
        """Record the Feedback ID and write the receipt; returns the receipt's path (None
        when it could not be written)."""
        attempt = receipts.record_submitted(
            self.journal, self.attempt_id(record), feedback_id, sent
        )
        return attempt.receipt_path

    def failed(self, record: SubmissionRecord, reason: str) -> None:
        """The portal refused, or the run stopped before the click."""
        self.journal.failed(self.attempt_id(record), redact(reason))

    def unknown(self, record: SubmissionRecord, reason: str) -> None:
        """The click was made and its outcome is unknown: a human settles it."""
        self.journal.unknown(self.attempt_id(record), redact(reason))


def _key(record: SubmissionRecord) -> tuple[str, str, str, int]:
    # The portal too: in a batch over several registries one profile's part 1 at the TRF is
    # prepared while its part 1 at the FCR waits at its review.
    return (record.run_dir, record.profile_path, record.portal, record.index)
