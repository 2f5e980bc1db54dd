"""The real commands, as a person runs them: `assistant fill` at a pseudo-terminal (a `Person`),
`assistant fill` and `assistant demo` without a terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from clirun import ROOT, run_assistant
from person import Person
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.records.journal import Journal, State

pytestmark = pytest.mark.browser

EMAIL = "it@lakeside.example.org"


def test_fill_at_a_terminal_asks_for_the_code_and_submit_then_prints_the_feedback_id(
    tmp_path: Path, replica: Replicas
) -> None:
    portal = replica()
    with Person.practice("fill", portal, tmp_path / "data", size=(50, 140)) as person:
        run_dir = Path(person.expect(r"Screenshots and records of this run: (\S+)").group(1))
        person.expect(r"emailed to i\*\*\*@lakeside\.example\.org \(from no-reply@tnsi\.com\)")
        person.answer(r"Type the 5-digit code: ", "123")  # a person's typo first
        person.expect("The code has exactly 5 digits; try again.")
        person.type(portal.latest_code(EMAIL))
        person.expect("The portal accepted the code.")
        person.expect(r"Submission 1 of 1 \(4 numbers\) — please review")
        person.expect("California")
        person.expect(r"10,001 - 100,000")
        screenshot = person.expect(r"Screenshot of the filled form: (\S+)").group(1)
        assert Path(screenshot).parent == run_dir
        person.expect(
            r'Type "submit" to send Lakeside USD closure alerts, submission 1 of 1 '
            r"\(4 numbers\), anything else"
        )
        assert portal.submit_attempts() == 0
        person.type("submit")
        printed = person.expect(r"Submitted 1 of 1\. Feedback ID: (FCRFE\d{17})").group(1)
        assert person.wait() == ExitCode.OK
    [record] = portal.submissions()
    assert record["feedback_id"] == printed
    assert record["fields"]["enterprise_company_address_state"] == "California"
    assert record["fields"]["enterprise_phone_3"] == "6195550103"
    assert (run_dir / "lakeside-usd-closure-alerts-s1-review.png").stat().st_mode & 0o777 == 0o600
    assert run_dir.stat().st_mode & 0o777 == 0o700
    with Journal.open(tmp_path / "data") as journal:
        [attempt] = journal.history()
    assert (attempt.state, attempt.feedback_id) == (State.SUBMITTED, printed)
    assert attempt.profile_path == str((ROOT / "profiles/lakeside-closures.yaml").resolve())
    assert attempt.screenshots == (str(run_dir / "lakeside-usd-closure-alerts-s1-review.png"),)
    assert Path(attempt.receipt_path or "").name == f"{printed}.html"


def test_fill_without_a_terminal_opens_nothing_and_exits_3(replica: Replicas) -> None:
    portal = replica()
    result = run_assistant("fill", "profiles/lakeside-closures.yaml", "--url", portal.url, cwd=ROOT)
    assert portal.requests() == []
    assert result.returncode == ExitCode.NOT_CONFIRMED
    assert result.stderr == (
        "Error: Input is not a terminal, so nobody could review and confirm; nothing was "
        "opened or submitted. Run `assistant fill` in a terminal.\n"
    )


def test_fill_with_an_invalid_profile_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("label: x\ncompany: {name: y}\n", encoding="utf-8")
    result = run_assistant("fill", str(bad))
    assert result.returncode == ExitCode.INVALID
    assert result.stderr.startswith(f"Error: {bad}:")


def test_demo_without_a_terminal_shows_the_review_and_exits_0() -> None:
    result = run_assistant("demo", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    folder = re.search(r"Demo data \(replica portal, screenshots, records\) goes to (\S+)", out)
    assert folder is not None
    assert Path(folder.group(1)).stat().st_mode & 0o777 == 0o700
    # The demo is a practice run: its heading says so (wrapped at the terminal's width).
    words = " ".join(out.split())
    assert re.search(
        r"PRACTICE at 127\.0\.0\.1:\d+, not the real portal: Submission 1 of 1 \(4 numbers\) — "
        "please review",
        words,
    )
    assert re.search(r"│ business │ state\s+│ CA\s+│ California\s+│ ✓ │", out)
    assert "Demo finished at the review: nothing was submitted." in out
    assert "The replica recorded" not in out
