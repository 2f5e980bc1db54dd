"""The confirmation gate at a real terminal, attacked as a person and an environment might
(issue 10 items 3 and 12): an answer typed ahead, stdout sent to a file, Ctrl-C while the
browser starts. The real `assistant fill` at a pseudo-terminal (a `Person`) against the replica."""

from __future__ import annotations

from pathlib import Path

import pytest
from person import Person
from replicas import Replicas

from assistant.errors import ExitCode

pytestmark = pytest.mark.browser

EMAIL = "it@lakeside.example.org"
SIZE = (60, 160)


def test_a_submit_typed_ahead_at_the_code_prompt_is_not_an_answer(
    tmp_path: Path, replica: Replicas
) -> None:
    portal = replica()
    with Person.practice("fill", portal, tmp_path / "data", size=SIZE) as person:
        person.expect(r"Type the 5-digit code: ")
        # The person types the code and, already, the confirmation: before any review.
        person.type(portal.latest_code(EMAIL), "submit")
        person.expect("please review")
        person.expect(r"\(What was typed before this review was shown has been ignored\.\)")
        person.expect(r'Type "submit" to send Lakeside USD closure alerts, submission 1 of 1')
        # The prompt waits for an answer given now, after the review.
        person.keeps_waiting(2)
        assert portal.submit_attempts() == 0
        person.type("no")
        assert person.wait() == ExitCode.NOT_CONFIRMED
    assert portal.submit_attempts() == 0
    assert portal.submissions() == []


def test_with_stdout_in_a_file_the_review_shows_on_the_terminal_that_answers(
    tmp_path: Path, replica: Replicas
) -> None:
    out = tmp_path / "out.txt"
    portal = replica()
    fill = ("fill", "profiles/lakeside-closures.yaml", "--url", portal.url, "--headless")
    with Person(*fill, data=tmp_path / "data", size=SIZE, stdout=out) as person:
        person.expect(r"Type the 5-digit code: ")
        person.type(portal.latest_code(EMAIL))
        # The review is on the person's terminal, not only in the file.
        person.expect("Submission 1 of 1 \\(4 numbers\\) — please review")
        person.expect("California")
        person.answer(r'Type "submit" to send', "submit")
        assert person.wait() == ExitCode.OK
    [record] = portal.submissions()
    record_text = out.read_text(encoding="utf-8")
    assert "please review" in record_text  # the file keeps the run's record too
    assert f"Feedback ID: {record['feedback_id']}" in record_text


def test_ctrl_c_while_the_browser_starts_stops_the_run_before_anything_is_loaded(
    tmp_path: Path, replica: Replicas
) -> None:
    portal = replica()
    with Person.practice("fill", portal, tmp_path / "data", size=SIZE) as person:
        person.expect("Screenshots and records of this run: ")
        person.ctrl_c()  # the browser is starting now
        status = person.wait()
    shown = person.before
    assert status == ExitCode.NOT_CONFIRMED, shown
    assert "Stopped by Ctrl-C: nothing was clicked after it." in shown
    assert "Type the 5-digit code" not in shown
    assert portal.outbox() == []
    assert [p for _, p in portal.requests() if p.startswith("/fcr/")] == []
