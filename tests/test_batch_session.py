"""The batch core in process (one browser for the test session): `--resubmit` said at the
review, Ctrl-C between the confirmation and the click, a failing portal that does not stop the
batch, and the exit-code precedence."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from ptyperson import PtyPerson
from test_batch_support import write_profiles

from assistant.batch import Batch, BatchOptions, BatchReport, Result, plan_jobs
from assistant.errors import ExitCode
from assistant.fill import Timeouts
from assistant.gates import OutboxCodeSource
from assistant.journal import Journal, NewAttempt, State
from assistant.portals import load_portal
from assistant.portals.model import host_of
from assistant.profiles import load_profiles
from assistant.recorder import Reviewed, SubmissionRecord
from assistant.replica import Replica
from assistant.session import FillOptions

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FAST = Timeouts(step_ms=10_000, action_ms=8_000)


def _batch(
    tmp_path: Path,
    portal: Replica,
    journal: Journal,
    person: PtyPerson,
    count: int,
    *,
    resubmit: bool = False,
) -> Batch:
    loaded, problems = load_profiles(write_profiles(tmp_path / "profiles", count=count))
    assert problems == []
    portal_map = load_portal("fcr")
    options = BatchOptions(
        fill=FillOptions(
            portal=portal_map, url=portal.url, data_dir=tmp_path / "data", timeouts=FAST
        ),
        resubmit=resubmit,
    )
    jobs = plan_jobs(loaded, portal_map, portal.url)
    return Batch(jobs, options, journal, person.terminal, OutboxCodeSource(portal))


def _submitted_before(journal: Journal, numbers: tuple[str, ...], portal: Replica) -> int:
    """These numbers, submitted earlier to this replica (a practice run: it is not the map's
    host, so only runs against the same replica see it)."""
    attempt = journal.begin(
        NewAttempt(
            run_id="earlier",
            portal="fcr",
            registry="fcr",
            host=host_of(portal.url),
            real_portal=False,
            profile_path="/elsewhere/harbor-1.yaml",
            profile_sha256="00" * 32,
            profile_label="Harbor 1",
            numbers=numbers,
        )
    )
    journal.intent(attempt, confirmed_by="tester", review_values=[])
    journal.submitted(attempt, "FCRFE00000000000000001")
    return attempt


def test_resubmit_is_said_at_the_review(browser: Browser, tmp_path: Path) -> None:
    person = PtyPerson("no")
    with (
        Replica(layout="wizard", data_dir=tmp_path / "replica") as portal,
        Journal.open(tmp_path / "data") as journal,
    ):
        _submitted_before(journal, ("+16195550100",), portal)
        run = _batch(tmp_path, portal, journal, person, 1, resubmit=True)
        report = run.run(lambda: contextlib.nullcontext(browser))
        assert portal.submit_attempts() == 0
    screen = person.screen(expect="Not submitted")
    person.close()
    review = screen.index("please review")
    line = screen.index("RESUBMITTING: +16195550100 was submitted to fcr on ")
    assert review < line < screen.index('Type "submit"')
    assert "(attempt 1, Feedback ID FCRFE00000000000000001)" in screen[line:]
    assert [r.state for r in report.results] == ["declined"]
    assert report.exit_code == ExitCode.NOT_CONFIRMED


def test_ctrl_c_after_the_confirmation_means_no_click(browser: Browser, tmp_path: Path) -> None:
    person = PtyPerson("submit", "submit")
    with (
        Replica(layout="wizard", data_dir=tmp_path / "replica") as portal,
        Journal.open(tmp_path / "data") as journal,
    ):
        run = _batch(tmp_path, portal, journal, person, 2)
        record_intent = run.recorder.intent

        def intent_then_ctrl_c(record: SubmissionRecord, reviewed: Reviewed) -> None:
            record_intent(record, reviewed)
            run.switch.requested = True  # Ctrl-C lands between the durable intent and the click

        run.recorder.intent = intent_then_ctrl_c  # type: ignore[method-assign]
        report = run.run(lambda: contextlib.nullcontext(browser))
        assert portal.submit_attempts() == 0
        [attempt] = journal.history()
        assert attempt.state is State.FAILED
        assert attempt.reason == "stopped by Ctrl-C before the click; nothing was sent"
    screen = person.screen()
    person.close()
    # The `^C` a terminal echoes while the browser works ends its line before the next words
    # (here the line after the typed `submit`, where a real terminal shows the `^C`).
    assert (
        "anything else to stop: submit\n\n"
        "Not submitted: Stopped by Ctrl-C before the click; nothing was submitted.\n"
    ) in screen
    assert report.interrupted
    assert [(r.state, r.reason) for r in report.results] == [
        ("stopped", "Stopped by Ctrl-C before the click; nothing was submitted."),
        ("skipped", "not started: stopped by Ctrl-C"),
    ]
    assert report.exit_code == ExitCode.NOT_CONFIRMED


def test_a_failing_portal_is_recorded_and_the_batch_goes_on(
    browser: Browser, tmp_path: Path
) -> None:
    person = PtyPerson("submit", "submit")
    with (
        Replica(layout="wizard", faults=("submit-500",), data_dir=tmp_path / "replica") as portal,
        Journal.open(tmp_path / "data") as journal,
    ):
        run = _batch(tmp_path, portal, journal, person, 2)
        report = run.run(lambda: contextlib.nullcontext(browser))
        assert portal.submit_attempts() == 2
        assert [a.state for a in journal.history()] == [State.FAILED, State.FAILED]
    person.close()
    assert [r.state for r in report.results] == ["failed", "failed"]
    assert report.exit_code == ExitCode.PORTAL


def _report(*states: str, blocked: bool = False) -> BatchReport:
    results = [
        Result("x", 1, 1, ("+16195550100",), state, blocked_by_unknown=blocked)  # type: ignore[arg-type]
        for state in states
    ]
    return BatchReport(results=results)


@pytest.mark.parametrize(
    ("states", "blocked", "interrupted", "code"),
    [
        (("submitted", "skipped"), False, False, ExitCode.OK),
        (("submitted", "declined"), False, False, ExitCode.NOT_CONFIRMED),
        (("submitted", "stopped"), False, False, ExitCode.NOT_CONFIRMED),
        (("submitted",), False, True, ExitCode.NOT_CONFIRMED),
        (("declined", "failed"), False, False, ExitCode.PORTAL),
        (("stopped", "failed"), False, False, ExitCode.PORTAL),
        (("failed", "unknown", "declined"), False, False, ExitCode.OUTCOME_UNKNOWN),
        (("skipped",), True, False, ExitCode.OUTCOME_UNKNOWN),
    ],
)
def test_exit_code_precedence_unknown_then_failed_then_declined(
    states: tuple[str, ...], blocked: bool, interrupted: bool, code: ExitCode
) -> None:
    report = _report(*states, blocked=blocked)
    report.interrupted = interrupted
    assert report.exit_code == code


def test_a_feedback_id_the_journal_cannot_record_is_printed_first_and_the_batch_stops(
    browser: Browser, tmp_path: Path
) -> None:
    """Issue 10 item 5: the disk fills after the review; the portal accepts the submission."""
    import sqlite3

    person = PtyPerson("submit", "submit")
    with (
        Replica(layout="wizard", data_dir=tmp_path / "replica") as portal,
        Journal.open(tmp_path / "data") as journal,
    ):
        run = _batch(tmp_path, portal, journal, person, 2)

        def disk_full(record: SubmissionRecord, feedback_id: str) -> str | None:
            raise sqlite3.OperationalError("database or disk is full")

        run.recorder.submitted = disk_full  # type: ignore[method-assign]
        report = run.run(lambda: contextlib.nullcontext(browser))
        [record] = portal.submissions()
        fid = record["feedback_id"]
        [attempt] = journal.history()
        assert attempt.state is State.INTENT  # shown as unknown at every start until settled
    screen = person.screen(expect="not started")
    person.close()
    told = (
        f"The portal accepted submission 1 of 1 as {fid}, but the journal could not record it "
        "(database or disk is full). Keep this Feedback ID: once the journal can be written "
        f"again, run 'assistant settle {attempt.id} --submitted {fid}'. Until then its numbers "
        "count as sent with an unknown outcome."
    )
    assert f"Submitted 1 of 1. Feedback ID: {fid}\n{told}\n" in screen
    assert "Traceback" not in screen
    assert [(r.state, r.reason) for r in report.results] == [
        ("unknown", told),
        ("skipped", "not started: the journal could not be written"),
    ]
    assert portal.submit_attempts() == 1
    assert report.exit_code == ExitCode.OUTCOME_UNKNOWN
