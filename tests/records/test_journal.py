"""The journal's states, transitions, queries and on-disk privacy."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from journalrows import FCR, FID, FakeClock, at, new_attempt, submit

from assistant.errors import UnsafeDataDir, UsageError
from assistant.records.journal import (
    SCHEMA_VERSION,
    InvalidTransition,
    Journal,
    JournalUnreadable,
    State,
    profile_sha256,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at("2026-10-01 14:03"))


@pytest.fixture
def journal(tmp_path: Path, clock: FakeClock) -> Iterator[Journal]:
    j = Journal.open(tmp_path / "data", clock=clock)
    yield j
    j.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_begin_records_a_filled_attempt_with_everything_known(journal: Journal) -> None:
    attempt_id = journal.begin(new_attempt("+16195550100", "+16195550101", part=2, parts=3))
    a = journal.get(attempt_id)
    assert (a.state, a.numbers, a.part, a.parts) == (
        State.FILLED,
        ("+16195550100", "+16195550101"),
        2,
        3,
    )
    assert (a.portal, a.profile_label, a.profile_path) == (
        "fcr",
        "Acme Dental",
        "/profiles/acme-dental.yaml",
    )
    assert a.created_at == a.updated_at == "2026-10-01T14:03:00Z"
    assert (a.feedback_id, a.confirmed_by, a.review_values, a.screenshots) == (None, None, None, ())
    assert a.resubmit is False


def test_the_happy_path_records_intent_then_submitted(journal: Journal, clock: FakeClock) -> None:
    attempt_id = journal.begin(new_attempt())
    clock.advance(minutes=2)
    a = journal.intent(
        attempt_id,
        confirmed_by="alice",
        review_values={"company": "Acme", "numbers": ["+16195550100"]},
        screenshots=[Path("screens/review.png")],
    )
    assert (a.state, a.confirmed_by, a.confirmed_at) == (
        State.INTENT,
        "alice",
        "2026-10-01T14:05:00Z",
    )
    assert a.review_values == {"company": "Acme", "numbers": ["+16195550100"]}
    assert a.screenshots == ("screens/review.png",)
    clock.advance(seconds=4)
    a = journal.submitted(attempt_id, FID)
    assert (a.state, a.feedback_id, a.submitted_at) == (
        State.SUBMITTED,
        FID,
        "2026-10-01T14:05:04Z",
    )
    assert [e[1] for e in journal.events(attempt_id)] == ["filled", "intent", "submitted"]


def test_declined_failed_and_unknown_keep_their_reason(journal: Journal) -> None:
    declined = journal.declined(journal.begin(new_attempt()))
    assert (declined.state, declined.reason) == (State.DECLINED, "not confirmed at review")
    early = journal.failed(journal.begin(new_attempt()), "page reset twice")
    assert (early.state, early.reason) == (State.FAILED, "page reset twice")
    attempt_id = journal.begin(new_attempt())
    journal.intent(attempt_id, confirmed_by="alice", review_values={})
    late = journal.failed(attempt_id, "portal answered 500")
    assert (late.state, late.reason) == (State.FAILED, "portal answered 500")
    attempt_id = journal.begin(new_attempt())
    journal.intent(attempt_id, confirmed_by="alice", review_values={})
    unknown = journal.unknown(attempt_id, "TimeoutError after the click")
    assert (unknown.state, unknown.reason) == (State.UNKNOWN, "TimeoutError after the click")


@pytest.mark.parametrize(
    ("path", "move", "message"),
    [
        ([], "submitted", "attempt 1 is filled; it cannot become submitted"),
        ([], "unknown", "attempt 1 is filled; it cannot become unknown"),
        (["declined"], "intent", "attempt 1 is declined; it cannot become intent"),
        (["intent"], "declined", "attempt 1 is intent; it cannot become declined"),
        (["intent"], "intent", "attempt 1 is intent; it cannot become intent"),
        (["intent", "submitted"], "failed", "attempt 1 is submitted; it cannot become failed"),
        (
            ["intent", "submitted"],
            "submitted",
            "attempt 1 is submitted; it cannot become submitted",
        ),
        (["intent", "unknown"], "submitted", "attempt 1 is unknown; it cannot become submitted"),
        (["intent", "unknown"], "failed", "attempt 1 is unknown; it cannot become failed"),
        (["intent", "failed"], "unknown", "attempt 1 is failed; it cannot become unknown"),
    ],
)
def test_forbidden_transitions_are_refused_and_change_nothing(
    journal: Journal, path: list[str], move: str, message: str
) -> None:
    attempt_id = journal.begin(new_attempt())
    steps = {
        "intent": lambda: journal.intent(attempt_id, confirmed_by="alice", review_values={}),
        "submitted": lambda: journal.submitted(attempt_id, FID),
        "unknown": lambda: journal.unknown(attempt_id, "x"),
        "failed": lambda: journal.failed(attempt_id, "x"),
        "declined": lambda: journal.declined(attempt_id),
    }
    for step in path:
        steps[step]()
    before = journal.get(attempt_id)
    with pytest.raises(InvalidTransition) as caught:
        steps[move]()
    assert str(caught.value) == message
    assert journal.get(attempt_id) == before


def test_settle_unknown_as_submitted_dates_it_at_the_confirmation(
    journal: Journal, clock: FakeClock
) -> None:
    attempt_id = journal.begin(new_attempt())
    journal.intent(attempt_id, confirmed_by="alice", review_values={})
    journal.unknown(attempt_id, "timeout")
    clock.advance(days=1)
    a = journal.settle(attempt_id, FID, settled_by="bob")
    assert (a.state, a.feedback_id, a.submitted_at) == (
        State.SUBMITTED,
        FID,
        "2026-10-01T14:03:00Z",
    )
    assert (a.settled_by, a.settled_at, a.reason) == (
        "bob",
        "2026-10-02T14:03:00Z",
        "settled as submitted by bob",
    )
    assert [e[1] for e in journal.events(attempt_id)] == [
        "filled",
        "intent",
        "unknown",
        "submitted",
    ]


def test_settle_a_crash_left_intent_as_not_submitted(journal: Journal) -> None:
    attempt_id = journal.begin(new_attempt())
    journal.intent(attempt_id, confirmed_by="alice", review_values={})
    a = journal.settle(attempt_id, None, settled_by="bob")
    assert (a.state, a.reason, a.feedback_id) == (
        State.FAILED,
        "settled as not submitted by bob",
        None,
    )


def test_settle_refuses_settled_attempts_bad_ids_and_missing_attempts(journal: Journal) -> None:
    done = submit(journal, "+16195550100")
    with pytest.raises(UsageError) as caught:
        journal.settle(done, None)
    assert str(caught.value) == (
        "attempt 1 is submitted, not unknown: only an unknown outcome can be settled"
    )
    filled = journal.begin(new_attempt())
    with pytest.raises(UsageError) as caught:
        journal.settle(filled, FID)
    assert str(caught.value) == (
        "attempt 2 is filled: it never reached the submit click, so it cannot have a "
        "Feedback ID; settle it with 'assistant settle 2 --not-submitted'"
    )
    with pytest.raises(UsageError) as caught:
        journal.settle(filled, "FCRFE123")
    assert str(caught.value) == (
        "'FCRFE123' is not a Feedback ID: expected FCRFE (or the sister forms' TRFFE, VSFFE) "
        "followed by 17 digits, "
        "e.g. FCRFE07252024233445395"
    )
    with pytest.raises(UsageError) as caught:
        journal.settle(99, None)
    assert str(caught.value) == f"there is no attempt 99 in the journal at {journal.path}"


def test_settle_names_the_os_user_by_default(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "carol")
    attempt_id = journal.begin(new_attempt())
    journal.intent(attempt_id, confirmed_by="alice", review_values={})
    assert journal.settle(attempt_id, None).settled_by == "carol"


def test_history_filters_by_number_and_profile_newest_first(journal: Journal) -> None:
    first = submit(journal, "+16195550100", "+16195550101", label="Acme Dental")
    second = journal.begin(new_attempt("+16195550101", label="Bolt Plumbing"))
    third = journal.begin(new_attempt("+16195550199", label="Acme Dental"))
    assert [a.id for a in journal.history()] == [third, second, first]
    assert [a.id for a in journal.history(number="+16195550101")] == [second, first]
    assert [a.id for a in journal.history(profile="Acme Dental")] == [third, first]
    assert [a.id for a in journal.history(profile="/profiles/bolt-plumbing.yaml")] == [second]
    assert [a.id for a in journal.history(number="+16195550101", profile="Acme Dental")] == [first]
    assert journal.history(number="+10000000000") == []


def test_unsettled_lists_intent_and_unknown_only(journal: Journal) -> None:
    submit(journal, "+16195550100")
    crashed = journal.begin(new_attempt("+16195550101"))
    journal.intent(crashed, confirmed_by="alice", review_values={})
    unknown = journal.begin(new_attempt("+16195550102"))
    journal.intent(unknown, confirmed_by="alice", review_values={})
    journal.unknown(unknown, "timeout")
    journal.begin(new_attempt("+16195550103"))
    assert [(a.id, a.state) for a in journal.unsettled()] == [
        (crashed, State.INTENT),
        (unknown, State.UNKNOWN),
    ]


def test_submitted_numbers_keeps_the_latest_per_number_within_the_window(
    journal: Journal, clock: FakeClock
) -> None:
    submit(journal, "+16195550100")
    clock.advance(days=10)
    later = submit(journal, "+16195550100", "+16195550101")
    submit(journal, "+16195550102", portal="trf", host="reportarobocall.com")
    since = at("2026-10-05 00:00")
    records = journal.submitted_numbers(FCR, since)
    assert [(r.number, r.attempt.id) for r in records] == [
        ("+16195550100", later),
        ("+16195550101", later),
    ]
    only = journal.submitted_numbers(FCR, at("2026-10-01 00:00"), ["+16195550101", "+1999"])
    assert [(r.number, r.attempt.id) for r in only] == [("+16195550101", later)]
    assert journal.submitted_numbers(FCR, at("2026-10-12 00:00")) == []


def test_due_lists_numbers_whose_last_registration_is_older_than_the_window(
    journal: Journal, clock: FakeClock
) -> None:
    old = submit(journal, "+16195550100", "+16195550101", label="Acme Dental")
    clock.advance(days=30)
    submit(journal, "+16195550101", fid="FCRFE10312026140300123", label="Acme Dental")
    failed = journal.begin(new_attempt("+16195550102"))
    journal.failed(failed, "x")
    due = journal.due(days=90, now=at("2027-01-15 09:00"))
    assert [(d.number, d.days_since, d.attempt_id, d.feedback_id) for d in due] == [
        ("+16195550100", 106, old, FID),
    ]
    assert (due[0].portal, due[0].profile_path, due[0].last_submitted_at) == (
        "fcr",
        "/profiles/acme-dental.yaml",
        "2026-10-01T14:03:00Z",
    )
    later = journal.due(days=90, now=at("2027-03-01 09:00"))
    assert [(d.number, d.days_since) for d in later] == [
        ("+16195550100", 151),
        ("+16195550101", 121),
    ]
    # Exactly 90 days is not yet older than the window.
    assert journal.due(days=90, now=at("2026-12-30 14:03")) == []


def test_receipt_path_is_attached_to_submitted_attempts_only(journal: Journal) -> None:
    done = submit(journal, "+16195550100")
    assert journal.attach_receipt(done, "/x/r.html").receipt_path == "/x/r.html"
    with pytest.raises(InvalidTransition):
        journal.attach_receipt(journal.begin(new_attempt()), "/x/r.html")


def test_folder_is_0700_and_db_wal_shm_are_0600(tmp_path: Path, clock: FakeClock) -> None:
    folder = tmp_path / "data"
    with Journal.open(folder, clock=clock) as j:
        submit(j, "+16195550100")
        db = folder / "journal.sqlite3"
        assert mode(folder) == 0o700
        for f in (db, folder / "journal.sqlite3-wal", folder / "journal.sqlite3-shm"):
            assert f.exists(), f
            assert mode(f) == 0o600, f


def test_files_are_private_even_under_a_permissive_umask(tmp_path: Path, clock: FakeClock) -> None:
    import os

    previous = os.umask(0)
    try:
        folder = tmp_path / "data"
        with Journal.open(folder, clock=clock) as j:
            submit(j, "+16195550100")
            names = ["journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm"]
            assert {n: mode(folder / n) for n in names} == dict.fromkeys(names, 0o600)
    finally:
        os.umask(previous)


def test_a_loosened_db_file_is_tightened_on_open(tmp_path: Path, clock: FakeClock) -> None:
    folder = tmp_path / "data"
    Journal.open(folder, clock=clock).close()
    (folder / "journal.sqlite3").chmod(0o644)
    Journal.open(folder, clock=clock).close()
    assert mode(folder / "journal.sqlite3") == 0o600


def test_a_data_folder_readable_by_others_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(UnsafeDataDir) as caught:
        Journal.open(folder)
    assert str(caught.value) == (
        f"{folder} can be read by other users (mode 0755); fix it with: chmod 700 {folder}"
    )
    assert not (folder / "journal.sqlite3").exists()


def test_wal_mode_full_sync_and_schema_version(tmp_path: Path, journal: Journal) -> None:
    conn = sqlite3.connect(journal.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()
    assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_journal_from_a_newer_assistant_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    Journal.open(folder).close()
    conn = sqlite3.connect(folder / "journal.sqlite3")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(JournalUnreadable) as caught:
        Journal.open(folder)
    assert str(caught.value) == (
        f"{folder / 'journal.sqlite3'} was written by a newer assistant "
        f"(schema {SCHEMA_VERSION + 1}, this one knows {SCHEMA_VERSION}); "
        "upgrade the assistant to read it"
    )


def test_reopening_keeps_every_record(tmp_path: Path, clock: FakeClock) -> None:
    folder = tmp_path / "data"
    with Journal.open(folder, clock=clock) as j:
        attempt_id = submit(j, "+16195550100")
        before = j.get(attempt_id)
    with Journal.open(folder, clock=clock) as j:
        assert j.get(attempt_id) == before


def test_a_file_that_is_not_a_journal_is_reported_not_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    junk = b"this is not a database" * 100
    (folder / "journal.sqlite3").write_bytes(junk)
    with pytest.raises(JournalUnreadable) as caught:
        Journal.open(folder)
    assert str(caught.value) == (
        f"{folder / 'journal.sqlite3'} is not a readable journal (file is not a database); "
        "move it aside and keep it for inspection, then run again to start a new one"
    )
    assert (folder / "journal.sqlite3").read_bytes() == junk


def test_profile_sha256_hashes_the_file_bytes(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_bytes(b"label: Acme\n")
    assert profile_sha256(profile) == (
        "a59d485823e7258b7c817257b940ba537c055ee7fee02bf39f9996b9de36d4b3"
    )
