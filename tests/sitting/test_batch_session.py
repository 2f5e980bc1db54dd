"""The batch core in process (one browser for the test session): `--resubmit` said at the
review, Ctrl-C between the confirmation and the click, a failing portal that does not stop the
batch, and the exit-code precedence."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from batchrun import EMAIL, numbers_of, profile_text, write_profiles
from ptyperson import PtyPerson
from replicas import Replicas

from assistant.browser.step_state import Timeouts
from assistant.errors import ExitCode
from assistant.portals import load_portal, seen
from assistant.portals.model import host_of
from assistant.profiles import load_profiles
from assistant.records.journal import Journal, NewAttempt, State
from assistant.records.recorder import Reviewed, SubmissionRecord
from assistant.replica import Replica
from assistant.sitting.batch import Batch
from assistant.sitting.code_sources import OutboxCodeSource
from assistant.sitting.jobs import BatchOptions, BatchReport, Result, plan_jobs
from assistant.sitting.session import FillOptions

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
    write: bool = True,
) -> Batch:
    folder = tmp_path / "profiles"
    loaded, problems = load_profiles(write_profiles(folder, count=count) if write else [folder])
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


def test_resubmit_is_said_at_the_review(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    person = PtyPerson("no")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
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


def test_ctrl_c_after_the_confirmation_means_no_click(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    person = PtyPerson("submit", "submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 2)
        record_intent = run.recorder.intent

        def intent_then_ctrl_c(record: SubmissionRecord, reviewed: Reviewed) -> None:
            record_intent(record, reviewed)
            run.switch.requested = True  # Ctrl-C lands between the durable intent and the click

        run.recorder.intent = intent_then_ctrl_c  # type: ignore[method-assign]
        report = run.run(lambda: contextlib.nullcontext(browser))
        assert portal.submit_attempts() == 0
        # The codes come from the outbox, so submission 2 was prepared during 1's review; it
        # is closed unclicked too.
        second, first = journal.history()
        assert (first.state, first.reason) == (
            State.FAILED,
            "stopped by Ctrl-C before the click; nothing was sent",
        )
        assert (second.state, second.reason) == (
            State.FAILED,
            "Stopped by Ctrl-C; nothing was submitted.",
        )
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
        ("stopped", "Stopped by Ctrl-C; nothing was submitted."),
    ]
    assert report.exit_code == ExitCode.NOT_CONFIRMED


def test_a_failing_portal_is_recorded_and_the_batch_goes_on(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    person = PtyPerson("submit", "submit")
    portal = replica(faults=("submit-500",))
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 2)
        report = run.run(lambda: contextlib.nullcontext(browser))
        assert portal.submit_attempts() == 2
        assert [a.state for a in journal.history()] == [State.FAILED, State.FAILED]
    person.close()
    assert [r.state for r in report.results] == ["failed", "failed"]
    assert report.exit_code == ExitCode.PORTAL


def test_a_misspelt_value_stops_its_profile_after_one_code_and_the_others_go_on(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    folder = tmp_path / "profiles"
    paths = write_profiles(folder, count=2)
    many = [f"(619) 555-{n:04d}" for n in range(1000, 1041)]  # 41 numbers: 3 submissions
    paths[0].write_text(
        profile_text(1, many).replace("category: Healthcare", "category: Helth Care"),
        encoding="utf-8",
    )
    person = PtyPerson("no")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 2, write=False)
        report = run.run(lambda: contextlib.nullcontext(browser))
        codes_sent = len(portal.outbox())
        host = host_of(portal.url)
    screen = person.screen(expect="Not submitted")
    person.close()
    assert codes_sent == 2  # one for Harbor 1's first submission, one for Harbor 2
    assert [(r.label, r.part, r.state) for r in report.results] == [
        ("Harbor 1", 1, "failed"),
        ("Harbor 1", 2, "not started"),
        ("Harbor 1", 3, "not started"),
        ("Harbor 2", 1, "declined"),
    ]
    assert report.results[0].reason.startswith(
        'business step: field "category" (#enterprise_category): no option matches '
        '"Helth Care"; did you mean Healthcare? Options found: Attorney / Law, '
    )
    assert {r.reason for r in report.results[1:3]} == {
        "submission 1 of this profile failed on one of its values"
    }
    # The reason once, then the rest of the batch.
    assert screen.count("did you mean Healthcare?") == 1
    said = (
        "Not started: submissions 2 and 3 of 3 of Harbor 1; they would fail the same way, "
        "after an emailed code each. Correct the profile, then run it again.\n"
        "[4/4] Harbor 2 (submission 1 of 1)\n"
    )
    assert said in screen
    assert "[2/4]" not in screen
    assert "[3/4]" not in screen
    # What the page showed is remembered: the next run refuses before anything opens.
    assert (
        "Healthcare"
        in dict(seen.recall(tmp_path / "data", "fcr", host)["category"].options).values()
    )


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a baseline or progressive JPEG, from its frame header."""
    at = 2
    while at < len(data):
        marker, length = data[at + 1], int.from_bytes(data[at + 2 : at + 4], "big")
        if marker in (0xC0, 0xC2):
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            return int.from_bytes(data[at + 7 : at + 9], "big"), height
        at += 2 + length
    raise AssertionError("not a JPEG with a frame header")


def test_a_batch_of_two_keeps_every_file_of_both_named_by_profile_and_in_history(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    from assistant.cli.history import render_history

    folder = tmp_path / "profiles"
    paths = write_profiles(folder, count=2)
    twenty = [f"(619) 555-{n:04d}" for n in range(1000, 1020)]
    paths[0].write_text(profile_text(1, twenty), encoding="utf-8")
    person = PtyPerson("no", "submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 2, write=False)
        report = run.run(lambda: contextlib.nullcontext(browser))
        attempts = journal.history()
    person.close()
    assert [r.state for r in report.results] == ["declined", "submitted"]
    assert report.run_dir is not None
    steps = ("01-email.jpg", "03-business.jpg", "04-numbers.jpg", "review.png")
    assert sorted(p.name for p in report.run_dir.iterdir()) == sorted(
        [
            *(f"harbor-1-s1-{name}" for name in steps),
            *(f"harbor-2-s1-{name}" for name in steps),
            "harbor-2-s1-result.png",
            "run.log",
        ]
    )
    # The numbers step whole, all twenty rows, at 3/4 scale: the window (1280 x 720) would
    # give 960 x 540, and showed only the rows it held.
    width, height = _jpeg_size((report.run_dir / "harbor-1-s1-04-numbers.jpg").read_bytes())
    assert (width, height > 1200) == (960, True), height
    declined, submitted = sorted(attempts, key=lambda a: a.id)
    assert Path(submitted.receipt_path or "").is_file()
    assert submitted.screenshots == (str(report.run_dir / "harbor-2-s1-review.png"),)
    shown = render_history(attempts, 60, tmp_path / "data")
    for attempt in (declined, submitted):
        shot = report.run_dir / f"harbor-{attempt.profile_label[-1]}-s1-review.png"
        assert f"\n  screenshot:\n    {shot}\n" in shown  # whole, on a line of its own
    assert f"    {submitted.receipt_path}\n" in shown


def _misspelt(tmp_path: Path, seen_at: datetime, host: str) -> None:
    """Harbor 1 of the profiles says "Helth Care"; the portal at `host` showed its categories
    on `seen_at`."""
    folder = tmp_path / "profiles"
    paths = write_profiles(folder, count=2)
    paths[0].write_text(
        profile_text(1, numbers_of(1)).replace("category: Healthcare", "category: Helth Care"),
        encoding="utf-8",
    )
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    categories = (("7", "Healthcare"), ("9", "Education"))
    seen.remember(data, "fcr", host, {"category": categories}, now=seen_at)


def test_a_value_not_among_the_options_seen_lately_is_refused_before_anything_opens(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    person = PtyPerson("no")
    portal = replica()
    _misspelt(tmp_path, datetime.now(UTC) - timedelta(days=2), host_of(portal.url))
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 2, write=False)
        report = run.run(lambda: contextlib.nullcontext(browser))
    codes = [m["to"] for m in portal.outbox()]
    screen = person.screen(expect="Not submitted")
    person.close()
    assert codes == [EMAIL]  # Harbor 2's only
    assert [(r.label, r.state) for r in report.results] == [
        ("Harbor 1", "failed"),
        ("Harbor 2", "declined"),
    ]
    place = f"{tmp_path / 'profiles' / 'harbor-1.yaml'}:15:13"
    refusal = (
        f'{place}: calling.category: "Helth Care" is not among the 2 categories fcr at '
        f"{host_of(portal.url)} showed on {(datetime.now(UTC) - timedelta(days=2)):%Y-%m-%d}; "
        "did you mean Healthcare? Nothing was sent for this profile: correct it, or run "
        "`assistant check` if the portal has changed since."
    )
    assert report.results[0].reason == refusal
    assert screen.startswith(
        f"[1/2] Harbor 1 (1 of 1): not started, {refusal}\n"
        f"Screenshots and records of this run: {report.run_dir}\n"
        "[2/2] Harbor 2 (submission 1 of 1)\n"
    )


def test_a_value_not_among_an_old_list_is_only_warned_about(tmp_path: Path) -> None:
    host = "127.0.0.1:9"
    _misspelt(tmp_path, datetime.now(UTC) - timedelta(days=seen.OLD_DAYS + 1), host)
    loaded, _ = load_profiles([tmp_path / "profiles"])
    portal_map = load_portal("fcr")
    options = BatchOptions(
        fill=FillOptions(portal=portal_map, url=f"http://{host}/fcr/", data_dir=tmp_path / "data")
    )
    person = PtyPerson()
    with Journal.open(tmp_path / "data") as journal:
        run = Batch(plan_jobs(loaded, portal_map, None), options, journal, person.terminal)
        assert [run._refusal(job) for job in run.jobs] == ["", ""]
    screen = person.screen()
    person.close()
    assert screen.startswith(
        f'{tmp_path / "profiles" / "harbor-1.yaml"}:15:13: warning: calling.category: "Helth '
        f'Care" is not among the 2 categories fcr at {host} showed on '
    )
    assert f"({seen.OLD_DAYS + 1} days ago; `assistant check` reads" in screen


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


@pytest.mark.parametrize("real", [True, False])
def test_the_summary_of_a_practice_run_says_practice_and_the_host_first(real: bool) -> None:
    import io

    from assistant.cli.batch import render_summary
    from assistant.records.journal.models import Destination
    from assistant.sitting.terminal import Terminal

    report = _report("submitted")
    host = "www.freecallerregistry.com" if real else "127.0.0.1:8765"
    report.destination = Destination("fcr", host, real=real)
    shown = io.StringIO()
    render_summary(report, Terminal(io.StringIO(), shown))
    first = shown.getvalue().splitlines()[:2]
    if real:
        assert first[0] == "Summary"
        assert "PRACTICE" not in shown.getvalue()
    else:
        assert first == [
            "PRACTICE at 127.0.0.1:8765, not the real portal: nothing here is registered.",
            "Summary",
        ]


def test_a_feedback_id_the_journal_cannot_record_is_printed_first_and_the_batch_stops(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    """Issue 10 item 5: the disk fills after the review; the portal accepts the submission."""
    import sqlite3

    person = PtyPerson("submit", "submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, 2)

        def disk_full(record: SubmissionRecord, feedback_id: str, sent: str = "") -> str | None:
            raise sqlite3.OperationalError("database or disk is full")

        run.recorder.submitted = disk_full  # type: ignore[method-assign]
        report = run.run(lambda: contextlib.nullcontext(browser))
        [record] = portal.submissions()
        fid = record["feedback_id"]
        # Submission 2 was prepared during 1's review (the codes come from the outbox); it is
        # closed unclicked.
        ahead, attempt = journal.history()
        assert attempt.state is State.INTENT  # shown as unknown at every start until settled
        assert (ahead.state, ahead.reason) == (
            State.FAILED,
            "Not started: the journal could not be written; nothing was submitted.",
        )
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
        ("not started", "the journal could not be written"),
    ]
    assert portal.submit_attempts() == 1
    assert report.exit_code == ExitCode.OUTCOME_UNKNOWN
