"""The real `assistant fill` killed (SIGKILL) at each step between filling and the recorded
outcome, then run again: nothing is ever submitted twice, and an unknown outcome is shown and
blocks its numbers until a human settles it.

The crash comes from the test-only hook `ASSISTANT_TEST_CRASH_AT` (`assistant.testhooks`); the
replica runs in this test process, so it outlives the killed command.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from batchrun import Driven, drive, write_profiles
from clirun import run_assistant
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.records.journal import Journal, State
from assistant.replica import Replica
from assistant.testhooks import TEST_CRASH_VARIABLE

pytestmark = pytest.mark.browser

# `history` piped into a test: one wide line per attempt, nothing folded.
WIDE = {k: v for k, v in os.environ.items() if k != "COLUMNS"}


def _fill(profile: Path, portal: Replica, data: Path, crash: str = "") -> Driven:
    args = ["fill", str(profile), "--url", portal.url, "--headless", "--data-dir", str(data)]
    return drive(args, portal, env={TEST_CRASH_VARIABLE: crash} if crash else {})


def _settle(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_assistant("settle", *args, "--data-dir", str(data))


def _states(data: Path) -> list[State]:
    with Journal.open(data) as journal:
        return [a.state for a in journal.history()]


@pytest.mark.parametrize(
    ("point", "left"),
    [
        ("filling", [State.STARTED]),
        ("review", [State.FILLED]),
        ("confirmed", [State.FILLED]),
        ("journal-write-intent", [State.FILLED]),
    ],
)
def test_killed_before_the_click_nothing_is_sent_and_the_numbers_stay_free(
    tmp_path: Path, replica: Replicas, point: str, left: list[State]
) -> None:
    [profile] = write_profiles(tmp_path / "profiles", count=1)
    data = tmp_path / "data"
    portal = replica()
    crashed = _fill(profile, portal, data, crash=point)
    assert crashed.signalstatus == signal.SIGKILL, crashed.output
    assert portal.submit_attempts() == 0
    assert _states(data) == left  # a half-written intent was rolled back
    if point == "journal-write-intent":
        # The rerun is not blocked: the numbers were never sent. It holds the profile, so
        # the row the killed run left open can never be clicked: it is closed, and said so.
        rerun = _fill(profile, portal, data)
        assert rerun.exitstatus == ExitCode.OK, rerun.output
        assert "unknown outcome" not in rerun.output
        assert portal.submit_attempts() == 1
        assert _states(data) == [State.SUBMITTED, State.FAILED]
        assert re.search(
            r"Attempt 1 \(Harbor 1, 1 of 1\) was left at its review by a run that has ended "
            r"\(pid \d+, started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): recorded as not "
            r"submitted, nothing was clicked for it\.",
            rerun.output,
        ), rerun.output
        with Journal.open(data) as journal:
            closed = journal.get(1)
        assert re.fullmatch(
            r"not submitted: the run that started it \(pid \d+, started [^)]+\) ended before "
            r"finishing it; nothing was clicked",
            closed.reason,
        )


def test_killed_at_the_review_the_attempt_is_shown_and_settle_closes_it(
    tmp_path: Path, replica: Replicas
) -> None:
    """Issue 10, item 13: a run killed at the review left `filled`, which `settle` refused."""
    [profile] = write_profiles(tmp_path / "profiles", count=1)
    data = tmp_path / "data"
    portal = replica()
    crashed = _fill(profile, portal, data, crash="review")
    assert crashed.signalstatus == signal.SIGKILL
    assert portal.submit_attempts() == 0
    shown = run_assistant("history", "--data-dir", str(data), env=WIDE)
    assert shown.returncode == 0, shown.stderr
    [block] = [b for b in shown.stdout.split("\n\n") if b.startswith("attempt 1  filled")]
    assert block.splitlines()[-1] == (
        "  run ended, nothing clicked: assistant settle 1 --not-submitted"
    ), block
    refused = _settle(data, "1", "--submitted", "FCRFE07252024233445395")
    assert refused.returncode == ExitCode.USAGE
    assert refused.stderr == (
        "Error: attempt 1 is filled: it never reached the submit click, so it cannot have a "
        "Feedback ID; settle it with 'assistant settle 1 --not-submitted'\n"
    )
    settled = _settle(data, "1", "--not-submitted")
    assert settled.returncode == 0, settled.stderr
    assert settled.stdout == (
        "Attempt 1 settled as not submitted; its 2 numbers can be sent again.\n"
    )
    with Journal.open(data) as journal:
        attempt = journal.get(1)
        trail = [state for _, state, _ in journal.events(1)]
    assert attempt.state is State.FAILED
    assert attempt.reason.startswith("settled as not submitted by ")
    assert trail == ["started", "filled", "failed"]


def test_killed_after_the_intent_the_rerun_is_refused_until_settled_not_submitted(
    tmp_path: Path,
    replica: Replicas,
) -> None:
    [profile] = write_profiles(tmp_path / "profiles", count=1)
    data = tmp_path / "data"
    portal = replica()
    crashed = _fill(profile, portal, data, crash="after-intent")
    assert crashed.signalstatus == signal.SIGKILL
    assert crashed.confirmed == 1
    assert portal.submit_attempts() == 0
    assert _states(data) == [State.INTENT]

    refused = _fill(profile, portal, data)
    assert refused.exitstatus == ExitCode.DUPLICATE, refused.output
    assert "1 submission has an unknown outcome" in refused.output
    assert "'assistant settle 1 --not-submitted'" in refused.output
    assert "Type the 5-digit code" not in refused.output
    assert portal.submit_attempts() == 0

    settled = _settle(data, "1", "--not-submitted")
    assert settled.returncode == 0, settled.stderr
    again = _fill(profile, portal, data)
    assert again.exitstatus == ExitCode.OK, again.output
    assert "unknown outcome" not in again.output
    assert portal.submit_attempts() == 1
    assert _states(data) == [State.SUBMITTED, State.FAILED]


def test_killed_after_the_click_the_rerun_never_sends_twice(
    tmp_path: Path, replica: Replicas
) -> None:
    paths = write_profiles(tmp_path / "profiles", count=1)
    data = tmp_path / "data"
    portal = replica()
    crashed = _fill(paths[0], portal, data, crash="after-click")
    assert crashed.signalstatus == signal.SIGKILL
    [record] = portal.submissions()
    assert _states(data) == [State.INTENT]  # the click was made, the outcome never recorded

    refused = _fill(paths[0], portal, data)
    assert refused.exitstatus == ExitCode.DUPLICATE
    assert "1 submission has an unknown outcome" in refused.output
    batch_args = [
        "batch",
        str(tmp_path / "profiles"),
        "--url",
        portal.url,
        "--headless",
        "--data-dir",
        str(data),
    ]
    skipped = drive(batch_args, portal)
    assert skipped.exitstatus == ExitCode.OUTCOME_UNKNOWN, skipped.output
    assert "skipped, outcome of attempt 1 unknown (2 of its numbers): settle it first" in (
        skipped.output
    )

    settled = _settle(data, "1", "--submitted", record["feedback_id"])
    assert settled.returncode == 0, settled.stderr
    after = _fill(paths[0], portal, data)
    assert after.exitstatus == ExitCode.DUPLICATE
    assert re.search(
        r"\+16195550100 and \+16195550101 were submitted to fcr on \d{4}-\d\d-\d\d as "
        f"{record['feedback_id']}; due again on \\d{{4}}-\\d\\d-\\d\\d",
        after.output,
    )
    assert "unknown outcome" not in after.output
    skipped = drive(batch_args, portal)
    assert skipped.exitstatus == ExitCode.OK, skipped.output
    assert "skipped, already submitted on " in skipped.output
    assert portal.submit_attempts() == 1
    assert _states(data) == [State.SUBMITTED]
