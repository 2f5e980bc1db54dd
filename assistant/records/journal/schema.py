"""Opening the journal's SQLite file privately, durably, and at the current schema version.

The file is created `0600` before SQLite touches it; SQLite gives its `-wal` and `-shm`
companions the database file's own mode, and the process umask is tightened around the
connect as a second guard. WAL mode with `synchronous=FULL` means a commit is on disk (the WAL
fsynced) before `commit()` returns, and a process killed mid-write leaves the last committed
state readable: an incomplete WAL frame is ignored on the next open.

A journal that cannot be opened as it is (a link, a folder or a FIFO in its place, a folder
that cannot be written, a lock held too long) is a `DataFolderError` with a plain message;
`history` and `due` still read a journal they cannot write.
"""

from __future__ import annotations

import errno
import os
import shlex
import sqlite3
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from assistant import paths
from assistant.errors import (
    AssistantError,
    DataDirReadOnly,
    DataDirUnusable,
    JournalBusy,
    JournalWriteFailed,
)

FILENAME = "journal.sqlite3"

# Each entry moves the schema from version i to i + 1; never edit a shipped entry, append. An
# entry is SQL, or the name of a step written in Python (`_STEPS`).
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
    # 2: the ledger is keyed by registry and host, not by map name (both FCR maps send to one
    # registry; a `--url` run against the replica is practice, not a registration); a row is
    # written when a submission starts (`started`), and open rows name their run (`owner`).
    # SQLite cannot change a CHECK constraint in place: the table is rebuilt (its documented
    # procedure; `_migrate` turns foreign keys off around it). Rows written before this version
    # recorded only the map's name, never the URL, so they are filed under the registry of the
    # map of that name as shipped when this migration was written (fcr and fcr-classic: registry
    # fcr, host www.freecallerregistry.com) and counted as real: taking an old practice run for
    # real can only refuse too much (`--resubmit` lifts it), taking an old real registration
    # for practice could send the same numbers twice. The names are written out here, not read
    # from the maps, so that this step gives the same result whenever it runs. Rows of other
    # maps keep their name as registry and get no host, which the guard counts as the real one.
    """
    CREATE TABLE attempts_v2 (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id          TEXT    NOT NULL,
        portal          TEXT    NOT NULL,
        registry        TEXT    NOT NULL,
        host            TEXT    NOT NULL DEFAULT '',
        real_portal     INTEGER NOT NULL DEFAULT 1,
        owner           TEXT    NOT NULL DEFAULT '',
        profile_path    TEXT    NOT NULL,
        profile_sha256  TEXT    NOT NULL,
        profile_label   TEXT    NOT NULL,
        part            INTEGER NOT NULL,
        parts           INTEGER NOT NULL,
        resubmit        INTEGER NOT NULL DEFAULT 0,
        state           TEXT    NOT NULL CHECK (state IN
                        ('started','filled','declined','intent','submitted','failed','unknown')),
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
    INSERT INTO attempts_v2 (id, run_id, portal, registry, host, real_portal, owner,
        profile_path, profile_sha256, profile_label, part, parts, resubmit, state, reason,
        feedback_id, review_values, screenshots, confirmed_by, confirmed_at, submitted_at,
        receipt_path, settled_by, settled_at, created_at, updated_at)
    SELECT id, run_id, portal,
        CASE WHEN portal IN ('fcr', 'fcr-classic') THEN 'fcr' ELSE portal END,
        CASE WHEN portal IN ('fcr', 'fcr-classic') THEN 'www.freecallerregistry.com' ELSE '' END,
        1, '',
        profile_path, profile_sha256, profile_label, part, parts, resubmit, state, reason,
        feedback_id, review_values, screenshots, confirmed_by, confirmed_at, submitted_at,
        receipt_path, settled_by, settled_at, created_at, updated_at
    FROM attempts;
    DROP TABLE attempts;
    ALTER TABLE attempts_v2 RENAME TO attempts;
    CREATE INDEX attempts_state ON attempts(state);
    CREATE INDEX attempts_ledger ON attempts(registry, host, state);
    """,
    # 3: a portal is known by where it is (`_file_by_host`).
    "file_by_host",
)


# The registries known by their hosts when step 3 was written (`assistant.hosts.REGISTRY_HOSTS`
# then), written out so that the step gives the same result whenever it runs.
_V3_REGISTRY_HOSTS = {
    "www.freecallerregistry.com": "fcr",
    "freecallerregistry.com": "fcr",
    "reportarobocall.com": "trf",
    "www.reportarobocall.com": "trf",
    "voicespamfeedback.com": "vsf",
    "www.voicespamfeedback.com": "vsf",
}


def _file_by_host(conn: sqlite3.Connection) -> None:
    """Step 3: each row's host in its one form (`assistant.hosts.normal_host`: the trailing dot
    dropped, IDNA), and a row sent to a host a registry is known at filed under that registry,
    as real. Before, a map's registry defaulted to its name, so a renamed copy of the FCR map
    filed its registrations under a registry of its own, and `--url` with a trailing dot filed
    them as practice; now they block the same numbers as any other FCR registration. A host
    that cannot be normalised is left as it is (lower case). Running the step again changes
    nothing: it only writes what it would compute from its own result."""
    from assistant.hosts import InvalidHost, name_of, normal_host

    rows = conn.execute(
        "SELECT id, registry, host, real_portal FROM attempts WHERE host <> ''"
    ).fetchall()
    for attempt_id, registry, host, real in rows:
        try:
            new_host = normal_host(host)
        except InvalidHost:
            new_host = host.lower()
        known = _V3_REGISTRY_HOSTS.get(name_of(new_host))
        new_registry, new_real = (known, 1) if known is not None else (registry, real)
        if (new_host, new_registry, new_real) != (host, registry, real):
            conn.execute(
                "UPDATE attempts SET host = ?, registry = ?, real_portal = ? WHERE id = ?",
                (new_host, new_registry, new_real, attempt_id),
            )


# Steps written in Python, by the name `MIGRATIONS` gives them (SQL cannot normalise a host).
_STEPS: dict[str, Callable[[sqlite3.Connection], None]] = {"file_by_host": _file_by_host}

SCHEMA_VERSION = len(MIGRATIONS)


BUSY_TIMEOUT_S = 10.0  # how long a write waits for another process's write to finish


class JournalUnreadable(DataDirUnusable):
    """The journal file exists but SQLite cannot read it, or a newer assistant wrote it."""


class JournalDamaged(JournalUnreadable):
    """SQLite's integrity check finds the journal damaged: e.g. an index missing rows, through
    which the duplicate guard would not see a number already sent. `problems` are its lines."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


# The lines of `PRAGMA integrity_check` read at most; a damaged journal's first few say enough.
INTEGRITY_LINES = 100


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What SQLite's full integrity check finds wrong in the journal ([] when nothing is).

    `integrity_check`, not `quick_check`: only the full check compares every index with its
    table, and the duplicate guard reads through the indexes."""
    try:
        rows = conn.execute(f"PRAGMA integrity_check({INTEGRITY_LINES})").fetchall()
    except sqlite3.DatabaseError as error:  # too damaged to be checked at all
        return [str(error)]
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def describe_problems(problems: list[str]) -> str:
    """The first two problems, and how many more, for one line."""
    shown = "; ".join(problems[:2])
    more = len(problems) - 2
    return f"{shown}; and {more} more" if more > 0 else shown


def repair_command(folder: Path) -> str:
    """The command that repairs the journal in `folder` (`assistant doctor --repair-journal`)."""
    return f"assistant doctor --repair-journal --data-dir {shlex.quote(str(folder))}"


def damaged(path: Path, problems: list[str]) -> JournalDamaged:
    """The error a run that may submit stops with on a damaged journal, naming the repair."""
    return JournalDamaged(
        f"the journal {path} is damaged ({describe_problems(problems)}): the duplicate guard "
        "could miss numbers already sent, so nothing that may submit runs until it is "
        f"repaired. Repair it with: {repair_command(path.parent)}",
        problems,
    )


def connect(folder: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) `<folder>/journal.sqlite3`, private, in WAL mode, migrated.

    Refuses a journal (or `-wal`/`-shm`) that is a symbolic link or not a regular file. With
    `read_only` (for commands that only read), a journal that cannot be written is opened for
    reading instead of refused (see `_connect_read_only`); otherwise that is `DataDirReadOnly`.
    """
    path = folder / FILENAME
    for name in (path, *_companions(path)):
        paths.refuse_link_or_special(name)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as error:
        if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise write_problem(path, error) from None
        if read_only:
            return _connect_read_only(path)
        if paths.writable(folder):  # the folder is fine: the file itself is read-only
            raise DataDirReadOnly(
                f"cannot write the journal {path}; make it writable with: chmod 600 {path}"
            ) from None
        raise paths.read_only(folder, f"cannot write the journal {path}", error) from None
    try:
        os.fchmod(fd, 0o600)  # tighten a file someone loosened; the folder check already passed
    finally:
        os.close(fd)
    previous = os.umask(0o077)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn, path)
        except JournalUnreadable:
            conn.close()
            raise
        except sqlite3.DatabaseError as error:
            conn.close()
            problem = write_problem(path, error)
            if read_only and isinstance(problem, DataDirReadOnly):
                return _connect_read_only(path)
            raise problem from None
    finally:
        os.umask(previous)
    for companion in _companions(path):
        paths.refuse_link_or_special(companion)
        if companion.exists():
            companion.chmod(0o600)
    return conn


# SQLite's own words for the errors below, for an error that carries no name (raised by a
# wrapper, or by a Python older than 3.11): sqlite3_errstr() of the primary code.
_NAMES_BY_TEXT = {"database or disk is full": "SQLITE_FULL", "disk I/O error": "SQLITE_IOERR"}
_FULL_ERRNOS = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def write_problem(path: Path, error: sqlite3.Error | OSError) -> AssistantError:
    """What an error met while opening or writing the journal at `path` means for a person:
    locked by another process, a folder that cannot be written, a disk that is full or
    failing, or not a journal. The one place a journal write's failure gets its words."""
    if isinstance(error, OSError):
        if error.errno in _FULL_ERRNOS or error.errno == errno.EIO:
            return not_written(path, error.errno == errno.EIO, _reason(error))
        return DataDirUnusable(f"cannot open the journal {path}: {_reason(error)}")
    name = str(getattr(error, "sqlite_errorname", "")) or _NAMES_BY_TEXT.get(str(error), "")
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        return not_written(path, name.startswith("SQLITE_IOERR"), str(error))
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return JournalBusy(
            f"the journal {path} stayed locked by another process for {BUSY_TIMEOUT_S:.0f} s "
            "(another assistant run?); let it finish, or stop it, then run again"
        )
    cannot_open = name.startswith("SQLITE_CANTOPEN") and not paths.writable(path.parent)
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")) or cannot_open:
        return paths.read_only(path.parent, f"cannot write the journal {path}")
    return JournalUnreadable(
        f"{path} is not a readable journal ({error}); move it aside and keep it for "
        "inspection, then run again to start a new one"
    )


def not_written(path: Path, io_error: bool, detail: str) -> JournalWriteFailed:
    """A write to the journal at `path` failed for want of space or with an I/O error. An I/O
    error on a disk with no space left is the full disk (SQLite reports some that way)."""
    folder = path.parent
    if not io_error or _no_space_left(folder):
        cause = f"the disk is full: {detail}"
        advice = f"free some space on the disk that holds {folder}, then run again"
    else:
        cause = f"the disk reported an error: {detail}"
        advice = f"check the disk that holds {folder} (the system log says more), then run again"
    message = f"cannot write the journal {path}: {cause}; {advice}"
    return JournalWriteFailed(message, cause=cause, advice=advice)


def _no_space_left(folder: Path) -> bool:
    try:
        return os.statvfs(folder).f_bavail == 0
    except (OSError, AttributeError):
        return False


def _reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """The journal opened only for reading, where it cannot be written (`history`, `due`).

    SQLite reads a WAL-mode file with `mode=ro` only when it can use the `-shm` index beside
    it, which it cannot create in a folder it cannot write. Then, if no `-wal` holds changes
    not yet copied into the file, the file alone is the whole journal, and nothing can be
    writing it (a writer would first create the `-wal`, which no one can in this folder), so
    `immutable=1` reads it safely without locks or index. With a non-empty `-wal`, reading the
    file alone would miss recent changes: refused. No file yet: an empty journal.
    """
    if not path.exists():
        return connect_empty()
    uri = "file:" + urllib.parse.quote(str(path))
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.OperationalError:
        pass
    else:
        try:
            return _checked(conn, path)
        except sqlite3.OperationalError:  # no -shm index, and none can be made here
            conn.close()
    wal = _companions(path)[0]
    if paths.writable(path.parent) or (wal.exists() and wal.stat().st_size > 0):
        # Someone may be writing, or the file alone lacks the latest changes: never guess.
        raise paths.read_only(path.parent, f"cannot read the latest changes of the journal {path}")
    try:
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        try:
            return _checked(conn, path)
        except sqlite3.DatabaseError:
            conn.close()
            raise
    except sqlite3.DatabaseError as error:
        raise write_problem(path, error) from None


def _checked(conn: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """`conn` (read-only) if it holds a journal of this schema; an empty one if it holds none."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version == SCHEMA_VERSION:
        return conn
    conn.close()
    if version == 0:
        return connect_empty()
    if version > SCHEMA_VERSION:
        raise JournalUnreadable(_newer(path, version))
    raise paths.read_only(path.parent, f"cannot upgrade the journal {path} to read it")


def connect_empty() -> sqlite3.Connection:
    """An empty journal in memory: what a journal that does not exist yet holds."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    _migrate(conn, Path(":memory:"))
    return conn


def _companions(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _newer(path: Path, version: int) -> str:
    return (
        f"{path} was written by a newer assistant (schema {version}, this one knows "
        f"{SCHEMA_VERSION}); upgrade the assistant to read it"
    )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to `SCHEMA_VERSION`, one transaction per step; refuse a newer file."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise JournalUnreadable(_newer(path, version))
    if version == SCHEMA_VERSION:
        return
    # A step may rebuild a table others refer to; SQLite's procedure for that runs with foreign
    # keys off (the pragma is a no-op inside a transaction) and checks them before the commit.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for step in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated while this one waited for the lock.
                if int(conn.execute("PRAGMA user_version").fetchone()[0]) > step:
                    conn.execute("COMMIT")
                    continue
                migration = MIGRATIONS[step]
                if migration in _STEPS:
                    _STEPS[migration](conn)
                else:
                    for statement in migration.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                if conn.execute("PRAGMA foreign_key_check").fetchall():
                    raise JournalUnreadable(
                        f"{path} holds records that refer to missing ones; move it aside and "
                        "keep it for inspection, then run again to start a new one"
                    )
                # PRAGMA takes no parameters; the value is our own integer.
                conn.execute(f"PRAGMA user_version = {step + 1}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite ends it itself after some errors (disk full)
                    conn.execute("ROLLBACK")
                raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
