"""Reliability items 16, 17, 19 and 20 (/work/shared/reliability.md): the real `assistant`
command at a pseudo-terminal (a `Person`) or without one, a missing browser, a person who does not
confirm, a process killed between the confirmation and the recorded outcome, a torn journal.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from clirun import PROFILE, ROOT, run_assistant
from person import Person
from replicas import Replicas

from assistant.browser.launch import INSTALL_HINT
from assistant.errors import ExitCode
from assistant.records.journal import Journal, NewAttempt, State
from assistant.replica import Replica
from assistant.testhooks import TEST_CRASH_VARIABLE

pytestmark = pytest.mark.browser

EMAIL = "it@lakeside.example.org"
NUMBERS = ("+16195550100", "+16195550101", "+16195550102", "+16195550103")


def finish(person: Person) -> tuple[int | None, str]:
    """Wait for the command to end: its exit status and everything it showed since last read."""
    status = person.wait()
    return status, person.before


def to_review(person: Person, portal: Replica) -> None:
    """Type the emailed code, then wait at the confirmation prompt."""
    person.expect("Type the 5-digit code: ")
    person.type(portal.latest_code(EMAIL))
    person.expect(
        r'Type "submit" to send Lakeside USD closure alerts, submission 1 of 1 \(4 numbers\), '
        "anything else to stop: "
    )


def test_item_16_no_usable_browser_is_named_with_how_to_get_one_before_any_page(
    tmp_path: Path, replica: Replicas
) -> None:
    missing = {"ASSISTANT_BROWSER": "/nonexistent"}
    what = (
        "$ASSISTANT_BROWSER is set to /nonexistent, which is not executable. "
        "Unset it or point it at Chromium or Chrome.\n"
    )
    doctor = run_assistant("doctor", env={**os.environ, **missing})
    assert doctor.returncode == ExitCode.NO_BROWSER
    assert doctor.stderr == f"Browser     none found\n\n{what}{INSTALL_HINT}\n"
    portal = replica()
    for command in ("fill", "batch"):
        status, shown = finish(Person.practice(command, portal, tmp_path / "data", env=missing))
        assert status == ExitCode.NO_BROWSER, shown
        assert shown.endswith(f"Error: {what}{INSTALL_HINT}\n")
        assert portal.requests() == []  # no profile data reached any page
        assert portal.outbox() == []


def test_item_17_no_terminal_a_typo_or_ctrl_c_submit_nothing_and_exit_3(
    tmp_path: Path, replica: Replicas
) -> None:
    portal = replica()
    no_tty = run_assistant(
        "fill", PROFILE, "--url", portal.url, "--data-dir", str(tmp_path / "d"), cwd=ROOT
    )
    assert no_tty.returncode == ExitCode.NOT_CONFIRMED
    assert no_tty.stderr == (
        "Error: Input is not a terminal, so nobody could review and confirm; nothing was "
        "opened or submitted. Run `assistant fill` in a terminal.\n"
    )
    assert portal.requests() == []

    typo = Person.practice("fill", portal, tmp_path / "data")
    to_review(typo, portal)
    typo.type("sumbit")
    status, shown = finish(typo)
    assert status == ExitCode.NOT_CONFIRMED, shown
    assert 'Not submitted: You typed "sumbit", not "submit"; nothing was submitted.' in shown

    ctrl_c = Person.practice("fill", portal, tmp_path / "data")
    to_review(ctrl_c, portal)
    ctrl_c.ctrl_c()
    status, shown = finish(ctrl_c)
    assert status == ExitCode.NOT_CONFIRMED, shown
    assert "Not submitted: Stopped with Ctrl-C at the confirmation; nothing was submitted." in (
        shown
    )
    assert "Stopped by Ctrl-C: nothing was clicked after it." in shown
    assert "Traceback" not in shown
    assert "ERROR" not in shown  # the browser's driver did not die with the Ctrl-C

    assert portal.submit_attempts() == 0
    assert portal.submissions() == []
    with Journal.open(tmp_path / "data") as journal:
        assert [(a.state, a.reason) for a in journal.history()][::-1] == [
            (State.DECLINED, 'You typed "sumbit", not "submit"; nothing was submitted.'),
            (State.DECLINED, "Stopped with Ctrl-C at the confirmation; nothing was submitted."),
        ]


@pytest.mark.parametrize(
    ("point", "clicked"),
    [("confirmed", 0), ("after-intent", 0), ("after-click", 1)],
)
def test_item_19_killed_between_confirmation_and_outcome_never_submits_twice(
    tmp_path: Path, replica: Replicas, point: str, clicked: int
) -> None:
    data = tmp_path / "data"
    portal = replica()
    child = Person.practice("fill", portal, data, env={TEST_CRASH_VARIABLE: point})
    to_review(child, portal)
    child.type("submit")
    child.wait()
    assert child.signal == 9  # SIGKILL: no clean-up ran
    assert portal.submit_attempts() == clicked
    with Journal.open(data) as journal:
        [attempt] = journal.history()
        unsettled = journal.unsettled()
    if point == "confirmed":
        # Killed before the intent was recorded: no click can have happened, nothing to
        # settle, and the numbers may go out (once) on the next run.
        assert attempt.state is State.FILLED
        assert unsettled == []
        return
    assert attempt.state is State.INTENT
    assert [a.id for a in unsettled] == [attempt.id]
    # The rerun shows the unknown outcome and refuses before opening anything.
    loads_before = len(portal.requests())
    status, shown = finish(Person.practice("fill", portal, data))
    assert status == ExitCode.DUPLICATE, shown
    assert shown.startswith(
        "1 submission has an unknown outcome; their numbers will not be sent again until "
        f"you settle them:\n  attempt {attempt.id}: Lakeside USD closure alerts (1 of 1) to "
        "fcr, confirmed "
    )
    today = (attempt.confirmed_at or "")[:10]
    hint = (
        f"settle it with 'assistant settle {attempt.id} --submitted FEEDBACK_ID' or "
        f"'assistant settle {attempt.id} --not-submitted'"
    )
    # One line for the earlier submission, not one per number.
    assert shown.endswith(
        f"Error: 4 numbers have an unknown outcome (attempt {attempt.id}, sent to fcr on "
        f"{today}): {hint}\n"
    )
    assert portal.submit_attempts() == clicked
    assert len(portal.requests()) == loads_before


def test_item_20_a_half_written_journal_is_still_readable_and_loses_no_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli import main

    live, crashed = tmp_path / "live", tmp_path / "crashed"
    crashed.mkdir(mode=0o700)
    with Journal.open(live) as journal:
        journal._conn.execute("PRAGMA wal_autocheckpoint = 0")  # every commit stays in the WAL
        ids = [
            journal.begin(
                NewAttempt(
                    run_id="r",
                    portal="fcr",
                    profile_path="/p.yaml",
                    profile_sha256="0" * 64,
                    profile_label=f"Crash {i}",
                    numbers=(n,),
                )
            )
            for i, n in enumerate(NUMBERS[:3])
        ]
        journal.intent(ids[0], confirmed_by="dana", review_values={"n": NUMBERS[0]})
        journal.unknown(ids[0], "simulated timeout")
        journal.intent(ids[1], confirmed_by="dana", review_values={})
        shutil.copy(live / "journal.sqlite3", crashed / "journal.sqlite3")
        before = (live / "journal.sqlite3-wal").stat().st_size
        # The write a crash interrupts: a large intent whose frames only half reach the disk.
        journal.intent(ids[2], confirmed_by="dana", review_values={"pad": "x" * 20_000})
        wal = (live / "journal.sqlite3-wal").read_bytes()
    assert len(wal) > before
    torn = crashed / "journal.sqlite3-wal"
    torn.write_bytes(wal[: before + (len(wal) - before) // 2])
    torn.chmod(0o600)
    with Journal.open(crashed) as journal:
        assert journal._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        states = {a.id: a.state for a in journal.history()}
        unsettled = [a.id for a in journal.unsettled()]
    assert states == {ids[0]: State.UNKNOWN, ids[1]: State.INTENT, ids[2]: State.FILLED}
    assert unsettled == [ids[0], ids[1]] or unsettled == [ids[1], ids[0]]
    # And the person can read it through the command line.
    with pytest.raises(SystemExit) as exited:
        main(["history", "--data-dir", str(crashed)])
    assert exited.value.code in (0, None)
    captured = capsys.readouterr()
    out = captured.out
    assert captured.err.lstrip("\n").startswith("2 submissions have an unknown outcome;")
    for label in ("Crash 0", "Crash 1", "Crash 2"):
        assert re.search(rf"\b{label}\b", out), out
