"""Opening the journal's SQLite file privately, durably, and at the current schema version.

The file is created `0600` before SQLite touches it; SQLite gives its `-wal` and `-shm`
companions the database file's own mode, and the process umask is tightened around the
connect as a second guard. WAL mode with `synchronous=FULL` means a commit is on disk (the WAL
fsynced) before `commit()` returns, and a process killed mid-write leaves the last committed
state readable: an incomplete WAL frame is ignored on the next open.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from assistant.errors import AssistantError

FILENAME = "journal.sqlite3"

# Each entry moves the schema from version i to i + 1; never edit a shipped entry, append.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE attempts (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id          TEXT    NOT NULL,
        portal          TEXT    NOT NULL,
        profile_path    TEXT    NOT NULL,
        profile_sha256  TEXT    NOT NULL,
        profile_label   TEXT    NOT NULL,
        part            INTEGER NOT NULL,
        parts           INTEGER NOT NULL,
        resubmit        INTEGER NOT NULL DEFAULT 0,
        state           TEXT    NOT NULL CHECK (state IN
                        ('filled','declined','intent','submitted','failed','unknown')),
        reason          TEXT    NOT NULL DEFAULT '',
        feedback_id     TEXT,
        review_values   TEXT,
        screenshots     TEXT    NOT NULL DEFAULT '[]',
        confirmed_by    TEXT,
        confirmed_at    TEXT,
        submitted_at    TEXT,
        receipt_path    TEXT,
        settled_by      TEXT,
        settled_at      TEXT,
        created_at      TEXT    NOT NULL,
        updated_at      TEXT    NOT NULL
    );
    CREATE INDEX attempts_state ON attempts(state);
    CREATE TABLE attempt_numbers (
        attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
        position    INTEGER NOT NULL,
        number      TEXT    NOT NULL,
        PRIMARY KEY (attempt_id, position)
    );
    CREATE INDEX attempt_numbers_number ON attempt_numbers(number, attempt_id);
    CREATE TABLE attempt_events (
        attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
        at          TEXT    NOT NULL,
        state       TEXT    NOT NULL,
        detail      TEXT    NOT NULL DEFAULT ''
    );
    CREATE INDEX attempt_events_attempt ON attempt_events(attempt_id);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class JournalUnreadable(AssistantError):
    """The journal file exists but SQLite cannot read it, or a newer assistant wrote it."""


def connect(folder: Path) -> sqlite3.Connection:
    """Open (creating if needed) `<folder>/journal.sqlite3`, private, in WAL mode, migrated."""
    path = folder / FILENAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    path.chmod(0o600)  # tighten a file someone loosened; the folder check already passed
    previous = os.umask(0o077)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn, path)
        except JournalUnreadable:
            conn.close()
            raise
        except sqlite3.DatabaseError as error:
            conn.close()
            raise JournalUnreadable(
                f"{path} is not a readable journal ({error}); move it aside and keep it for "
                "inspection, then run again to start a new one"
            ) from None
    finally:
        os.umask(previous)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.chmod(0o600)
    return conn


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to `SCHEMA_VERSION`, one transaction per step; refuse a newer file."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise JournalUnreadable(
            f"{path} was written by a newer assistant (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade the assistant to read it"
        )
    for step in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    conn.execute(statement)
            # PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {step + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
