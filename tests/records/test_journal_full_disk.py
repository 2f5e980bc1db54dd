"""A journal that cannot be written (issue 17 item 6): a full or failing disk at any journal
write is the project's own error (exit 10), never "unexpected … (a bug)"; at the intent it
means no click, the row closed as not sent (or the sentence saying the next run closes it),
and a batch that stops cleanly.

The disk is made to fail through the journal's connection (`FailingDisk`): from a chosen write
on, the COMMIT fails as SQLite fails it on a full disk (`SQLITE_FULL`) or a failing one
(`SQLITE_IOERR`). The end-to-end test with a real full disk (a small tmpfs) is in
test_journal_full_tmpfs.py.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from batchrun import write_profiles
from ptyperson import PtyPerson
from replicarun import batch_of
from replicas import Replicas

from assistant import paths
from assistant.browser.step_state import Timeouts
from assistant.cli.batch import render_summary
from assistant.errors import DataDirUnusable, ExitCode, JournalWriteFailed
from assistant.records import receipts
from assistant.records.journal import Attempt, Journal, NewAttempt, State
from assistant.records.journal import schema as journal_schema
from assistant.replica import Replica
from assistant.sitting import session as session_module
from assistant.sitting.batch import Batch

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FAST = Timeouts(step_ms=10_000, action_ms=8_000)
NUMBERS = ("+16195550100", "+16195550101")


def sqlite_error(name: str) -> sqlite3.OperationalError:
    """The error SQLite raises for `name` (SQLITE_FULL or SQLITE_IOERR_*), as Python gives it."""
    text = "database or disk is full" if name == "SQLITE_FULL" else "disk I/O error"
    error = sqlite3.OperationalError(text)
    error.sqlite_errorname = name
    return error


class FailingDisk:
    """Stands for a journal's connection: once a write moves an attempt to state `at`, the
    COMMIT of that write fails with `error` (SQLite has then ended the transaction itself,
    as it does after a full disk, when `rolled_back`), and so does every later COMMIT unless
    the disk fails only `once`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        at: str,
        *,
        error: str = "SQLITE_FULL",
        once: bool = False,
        rolled_back: bool = True,
    ) -> None:
        self.conn = conn
        self.at = at
        self.error = error
        self.once = once
        self.rolled_back = rolled_back
        self.armed = False  # the transaction under way writes state `at`
        self.full = False  # the disk has failed and stays so
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)

    def cursor(self) -> _Cursor:
        return _Cursor(self, self.conn.cursor())

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        return self.cursor().execute(sql, params)

    def before(self, sql: str, params: Any) -> None:
        words = sql.split()
        if words[:1] in (["UPDATE"], ["INSERT"]) and self.at in tuple(params or ()):
            self.armed = True
        if words[:1] == ["COMMIT"] and (self.armed or self.full):
            self.armed = False
            self.full = not self.once
            self.failures += 1
            if self.rolled_back:
                self.conn.execute("ROLLBACK")
            raise sqlite_error(self.error)


class _Cursor:
    def __init__(self, disk: FailingDisk, cursor: sqlite3.Cursor) -> None:
        self.disk = disk
        self.cursor = cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        self.disk.before(sql, params)
        self.cursor.execute(sql, params)
        return self

    def executemany(self, sql: str, rows: Any) -> _Cursor:
        self.cursor.executemany(sql, rows)
        return self

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def __iter__(self) -> Any:
        return iter(self.cursor)


def failing(journal: Journal, at: str, **how: Any) -> FailingDisk:
    disk = FailingDisk(journal._conn, at, **how)
    journal._conn = disk  # type: ignore[assignment]
    return disk


def healed(journal: Journal, disk: FailingDisk) -> None:
    journal._conn = disk.conn


def snapshot(journal: Journal) -> list[tuple[Any, ...]]:
    conn = journal._conn
    return [
        *conn.execute("SELECT * FROM attempts ORDER BY id"),
        *conn.execute("SELECT * FROM attempt_numbers ORDER BY attempt_id, position"),
        *conn.execute("SELECT rowid, * FROM attempt_events ORDER BY rowid"),
    ]


def new_attempt(profile_path: str = "/p/harbor.yaml", owner: str = "run-1") -> NewAttempt:
    return NewAttempt(
        run_id="run",
        portal="fcr",
        profile_path=profile_path,
        profile_sha256="00" * 32,
        profile_label="Harbor",
        numbers=NUMBERS,
        owner=owner,
    )


def _open_row(journal: Journal) -> int:
    return journal.start(new_attempt())


def _confirmed_row(journal: Journal) -> int:
    attempt = journal.begin(new_attempt())
    journal.intent(attempt, confirmed_by="tester", review_values=[])
    return attempt


def _submitted_row(journal: Journal) -> int:
    attempt = _confirmed_row(journal)
    journal.submitted(attempt, "FCRFE00000000000000001")
    return attempt


# Each journal write: (the state it writes, how to make the row it needs, the write itself).
WRITES: dict[str, tuple[str, Callable[[Journal], Any], Callable[[Journal, Any], object]]] = {
    "start": ("started", lambda j: None, lambda j, a: j.start(new_attempt())),
    "begin": ("filled", lambda j: None, lambda j, a: j.begin(new_attempt())),
    "filled": ("filled", _open_row, lambda j, a: j.filled(a)),
    "declined": ("declined", lambda j: j.begin(new_attempt()), lambda j, a: j.declined(a)),
    "intent": (
        "intent",
        lambda j: j.begin(new_attempt()),
        lambda j, a: j.intent(a, confirmed_by="tester", review_values=[]),
    ),
    "submitted": (
        "submitted",
        _confirmed_row,
        lambda j, a: j.submitted(a, "FCRFE00000000000000001"),
    ),
    "failed": ("failed", _confirmed_row, lambda j, a: j.failed(a, "HTTP 500")),
    "unknown": ("unknown", _confirmed_row, lambda j, a: j.unknown(a, "no answer")),
    "settle": (
        "submitted",
        _confirmed_row,
        lambda j, a: j.settle(a, "FCRFE00000000000000002", settled_by="tester"),
    ),
    "close_abandoned": (
        "failed",
        _open_row,
        lambda j, a: j.close_abandoned("/p/harbor.yaml", "run-2"),
    ),
    "attach_receipt": (
        "receipt",
        _submitted_row,
        lambda j, a: j.attach_receipt(a, "/r/FCRFE00000000000000001.html"),
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize(
    ("error", "space_left", "cause", "advice"),
    [
        (
            "SQLITE_FULL",
            1,
            "the disk is full: database or disk is full",
            "free some space on the disk that holds {folder}, then run again",
        ),
        (
            "SQLITE_IOERR_WRITE",
            0,
            "the disk is full: disk I/O error",
            "free some space on the disk that holds {folder}, then run again",
        ),
        (
            "SQLITE_IOERR_FSYNC",
            1,
            "the disk reported an error: disk I/O error",
            "check the disk that holds {folder} (the system log says more), then run again",
        ),
    ],
)
@pytest.mark.parametrize("rolled_back", [True, False], ids=["sqlite-rolled-back", "still-open"])
def test_every_journal_write_the_disk_refuses_is_exit_10_and_keeps_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    write: str,
    error: str,
    space_left: int,
    cause: str,
    advice: str,
    rolled_back: bool,
) -> None:
    state, make_row, call = WRITES[write]
    real_statvfs = os.statvfs
    monkeypatch.setattr(
        os,
        "statvfs",
        lambda path: SimpleNamespace(f_bavail=space_left, f_flag=real_statvfs(path).f_flag),
    )
    folder = tmp_path / "data"
    with Journal.open(folder) as journal:
        attempt = make_row(journal)
        before = snapshot(journal)
        disk = failing(journal, "", error=error, rolled_back=rolled_back)
        disk.full = True  # whatever it writes
        with pytest.raises(JournalWriteFailed) as caught:
            call(journal, attempt)
        assert disk.failures == 1
        assert caught.value.exit_code == ExitCode.DATA_READ_ONLY
        advice = advice.format(folder=folder)
        assert (caught.value.cause, caught.value.advice) == (cause, advice)
        assert str(caught.value) == f"cannot write the journal {journal.path}: {cause}; {advice}"
        healed(journal, disk)
        assert not journal._conn.in_transaction
        assert snapshot(journal) == before  # nothing of the failed write was kept
        call(journal, attempt)  # and the journal takes the same write once the disk does
        assert snapshot(journal) != before
    if state != "receipt":
        with Journal.open(folder) as journal:
            assert state in {a.state.value for a in journal.history()}


def test_a_journal_the_full_disk_will_not_let_be_created_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def no_space(path: Any, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith("journal.sqlite3"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", no_space)
    folder = tmp_path / "data"
    with pytest.raises(JournalWriteFailed) as caught:
        Journal.open(folder)
    assert caught.value.exit_code == ExitCode.DATA_READ_ONLY
    assert str(caught.value) == (
        f"cannot write the journal {folder / 'journal.sqlite3'}: the disk is full: no space "
        f"left on device; free some space on the disk that holds {folder}, then run again"
    )


def test_a_full_disk_while_the_journal_is_set_up_is_not_called_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(conn: sqlite3.Connection, path: Path) -> None:
        raise sqlite_error("SQLITE_FULL")

    monkeypatch.setattr(journal_schema, "_migrate", full)
    folder = tmp_path / "data"
    with pytest.raises(JournalWriteFailed) as caught:
        Journal.open(folder)
    assert not isinstance(caught.value, DataDirUnusable)  # never "move it aside"
    assert str(caught.value) == (
        f"cannot write the journal {folder / 'journal.sqlite3'}: the disk is full: database or "
        f"disk is full; free some space on the disk that holds {folder}, then run again"
    )


def test_a_migration_the_disk_refuses_is_reported_as_that_not_as_a_failed_rollback() -> None:
    """SQLite ends the transaction itself on a full disk; rolling back again would raise
    "cannot rollback - no transaction is active" over the real cause."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    disk = FailingDisk(conn, "")
    disk.full = True
    with pytest.raises(sqlite3.OperationalError, match=r"^database or disk is full$"):
        journal_schema._migrate(disk, Path("/data/journal.sqlite3"))  # type: ignore[arg-type]
    assert disk.failures == 1
    assert conn.execute("PRAGMA user_version").fetchone() == (0,)


def test_an_error_without_sqlites_name_is_known_by_sqlites_words(tmp_path: Path) -> None:
    """As raised by a wrapper (or an older Python): no `sqlite_errorname`, SQLite's text."""
    path = tmp_path / "journal.sqlite3"
    full = journal_schema.write_problem(path, sqlite3.OperationalError("database or disk is full"))
    assert isinstance(full, JournalWriteFailed)
    assert full.cause == "the disk is full: database or disk is full"
    failing_disk = journal_schema.write_problem(path, sqlite3.OperationalError("disk I/O error"))
    assert isinstance(failing_disk, JournalWriteFailed)


def test_a_bug_in_a_journal_statement_is_not_taken_for_the_disk(tmp_path: Path) -> None:
    """Only what SQLite says about the file or its disk is mapped; a constraint the assistant's
    own statement broke stays what it is."""
    with Journal.open(tmp_path / "data") as journal:
        with pytest.raises(sqlite3.IntegrityError), journal._transaction() as cur:
            cur.execute("INSERT INTO attempt_numbers (attempt_id, position) VALUES (1, 0)")
        assert not journal._conn.in_transaction


# -- the intent, and the batch, in a browser --------------------------------------------------


def _batch(
    tmp_path: Path, portal: Replica, journal: Journal, person: PtyPerson, count: int
) -> Batch:
    paths = write_profiles(tmp_path / "profiles", count=count)
    return batch_of(paths, portal, journal, person.terminal, tmp_path / "data")


def _summary(report: Any, person: PtyPerson) -> str:
    """The closing table the command prints after the batch (`render_summary`)."""
    shown = len(person.screen())
    render_summary(report, person.terminal)
    return person.screen()[shown:]


@pytest.mark.browser
def test_a_full_disk_at_the_intent_clicks_nothing_closes_the_row_and_exits_10(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    person = PtyPerson("submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 1)
        disk = failing(journal, "intent", once=True)  # the disk fills at the intent only
        report = run.run(lambda: contextlib.nullcontext(browser))
        healed(journal, disk)
        assert portal.submissions() == []
        assert portal.submit_attempts() == 0
        [attempt] = journal.history()
        assert (attempt.state, attempt.reason) == (
            State.FAILED,
            "the journal could not record the intent to submit (the disk is full: database "
            "or disk is full); nothing was sent",
        )
        assert [s for _, s, _ in journal.events(attempt.id)] == ["started", "filled", "failed"]
    told = (
        "The journal could not record the intent to submit (the disk is full: database or "
        f"disk is full); nothing was clicked. Attempt {attempt.id} is recorded as not sent. "
        f"Free some space on the disk that holds {tmp_path / 'data'}, then run again."
    )
    screen = person.screen(expect="Not submitted")
    assert f"anything else to stop: submit\nNot submitted: {told}\n" in screen
    assert "Traceback" not in screen
    assert [(r.state, r.reason) for r in report.results] == [("failed", told)]
    assert report.exit_code == ExitCode.DATA_READ_ONLY
    summary = _summary(report, person)
    person.close()
    assert "0 submitted, 0 declined, 0 stopped, 1 failed, 0 unknown, 0 skipped." in summary


@pytest.mark.browser
def test_when_the_row_cannot_be_closed_either_the_next_run_closes_it(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    person = PtyPerson("submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 1)
        disk = failing(journal, "intent")  # full from the intent on
        report = run.run(lambda: contextlib.nullcontext(browser))
        healed(journal, disk)
        assert disk.failures == 2  # the intent, then closing the row
        assert portal.submit_attempts() == 0
        [attempt] = journal.history()
        assert attempt.state is State.FILLED
        # The next run of the profile (another process, holding its run lock) closes it.
        [closed] = journal.close_abandoned(attempt.profile_path, owner="the-next-run")
        assert closed.id == attempt.id
        assert journal.get(attempt.id).state is State.FAILED
    screen = person.screen(expect="Not submitted")
    person.close()
    told = (
        "The journal could not record the intent to submit (the disk is full: database or "
        f"disk is full); nothing was clicked. Attempt {attempt.id} could not be closed either: "
        "the next run of this profile records it as not sent. Free some space on the disk "
        f"that holds {tmp_path / 'data'}, then run again."
    )
    assert f"\nNot submitted: {told}\n" in screen
    assert report.exit_code == ExitCode.DATA_READ_ONLY


@pytest.mark.browser
def test_a_batch_whose_disk_fills_up_stops_cleanly_and_says_what_is_recorded(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    """Three profiles: the first is submitted; the disk fills at the second's intent; the third
    (prepared during the second's review, as the codes come from the outbox) is not started."""
    person = PtyPerson("submit", "submit", "submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 3)
        disk = FailingDisk(journal._conn, "intent")
        real_intent = run.recorder.intent

        def second_fills_the_disk(record: Any, reviewed: Any) -> None:
            if record.label == "Harbor 2":
                journal._conn = disk  # type: ignore[assignment]
            real_intent(record, reviewed)

        run.recorder.intent = second_fills_the_disk  # type: ignore[method-assign]
        report = run.run(lambda: contextlib.nullcontext(browser))
        healed(journal, disk)
        [sent] = portal.submissions()
        assert portal.submit_attempts() == 1
        third, second, first = journal.history()
        assert (first.state, first.feedback_id) == (State.SUBMITTED, sent["feedback_id"])
        assert second.state is State.FILLED  # the next run of Harbor 2 closes it
        assert third.state is State.STARTED  # and Harbor 3's, never reviewed
    told = (
        "The journal could not record the intent to submit (the disk is full: database or "
        f"disk is full); nothing was clicked. Attempt {second.id} could not be closed either: "
        "the next run of this profile records it as not sent. Free some space on the disk "
        f"that holds {tmp_path / 'data'}, then run again."
    )
    screen = person.screen(expect="Not submitted")
    assert f"Submitted 1 of 1. Feedback ID: {sent['feedback_id']}" in screen
    assert f"\nNot submitted: {told}\n" in screen
    assert "Harbor 3, submission 1 of 1" not in screen  # its review never came
    assert "Traceback" not in screen
    assert [(r.label, r.state, r.reason) for r in report.results] == [
        ("Harbor 1", "submitted", f"Submitted 1 of 1. Feedback ID: {sent['feedback_id']}"),
        ("Harbor 2", "failed", told),
        ("Harbor 3", "not started", "the journal could not be written"),
    ]
    assert report.exit_code == ExitCode.DATA_READ_ONLY
    summary = _summary(report, person)
    person.close()
    assert sent["feedback_id"] in summary
    assert re.search(r"│ not started +│ the journal could not be written", summary)
    assert (
        "1 submitted, 0 declined, 0 stopped, 1 failed, 0 unknown, 0 skipped, 1 not started."
        in summary
    )


@pytest.mark.browser
def test_a_refusal_the_journal_cannot_record_is_shown_then_told_how_to_settle(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    """After the click a journal write that fails never hides what the portal answered: the
    row stays confirmed (an unknown outcome the guard blocks) and the run says how to settle."""
    person = PtyPerson("submit")
    portal = replica(faults=("submit-500",))
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 1)
        disk = failing(journal, "failed")
        report = run.run(lambda: contextlib.nullcontext(browser))
        healed(journal, disk)
        assert portal.submit_attempts() == 1
        [attempt] = journal.history()
        assert attempt.state is State.INTENT
    screen = person.screen(expect="count as sent")
    person.close()
    failed_at = screen.index("Failed: the portal ")
    told = (
        "The portal refused submission 1 of 1, but the journal could not record it (the disk "
        f"is full: database or disk is full). Once the journal can be written again, run "
        f"'assistant settle {attempt.id} --not-submitted'. Until then its numbers count as "
        "sent with an unknown outcome."
    )
    assert screen.index(told) > failed_at
    assert [r.state for r in report.results] == ["unknown"]
    assert report.exit_code == ExitCode.OUTCOME_UNKNOWN


def test_a_receipt_the_full_disk_keeps_out_of_the_journal_leaves_the_submission_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The Feedback ID is committed first; failing to note the receipt's path afterwards must
    not turn into "the journal could not record it" (whose `settle` would then be refused)."""
    with Journal.open(tmp_path / "data") as journal:
        attempt = _confirmed_row(journal)
        disk = failing(journal, "", once=True)
        real_attach = journal.attach_receipt

        def full_at_attach(attempt_id: int, receipt_path: str | Path) -> Attempt:
            disk.full = True
            return real_attach(attempt_id, receipt_path)

        journal.attach_receipt = full_at_attach  # type: ignore[method-assign]
        recorded = receipts.record_submitted(journal, attempt, "FCRFE00000000000000001")
        healed(journal, disk)
        assert disk.failures == 1
        assert (recorded.state, recorded.receipt_path) == (State.SUBMITTED, None)
        assert journal.get(attempt).state is State.SUBMITTED
    assert "is recorded as submitted, but its receipt could not be written: cannot write" in (
        caplog.text
    )


@pytest.mark.browser
def test_a_result_screenshot_the_full_disk_refuses_does_not_lose_the_feedback_id(
    browser: Browser, tmp_path: Path, replica: Replicas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills during the click: the result page's screenshot cannot be written, and
    the Feedback ID is still shown and recorded."""
    real_write = paths.write_private

    def full_for_the_result(path: Path, data: bytes) -> Path:
        if path.name.endswith("-result.png"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(session_module, "write_private", full_for_the_result)
    person = PtyPerson("submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 1)
        report = run.run(lambda: contextlib.nullcontext(browser))
        [sent] = portal.submissions()
        [attempt] = journal.history()
        assert (attempt.state, attempt.feedback_id) == (State.SUBMITTED, sent["feedback_id"])
    screen = person.screen(expect="Feedback ID")
    person.close()
    assert f"Submitted 1 of 1. Feedback ID: {sent['feedback_id']}" in screen
    assert report.exit_code == ExitCode.OK
    assert not list((tmp_path / "data" / "runs").glob("*/*-result.png"))
