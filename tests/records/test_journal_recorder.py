"""`JournalRecorder` speaks the session's `Recorder` protocol and writes the journal."""

from __future__ import annotations

from pathlib import Path

import pytest
from journalrows import FID

from assistant import log
from assistant.errors import DuplicateSubmission
from assistant.records.journal import Journal, State
from assistant.records.journal.recorder import JournalRecorder
from assistant.records.recorder import Recorder, Reviewed, SubmissionRecord

NOTHING = Reviewed((), ())


def record(tmp_path: Path, index: int = 1, run: str = "run-a") -> SubmissionRecord:
    return SubmissionRecord(
        label="Acme Dental",
        profile_path="/profiles/acme.yaml",
        profile_sha256="cd" * 32,
        portal="fcr",
        index=index,
        count=2,
        numbers=("+16195550100", "+16195550101"),
        run_dir=str(tmp_path / "runs" / run),
    )


def test_a_full_submission_through_the_protocol(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as j:
        recorder: Recorder = JournalRecorder(j)
        rec = record(tmp_path)
        recorder.check(rec)
        recorder.filled(rec)
        assert isinstance(recorder, JournalRecorder)
        recorder.intent(
            rec, Reviewed(({"field": "Company", "sent": "Acme"},), ("shots/review.png",))
        )
        assert j.get(recorder.attempt_id(rec)).state is State.INTENT
        recorder.submitted(rec, FID)
        a = j.get(recorder.attempt_id(rec))
        assert (a.state, a.feedback_id, a.part, a.parts, a.run_id) == (
            State.SUBMITTED,
            FID,
            1,
            2,
            "run-a",
        )
        assert (a.review_values, a.screenshots) == (
            [{"field": "Company", "sent": "Acme"}],
            ("shots/review.png",),
        )
        assert a.receipt_path == str(j.folder / "receipts" / f"{FID}.html")


def test_a_rerun_after_an_unknown_outcome_is_refused_even_with_resubmit(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as j:
        first = JournalRecorder(j)
        rec = record(tmp_path)
        first.check(rec)
        first.filled(rec)
        first.intent(rec, NOTHING)
        first.unknown(rec, "TimeoutError after the click")
        again = JournalRecorder(j, resubmit=True)
        with pytest.raises(DuplicateSubmission, match="have an unknown outcome"):
            again.check(record(tmp_path, run="run-b"))


def test_resubmit_lets_recent_numbers_through_and_keeps_the_findings(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as j:
        first = JournalRecorder(j)
        rec = record(tmp_path)
        first.filled(rec)
        first.intent(rec, NOTHING)
        first.submitted(rec, FID)
        with pytest.raises(DuplicateSubmission, match="; due again on "):
            JournalRecorder(j).check(record(tmp_path, run="run-b"))
        again = JournalRecorder(j, resubmit=True)
        lines = again.check(record(tmp_path, run="run-b"))
        assert lines[0].startswith("RESUBMITTING: +16195550100 was submitted to fcr on ")
        assert [f.number for f in again.findings[1]] == ["+16195550100", "+16195550101"]


def test_declined_and_failed_keep_the_sessions_reason(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data") as j:
        r = JournalRecorder(j)
        one, two = record(tmp_path, 1), record(tmp_path, 2)
        r.filled(one)
        r.declined(one, "you typed 'no'")
        r.filled(two)
        r.intent(two, NOTHING)
        r.failed(two, "the portal answered 500")
        assert [(a.state, a.reason) for a in j.history()] == [
            (State.FAILED, "the portal answered 500"),
            (State.DECLINED, "you typed 'no'"),
        ]


def test_two_profiles_submission_1_can_be_open_at_once(tmp_path: Path) -> None:
    """One submission reviewed while the next is prepared: both rows are open together, and
    every profile has a submission 1."""
    with Journal.open(tmp_path / "data") as j:
        r = JournalRecorder(j)
        acme = record(tmp_path)
        other = SubmissionRecord(
            label="Bolt Dental",
            profile_path="/profiles/bolt.yaml",
            profile_sha256="ef" * 32,
            portal="fcr",
            index=1,
            count=1,
            numbers=("+16195550200",),
            run_dir=acme.run_dir,
        )
        r.started(acme)
        r.started(other)
        r.filled(acme)
        r.intent(acme, NOTHING)
        r.submitted(acme, FID)
        r.failed(other, "stopped by Ctrl-C; nothing was submitted")
        assert r.attempt_id(acme) != r.attempt_id(other)
        assert {a.profile_label: a.state for a in j.history()} == {
            "Acme Dental": State.SUBMITTED,
            "Bolt Dental": State.FAILED,
        }


def test_reasons_are_kept_redacted(tmp_path: Path) -> None:
    """Issue 17: a reason is the text of an error, which may quote the code or the contact's
    email; the journal is a file, and what is written passes through the redactor."""
    log.register_secret("48213", "dana@lakeside.example.org")
    with Journal.open(tmp_path / "data") as j:
        r = JournalRecorder(j)
        one, two = record(tmp_path, 1), record(tmp_path, 2)
        r.filled(one)
        r.declined(one, "the page showed 48213 to dana@lakeside.example.org")
        r.filled(two)
        r.failed(two, "the portal refused the code 48213")
        assert [(a.state, a.reason) for a in j.history()] == [
            (State.FAILED, "the portal refused the code [masked]"),
            (State.DECLINED, "the page showed [masked] to [masked]"),
        ]
