"""The confirmation gate at a real terminal, attacked as a person and an environment might
(issue 10 items 3 and 12): an answer typed ahead, stdout sent to a file, Ctrl-C while the
browser starts. The real `assistant fill` in a pseudo-terminal (pexpect) against the replica."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pexpect
import pytest

from assistant.errors import ExitCode
from assistant.replica import Replica

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ASSISTANT = str(Path(sys.executable).parent / "assistant")
EMAIL = "it@lakeside.example.org"
PROFILE = "profiles/lakeside-closures.yaml"


def _fill(portal: Replica, data: Path) -> list[str]:
    return [PROFILE, "--url", portal.url, "--headless", "--data-dir", str(data)]


def test_a_submit_typed_ahead_at_the_code_prompt_is_not_an_answer(tmp_path: Path) -> None:
    with Replica(layout="wizard", data_dir=tmp_path / "replica") as portal:
        child = pexpect.spawn(
            ASSISTANT,
            ["fill", *_fill(portal, tmp_path / "data")],
            cwd=str(ROOT),
            encoding="utf-8",
            timeout=60,
            dimensions=(60, 160),
        )
        try:
            child.expect(r"Type the 5-digit code: ")
            # The person types the code and, already, the confirmation: before any review.
            child.send(f"{portal.latest_code(EMAIL)}\nsubmit\n")
            child.expect("please review")
            child.expect(r"\(What was typed before this review was shown has been ignored\.\)")
            child.expect(r'Type "submit" to send Lakeside USD closure alerts, submission 1 of 1')
            # The prompt waits for an answer given now, after the review.
            child.expect(pexpect.TIMEOUT, timeout=2)
            assert portal.submit_attempts() == 0
            child.sendline("no")
            child.expect(pexpect.EOF)
        finally:
            child.close()
        assert child.exitstatus == ExitCode.NOT_CONFIRMED
        assert portal.submit_attempts() == 0
        assert portal.submissions() == []


def test_with_stdout_in_a_file_the_review_shows_on_the_terminal_that_answers(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.txt"
    with Replica(layout="wizard", data_dir=tmp_path / "replica") as portal:
        command = shlex.join([ASSISTANT, "fill", *_fill(portal, tmp_path / "data")])
        child = pexpect.spawn(
            "bash",
            ["-c", f"exec {command} > {shlex.quote(str(out))}"],
            cwd=str(ROOT),
            encoding="utf-8",
            timeout=60,
            dimensions=(60, 160),
        )
        try:
            child.expect(r"Type the 5-digit code: ")
            child.sendline(portal.latest_code(EMAIL))
            # The review is on the person's terminal, not only in the file.
            child.expect("Submission 1 of 1 \\(4 numbers\\) — please review")
            child.expect("California")
            child.expect(r'Type "submit" to send')
            child.sendline("submit")
            child.expect(pexpect.EOF)
        finally:
            child.close()
        assert child.exitstatus == ExitCode.OK
        [record] = portal.submissions()
    record_text = out.read_text(encoding="utf-8")
    assert "please review" in record_text  # the file keeps the run's record too
    assert f"Feedback ID: {record['feedback_id']}" in record_text


def test_ctrl_c_while_the_browser_starts_stops_the_run_before_anything_is_loaded(
    tmp_path: Path,
) -> None:
    with Replica(layout="wizard", data_dir=tmp_path / "replica") as portal:
        child = pexpect.spawn(
            ASSISTANT,
            ["fill", *_fill(portal, tmp_path / "data")],
            cwd=str(ROOT),
            encoding="utf-8",
            timeout=60,
            dimensions=(60, 160),
        )
        try:
            child.expect("Screenshots and records of this run: ")
            child.sendintr()  # the browser is starting now
            child.expect(pexpect.EOF)
        finally:
            child.close()
        shown = str(child.before)
        assert child.exitstatus == ExitCode.NOT_CONFIRMED, shown
        assert "Stopped by Ctrl-C: nothing was clicked after it." in shown
        assert "Type the 5-digit code" not in shown
        assert portal.outbox() == []
        assert [p for _, p in portal.requests() if p.startswith("/fcr/")] == []
