"""Accepted submissions, each with its Feedback ID, kept in memory and optionally on disk."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.replica.jsonlines import append_jsonl, utc_iso


def feedback_id(moment: datetime, prefix: str = "FCRFE") -> str:
    """`FCRFE` + UTC MMDDYYYY + HHMMSS + milliseconds: 22 characters, as the real portal shows.
    The sister forms' confirmation is not documented: ours reads `TRFFE…` and `VSFFE…`."""
    moment = moment.astimezone(UTC)
    return f"{prefix}{moment:%m%d%Y%H%M%S}{moment.microsecond // 1000:03d}"


PREFIXES = {"trf": "TRFFE", "vsf": "VSFFE"}


class Accepted:
    """Records accepted submissions in order; Feedback IDs are unique within a run."""

    def __init__(self, *, data_dir: Path | None) -> None:
        self._file = data_dir / "submissions.jsonl" if data_dir else None
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._last: datetime | None = None
        self.attempts = 0

    def count_attempt(self) -> None:
        """Count one POST to the submit endpoint, whatever becomes of it."""
        with self._lock:
            self.attempts += 1

    def record(self, layout: str, fields: dict[str, str]) -> dict[str, Any]:
        """Accept a submission: give it a Feedback ID, keep it (durably when a data dir is set)."""
        with self._lock:
            now = datetime.now(UTC)
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            # Two submissions in one millisecond would share an ID; step the clock instead.
            if self._last is not None and now <= self._last:
                now = self._last + timedelta(milliseconds=1)
            self._last = now
            record: dict[str, Any] = {
                "feedback_id": feedback_id(now, PREFIXES.get(layout, "FCRFE")),
                "layout": layout,
                "received_at": utc_iso(now),
                "fields": dict(fields),
            }
            self._records.append(record)
            if self._file is not None:
                append_jsonl(self._file, record)
        return record

    def records(self) -> list[dict[str, Any]]:
        """Accepted submissions, oldest first (copies)."""
        with self._lock:
            return [{**r, "fields": dict(r["fields"])} for r in self._records]

    def preload(self, records: list[dict[str, Any]]) -> None:
        """Start from submissions a previous run of this replica kept on disk."""
        with self._lock:
            self._records.extend({**r, "fields": dict(r.get("fields", {}))} for r in records)
