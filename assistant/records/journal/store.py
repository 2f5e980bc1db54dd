"""The journal: a private SQLite file remembering every submission attempt and its outcome.

Every write is one `BEGIN IMMEDIATE … COMMIT` transaction that checks the attempt's current
state inside the transaction, so two processes cannot race a transition, and returns only once
the commit is on disk. The caller of `intent` clicks submit only after it has returned; `intent`
runs the caller's duplicate re-check inside its own transaction, so of two runs confirming the
same numbers at once, the second sees the first's intent and is refused.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from assistant import log, paths
from assistant.errors import UsageError
from assistant.records.journal.models import (
    FEEDBACK_ID_PATTERN,
    KNOWN_REGISTRIES,
    OPEN,
    TRANSITIONS,
    UNSETTLED,
    Attempt,
    Destination,
    DueNumber,
    InvalidTransition,
    NewAttempt,
    NumberRecord,
    State,
    describe_owner,
)
from assistant.records.journal.schema import (
    FILENAME,
    connect,
    connect_empty,
    damaged,
    integrity_problems,
    write_problem,
)
from assistant.records.runfiles import fresh
from assistant.testhooks import crashpoint

Clock = Callable[[], datetime]

logger = log.get_logger(__name__)


def utc_now() -> datetime:
    """The current time in UTC (the default clock; tests pass their own)."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """`moment` as UTC ISO 8601 to the second, e.g. 2026-10-01T14:03:00Z (sorts as text)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """The inverse of `iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def profile_sha256(path: str | Path) -> str:
    """The sha256 (hex) of a profile file's bytes, so the journal can tell an edited profile."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Journal:
    """The journal of one data folder. Open it with `Journal.open(...)`, as a context manager."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        folder: Path,
        clock: Clock = utc_now,
        *,
        read_only: bool = False,
    ) -> None:
        self._conn = conn
        self.folder = folder
        self.path = folder / FILENAME
        self._clock = clock
        self.read_only = read_only

    @classmethod
    def open(
        cls,
        data_dir: str | Path | None = None,
        *,
        clock: Clock = utc_now,
        read_only: bool = False,
        check_integrity: bool = False,
    ) -> Journal:
        """Open the journal in the private data folder (`--data-dir`, `$ASSISTANT_DATA_DIR`,
        or the platform default), creating it if needed; refuses a folder others can read.

        `read_only` is for commands that only read (`history`, `due`): where the folder or the
        journal cannot be written, it is still read (a missing one reads as empty), and any
        write raises `DataDirReadOnly`. Problems with the folder are `DataFolderError`s.
        `check_integrity` is for runs that may submit: a damaged journal (an index missing
        rows would hide numbers already sent from the duplicate guard) is `JournalDamaged`.
        """
        if read_only:
            folder = paths.data_dir_path(data_dir)
            missing = not os.path.lexists(folder)  # a link to nothing is refused below
            if missing and not paths.writable(paths.existing_parent(folder)):
                return cls(connect_empty(), folder, clock, read_only=True)
        folder = paths.data_dir(data_dir)
        journal = cls(connect(folder, read_only=read_only), folder, clock, read_only=read_only)
        if check_integrity:
            problems = journal.integrity_problems()
            if problems:
                journal.close()
                raise damaged(journal.path, problems)
        return journal

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL when the last one closes)."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writes ------------------------------------------------------------------------------

    def start(self, attempt: NewAttempt) -> int:
        """Record a submission that starts (the guard passed, the browser opens next); returns
        the new attempt's id (state `started`)."""
        return self._insert(attempt, State.STARTED)

    def begin(self, attempt: NewAttempt) -> int:
        """Record a filled form awaiting review; returns the new attempt's id (state `filled`)."""
        return self._insert(attempt, State.FILLED)

    def filled(self, attempt_id: int) -> Attempt:
        """A started attempt's form is filled and read back: the review is shown next."""
        return self._move(attempt_id, State.FILLED, {})

    def _insert(self, attempt: NewAttempt, state: State) -> int:
        if not attempt.numbers:
            raise InvalidTransition("an attempt needs at least one number")
        now = iso(self._clock())
        where = attempt.destination
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO attempts (run_id, portal, registry, host, real_portal, owner,"
                " profile_path, profile_sha256, profile_label, part, parts, resubmit, state,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt.run_id,
                    attempt.portal,
                    where.registry,
                    where.host,
                    int(where.real),
                    attempt.owner,
                    attempt.profile_path,
                    attempt.profile_sha256,
                    attempt.profile_label,
                    attempt.part,
                    attempt.parts,
                    int(attempt.resubmit),
                    state.value,
                    now,
                    now,
                ),
            )
            attempt_id = cur.lastrowid
            assert attempt_id is not None
            cur.executemany(
                "INSERT INTO attempt_numbers (attempt_id, position, number) VALUES (?, ?, ?)",
                [(attempt_id, i, n) for i, n in enumerate(attempt.numbers)],
            )
            self._event(cur, attempt_id, state, now, "")
        return attempt_id

    def declined(self, attempt_id: int, reason: str = "not confirmed at review") -> Attempt:
        """The human did not confirm at the review (or the review found a difference):
        nothing was sent."""
        return self._move(attempt_id, State.DECLINED, {"reason": reason})

    def intent(
        self,
        attempt_id: int,
        *,
        confirmed_by: str,
        review_values: Any,
        screenshots: Sequence[str | Path] = (),
        recheck: Callable[[], object] | None = None,
    ) -> Attempt:
        """Record that `confirmed_by` confirmed these read-back values and the click is next.

        `recheck` (the duplicate guard, again) runs inside this write transaction, after the
        exclusive lock is taken and before anything is written: it sees every intent another
        process committed, and none can commit one until this transaction ends. Whatever it
        raises (`DuplicateSubmission`) leaves the attempt as it was, for the caller to close.
        Committed and fsynced before returning: click submit only after this returns.
        """
        now = iso(self._clock())
        return self._move(
            attempt_id,
            State.INTENT,
            {
                "confirmed_by": confirmed_by,
                "confirmed_at": now,
                "review_values": json.dumps(review_values, ensure_ascii=False, default=str),
                "screenshots": json.dumps([str(s) for s in screenshots]),
            },
            before=recheck,
        )

    def submitted(self, attempt_id: int, feedback_id: str, sent: str = "") -> Attempt:
        """The portal confirmed the submission and showed `feedback_id`; `sent` says what the
        request let out carried ("POST …/fcr/submit carrying 4 numbers: …"), kept as the
        row's reason."""
        if not feedback_id.strip():
            raise InvalidTransition("a submitted attempt needs its Feedback ID")
        fields = {"feedback_id": feedback_id.strip(), "submitted_at": iso(self._clock())}
        if sent:
            fields["reason"] = f"sent as {sent}"
        return self._move(attempt_id, State.SUBMITTED, fields)

    def failed(self, attempt_id: int, reason: str) -> Attempt:
        """The run stopped before confirmation, or the portal answered with an error."""
        return self._move(attempt_id, State.FAILED, {"reason": reason})

    def unknown(self, attempt_id: int, reason: str) -> Attempt:
        """The click was made and then something failed: a human must settle the outcome."""
        return self._move(attempt_id, State.UNKNOWN, {"reason": reason})

    def settle(
        self, attempt_id: int, feedback_id: str | None, *, settled_by: str | None = None
    ) -> Attempt:
        """A human says how an unknown (or crash-left intent) attempt ended, or closes an open
        (`started`/`filled`) one as not submitted: nothing was clicked for it.

        With a Feedback ID (`FCRFE` + 17 digits; `TRFFE`… for the sister forms) it becomes
        `submitted`, dated at its confirmation (the click followed it); with None it becomes
        `failed` ("not submitted"). Raises `UsageError` for an unknown id, a malformed Feedback
        ID, a settled attempt or an open one said to be submitted. Whether the run owning an
        open row is still alive is the caller's question (`assistant.records.runlock`).
        """
        if feedback_id is not None and not FEEDBACK_ID_PATTERN.fullmatch(feedback_id):
            raise UsageError(
                f"{feedback_id!r} is not a Feedback ID: expected FCRFE (or the sister forms' "
                "TRFFE, VSFFE) followed by 17 digits, e.g. FCRFE07252024233445395"
            )
        who = settled_by or getpass.getuser()
        now = iso(self._clock())
        current = self.get(attempt_id)
        if current.state in OPEN and feedback_id is not None:
            raise UsageError(
                f"attempt {attempt_id} is {current.state}: it never reached the submit click, "
                f"so it cannot have a Feedback ID; settle it with "
                f"'assistant settle {attempt_id} --not-submitted'"
            )
        if current.state not in UNSETTLED | OPEN:
            raise UsageError(
                f"attempt {attempt_id} is {current.state}, not unknown: "
                "only an unknown outcome can be settled"
            )
        fields: dict[str, Any] = {"settled_by": who, "settled_at": now}
        if feedback_id is not None:
            fields |= {
                "feedback_id": feedback_id,
                "submitted_at": current.confirmed_at or now,
                "reason": f"settled as submitted by {who}",
            }
            target = State.SUBMITTED
        else:
            fields["reason"] = f"settled as not submitted by {who}"
            target = State.FAILED
        # The state is checked again inside the write: it may have moved since `get`.
        allowed = UNSETTLED | OPEN if feedback_id is None else UNSETTLED
        return self._move(attempt_id, target, fields, allowed_from=allowed)

    def close_abandoned(self, profile_path: str, owner: str) -> list[Attempt]:
        """Close as not sent (`failed`) every open (`started`/`filled`) attempt of
        `profile_path` that `owner` does not own; return them as they were left.

        Only for a caller holding that profile's run lock (`assistant.records.runlock`): every other
        run of the profile has then ended, so their open rows can never be clicked.
        """
        now = iso(self._clock())
        with self._transaction() as cur:
            ids = [
                int(row[0])
                for row in cur.execute(
                    "SELECT id FROM attempts WHERE profile_path = ? AND owner != ?"
                    " AND state IN ('started', 'filled') ORDER BY id",
                    (profile_path, owner),
                )
            ]
            left = self._by_ids(ids)
            for attempt in left:
                who = describe_owner(attempt.owner)
                reason = (
                    f"not submitted: the run that started it{f' ({who})' if who else ''} "
                    "ended before finishing it; nothing was clicked"
                )
                cur.execute(
                    "UPDATE attempts SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
                    (State.FAILED.value, reason, now, attempt.id),
                )
                self._event(cur, attempt.id, State.FAILED, now, reason)
        return left

    def attach_receipt(self, attempt_id: int, receipt_path: str | Path) -> Attempt:
        """Remember where the receipt of a submitted attempt was written."""
        with self._transaction() as cur:
            state = self._state(cur, attempt_id)
            if state is not State.SUBMITTED:
                raise InvalidTransition(f"attempt {attempt_id} is {state}; only submitted ones")
            cur.execute(
                "UPDATE attempts SET receipt_path = ?, updated_at = ? WHERE id = ?",
                (str(receipt_path), iso(self._clock()), attempt_id),
            )
        return self.get(attempt_id)

    def repair(self) -> Repair:
        """Rebuild the indexes of a damaged journal (`REINDEX`), after a private copy (0600)
        of it as it was; then check it again. Nothing is done to a journal found sound."""
        if self.read_only:
            raise paths.read_only(self.folder, f"cannot repair the journal {self.path}")
        problems = self.integrity_problems()
        if not problems:
            return Repair(problems=[], backup=None, remaining=[])
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = fresh(self.folder / f"journal-before-repair-{stamp}.sqlite3")
        self._copy_to(backup)
        refused = ""
        try:
            self._conn.execute("REINDEX")  # one transaction of its own
        except sqlite3.OperationalError as error:  # busy, the disk
            raise write_problem(self.path, error) from None
        except sqlite3.DatabaseError as error:  # doubled rows a unique index let in, a page
            refused = str(error)  # damaged beyond the indexes: nothing was changed
        return Repair(problems, backup, self.integrity_problems(), refused)

    def _copy_to(self, target: Path) -> None:
        """A consistent copy of the journal, page by page (damage included), into `target`."""
        paths.private_file(target)
        previous = os.umask(0o077)  # its own rollback journal, while it is written, too
        try:
            copy = sqlite3.connect(target)
            try:
                self._conn.backup(copy)
            finally:
                copy.close()
        except sqlite3.OperationalError as error:
            raise write_problem(target, error) from None
        finally:
            os.umask(previous)

    # -- reads -------------------------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        """What SQLite's full integrity check finds wrong in the journal ([] when nothing)."""
        return integrity_problems(self._conn)

    def get(self, attempt_id: int) -> Attempt:
        """The attempt with this id; `UsageError` if there is none."""
        found = self._select("WHERE a.id = ?", (attempt_id,))
        if not found:
            raise UsageError(f"there is no attempt {attempt_id} in the journal at {self.path}")
        return found[0]

    def history(self, number: str | None = None, profile: str | None = None) -> list[Attempt]:
        """Every attempt, newest first; only those with `number` (E.164) and/or whose profile
        label or resolved path equals `profile`, when given."""
        clauses: list[str] = []
        params: list[Any] = []
        if number is not None:
            clauses.append("a.id IN (SELECT attempt_id FROM attempt_numbers WHERE number = ?)")
            params.append(number)
        if profile is not None:
            clauses.append("(a.profile_label = ? OR a.profile_path = ? OR a.profile_path = ?)")
            params += [profile, profile, str(Path(profile).expanduser().resolve())]
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._select(where, tuple(params), order="a.id DESC")

    def unsettled(self) -> list[Attempt]:
        """Attempts in `intent` or `unknown`, oldest first: each needs a human to settle it."""
        return self._select("WHERE a.state IN ('intent', 'unknown')", (), order="a.id ASC")

    def submitted_numbers(
        self, destination: Destination, since: datetime, numbers: Sequence[str] | None = None
    ) -> list[NumberRecord]:
        """For each number (of `numbers`, or all) submitted to `destination` (see
        `Destination.holds`) at or after `since`, its latest such submission."""
        params: list[Any] = [destination.host]
        # At one host, two known registries are two ledgers (see `Destination.holds`).
        other = ""
        if destination.registry in KNOWN_REGISTRIES:
            known = sorted(KNOWN_REGISTRIES)
            other = f" AND (a.registry = ? OR a.registry NOT IN ({','.join('?' * len(known))}))"
            params += [destination.registry, *known]
        params += [int(destination.real), destination.registry, iso(since)]
        only = ""
        if numbers is not None:
            only = f" AND n.number IN ({','.join('?' * len(numbers))})"
            params += list(numbers)
        rows = self._conn.execute(
            "SELECT n.number, MAX(a.id) FROM attempt_numbers n JOIN attempts a"  # noqa: S608
            f" ON a.id = n.attempt_id WHERE ((a.host <> '' AND a.host = ?{other})"
            " OR (? AND a.registry = ? AND (a.real_portal = 1 OR a.host = '')))"
            f" AND a.state = 'submitted' AND a.submitted_at >= ?{only}"
            " GROUP BY n.number ORDER BY n.number",
            params,
        ).fetchall()
        attempts = {a.id: a for a in self._by_ids([r[1] for r in rows])}
        return [NumberRecord(number=r[0], attempt=attempts[r[1]]) for r in rows]

    def due(
        self, days: int = 90, now: datetime | None = None, *, include_practice: bool = False
    ) -> list[DueNumber]:
        """Numbers whose latest successful registration (per registry and host) is more than
        `days` days before `now`, oldest first, with the profile that sent them. Only real
        registrations count, unless `include_practice` (runs against another host, e.g. the
        replica, register nothing, so nothing of theirs falls due)."""
        now = now or self._clock()
        cutoff = iso(now - timedelta(days=days))
        # A registry's real registrations are one ledger at every host it is known at; a
        # practice host is a ledger of its own.
        place = "CASE WHEN a.real_portal = 1 THEN '' ELSE a.host END"
        rows = self._conn.execute(
            f"SELECT n.number, a.registry, {place}, MAX(a.submitted_at) FROM attempt_numbers n"  # noqa: S608
            " JOIN attempts a ON a.id = n.attempt_id WHERE a.state = 'submitted'"
            " AND (a.real_portal = 1 OR ?)"
            f" GROUP BY n.number, a.registry, {place} HAVING MAX(a.submitted_at) < ?"
            " ORDER BY MAX(a.submitted_at), n.number",
            (int(include_practice), cutoff),
        ).fetchall()
        result: list[DueNumber] = []
        for number, registry, where, last in rows:
            row = self._conn.execute(
                "SELECT a.id FROM attempt_numbers n JOIN attempts a ON a.id = n.attempt_id"  # noqa: S608
                f" WHERE n.number = ? AND a.registry = ? AND {place} = ?"
                " AND a.state = 'submitted' AND a.submitted_at = ? ORDER BY a.id DESC LIMIT 1",
                (number, registry, where, last),
            ).fetchone()
            attempt = self.get(int(row[0]))
            result.append(
                DueNumber(
                    number=number,
                    portal=attempt.portal,
                    registry=registry,
                    host=attempt.host,
                    real_portal=attempt.real_portal,
                    last_submitted_at=last,
                    days_since=(now.astimezone(UTC).date() - parse_iso(last).date()).days,
                    feedback_id=attempt.feedback_id,
                    attempt_id=attempt.id,
                    profile_path=attempt.profile_path,
                    profile_label=attempt.profile_label,
                )
            )
        return result

    # -- internals ---------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        """One write transaction, taken before reading state so no other writer interleaves.

        Whatever SQLite says went wrong in it (locked beyond the busy timeout, read-only, the
        disk full or failing, at any statement or at the commit) becomes the project's error
        for it (`write_problem`); the transaction is rolled back, so nothing of it is kept."""
        if self.read_only:
            raise paths.read_only(self.folder, f"cannot write the journal {self.path}")
        cur = self._conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            yield cur
            cur.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            if not _journal_error(error):
                raise
            raise write_problem(self.path, error) from None
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        """End the failed transaction, if SQLite has not (it does itself after some errors,
        e.g. a full disk); a rollback that fails too leaves nothing committed either."""
        if not self._conn.in_transaction:
            return
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            logger.debug("Rolling back a failed journal write failed too", exc_info=True)

    def _state(self, cur: sqlite3.Cursor, attempt_id: int) -> State:
        row = cur.execute("SELECT state FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise UsageError(f"there is no attempt {attempt_id} in the journal at {self.path}")
        return State(row[0])

    def _move(
        self,
        attempt_id: int,
        target: State,
        fields: dict[str, Any],
        allowed_from: frozenset[State] | None = None,
        before: Callable[[], object] | None = None,
    ) -> Attempt:
        """Move an attempt to `target`, setting `fields`, if its current state allows it and
        `before` (run inside the transaction) does not raise."""
        now = iso(self._clock())
        with self._transaction() as cur:
            state = self._state(cur, attempt_id)
            allowed = (
                target in TRANSITIONS[state] if allowed_from is None else (state in allowed_from)
            )
            if not allowed:
                raise InvalidTransition(
                    f"attempt {attempt_id} is {state}; it cannot become {target}"
                )
            if before is not None:
                before()
            columns = {"state": target.value, "updated_at": now, **fields}
            assignments = ", ".join(f"{name} = ?" for name in columns)
            cur.execute(
                f"UPDATE attempts SET {assignments} WHERE id = ?",  # noqa: S608 (fixed names)
                (*columns.values(), attempt_id),
            )
            detail = str(fields.get("reason") or fields.get("feedback_id") or "")
            self._event(cur, attempt_id, target, now, detail)
            crashpoint(f"journal-write-{target.value}")  # test-only: dies before the COMMIT
        return self.get(attempt_id)

    @staticmethod
    def _event(cur: sqlite3.Cursor, attempt_id: int, state: State, at: str, detail: str) -> None:
        # An append-only trail: settling rewrites the row's state, the trail keeps the story.
        cur.execute(
            "INSERT INTO attempt_events (attempt_id, at, state, detail) VALUES (?, ?, ?, ?)",
            (attempt_id, at, state.value, detail),
        )

    def events(self, attempt_id: int) -> list[tuple[str, str, str]]:
        """The (time, state, detail) trail of one attempt, oldest first."""
        rows = self._conn.execute(
            "SELECT at, state, detail FROM attempt_events WHERE attempt_id = ? ORDER BY rowid",
            (attempt_id,),
        ).fetchall()
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    def _by_ids(self, ids: Sequence[int]) -> list[Attempt]:
        if not ids:
            return []
        return self._select(f"WHERE a.id IN ({','.join('?' * len(ids))})", tuple(ids))

    def _select(
        self, where: str, params: tuple[Any, ...], order: str = "a.id ASC"
    ) -> list[Attempt]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM attempts a {where} ORDER BY {order}",  # noqa: S608
            params,
        ).fetchall()
        if not rows:
            return []
        ids = [r[0] for r in rows]
        numbers: dict[int, list[str]] = {i: [] for i in ids}
        for attempt_id, number in self._conn.execute(
            "SELECT attempt_id, number FROM attempt_numbers WHERE attempt_id IN"  # noqa: S608
            f" ({','.join('?' * len(ids))}) ORDER BY attempt_id, position",
            ids,
        ):
            numbers[attempt_id].append(number)
        return [_attempt(r, tuple(numbers[r[0]])) for r in rows]


@dataclass(frozen=True, slots=True)
class Repair:
    """What `Journal.repair` found and did: the problems before, the copy of the journal as
    it was (None when it was sound), the problems left after rebuilding its indexes, and why
    they could not be rebuilt, if they could not."""

    problems: list[str]
    backup: Path | None
    remaining: list[str]
    refused: str = ""


def _journal_error(error: sqlite3.Error) -> bool:
    """Whether `error` says something about the journal file or its disk (busy, read-only,
    full, failing, damaged), not about the assistant's own statements (a constraint it broke,
    a misuse of the module: bugs, left as they are)."""
    return isinstance(error, sqlite3.OperationalError) or type(error) is sqlite3.DatabaseError


_COLUMNS = (
    "a.id, a.run_id, a.portal, a.profile_path, a.profile_sha256, a.profile_label, a.part,"
    " a.parts, a.resubmit, a.state, a.reason, a.feedback_id, a.review_values, a.screenshots,"
    " a.confirmed_by, a.confirmed_at, a.submitted_at, a.receipt_path, a.settled_by,"
    " a.settled_at, a.created_at, a.updated_at, a.registry, a.host, a.real_portal, a.owner"
)


def _attempt(row: Sequence[Any], numbers: tuple[str, ...]) -> Attempt:
    return Attempt(
        id=row[0],
        run_id=row[1],
        portal=row[2],
        profile_path=row[3],
        profile_sha256=row[4],
        profile_label=row[5],
        numbers=numbers,
        part=row[6],
        parts=row[7],
        resubmit=bool(row[8]),
        state=State(row[9]),
        reason=row[10],
        feedback_id=row[11],
        review_values=json.loads(row[12]) if row[12] is not None else None,
        screenshots=tuple(json.loads(row[13])),
        confirmed_by=row[14],
        confirmed_at=row[15],
        submitted_at=row[16],
        receipt_path=row[17],
        settled_by=row[18],
        settled_at=row[19],
        created_at=row[20],
        updated_at=row[21],
        registry=row[22],
        host=row[23],
        real_portal=bool(row[24]),
        owner=row[25],
    )
