"""Durable JSON-lines files for the replica's records, and the timestamps they carry."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def utc_iso(moment: datetime | None = None) -> str:
    """An ISO 8601 UTC timestamp with milliseconds, e.g. 2024-07-25T23:34:45.395Z."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """Append `record` as one JSON line and fsync, so it survives a crash right after.

    The file is created 0600: it holds contact emails, phone numbers and codes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every complete record of a JSON-lines file; a torn last line is skipped."""
    if not path.exists():
        return []
    records: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            records.append(value)
    return records
