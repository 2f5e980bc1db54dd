"""`assistant batch` as a person runs it: validation first, five submissions confirmed through a
pseudo-terminal in one browser, the rerun skipping them all, declines, Ctrl-C and `--due`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from batchrun import (
    drive,
    numbers_of,
    profile_text,
    write_profiles,
)
from clirun import run_assistant
from journalrows import FID, submit
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.portals.model import host_of
from assistant.records.journal import Journal, NewAttempt, State
from assistant.replica import Replica

pytestmark = pytest.mark.browser


def _batch(folder: Path, portal: Replica, data: Path) -> list[str]:
    return ["batch", str(folder), "--url", portal.url, "--headless", "--data-dir", str(data)]


def test_an_invalid_profile_stops_the_batch_before_anything_opens(
    tmp_path: Path, replica: Replicas
) -> None:
    folder = tmp_path / "profiles"
    paths = write_profiles(folder)
    broken = profile_text(3, numbers_of(3)).replace("  city: San Diego", "  cty: San Diego")
    paths[2].write_text(broken, encoding="utf-8")
    # Profile 5 also lists a number of profile 1: reported in the same run.
    paths[4].write_text(profile_text(5, [*numbers_of(5), "(619) 555-0101"]), encoding="utf-8")
    portal = replica()
    result = run_assistant(*_batch(folder, portal, tmp_path / "data"))
    assert portal.requests() == []
    assert portal.submit_attempts() == 0
    assert result.returncode == ExitCode.INVALID
    assert result.stderr == (
        f"Error: {paths[2]}:6:5: company.address.city: required key is missing\n"
        f"{paths[2]}:7:5: company.address.cty: unknown key 'cty'; did you mean 'city'?\n"
        f"{paths[4]}:22:5: numbers: +16195550101 is also listed by profile 'Harbor 1' "
        f"at {paths[0]}:21:5\n"
    )
    assert "Screenshots and records" not in result.stdout
    assert not (tmp_path / "data").exists()  # not even the journal was created


def test_five_profiles_confirmed_at_a_terminal_then_a_rerun_skips_them_all(
    tmp_path: Path,
    replica: Replicas,
) -> None:
    folder = tmp_path / "profiles"
    write_profiles(folder)
    data = tmp_path / "data"
    portal = replica()
    first = drive(_batch(folder, portal, data), portal)
    assert first.exitstatus == ExitCode.OK, first.output
    assert first.confirmed == 5
    records = portal.submissions()
    assert portal.submit_attempts() == 5
    for position in range(1, 6):
        assert f"[{position}/5] Harbor {position} (submission 1 of 1)" in first.output
    assert "5 submitted, 0 declined, 0 stopped, 0 failed, 0 unknown, 0 skipped." in first.output

    with Journal.open(data) as journal:
        attempts = journal.history()
    assert sorted(a.state for a in attempts) == [State.SUBMITTED] * 5
    by_label = {a.profile_label: a for a in attempts}
    sent = {r["fields"]["enterprise_company_name"]: r["feedback_id"] for r in records}
    for n in range(1, 6):
        attempt = by_label[f"Harbor {n}"]
        assert attempt.feedback_id == sent[f"Harbor Clinic {n}"]
        assert attempt.numbers == (f"+16195550{n}00", f"+16195550{n}01")
        assert re.search(
            rf"│ Harbor {n}\s+│ 1 of 1\s+│ 2\s+│ submitted\s+│ {attempt.feedback_id}",
            first.output,
        )
        receipt = Path(attempt.receipt_path or "")
        assert receipt.stat().st_mode & 0o777 == 0o600
    assert first.feedback_ids == [by_label[f"Harbor {n}"].feedback_id for n in range(1, 6)]
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "journal.sqlite3").stat().st_mode & 0o777 == 0o600
    assert (data / "receipts").stat().st_mode & 0o777 == 0o700

    requests_before = len(portal.requests())
    again = drive(_batch(folder, portal, data), portal)
    assert again.exitstatus == ExitCode.OK, again.output
    assert again.confirmed == 0
    assert portal.submit_attempts() == 5
    assert len(portal.requests()) == requests_before  # no browser even opened
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    for n in range(1, 6):
        fid = by_label[f"Harbor {n}"].feedback_id
        assert (
            f"[{n}/5] Harbor {n} (1 of 1): skipped, already submitted on {today} ({fid})"
            in again.output
        )
    assert "0 submitted, 0 declined, 0 stopped, 0 failed, 0 unknown, 5 skipped." in again.output


def test_the_lines_of_a_batch_come_in_the_order_of_its_parts(
    tmp_path: Path, replica: Replicas
) -> None:
    """Parts 3 and 4 already submitted: their skip lines come after part 2, not before part 1
    (issue 19 item 8)."""
    folder = tmp_path / "profiles"
    write_profiles(folder)
    data = tmp_path / "data"
    portal = replica()
    with Journal.open(data) as journal:
        for n in (3, 4):
            numbers = [f"+16195550{n}00", f"+16195550{n}01"]
            submit(journal, *numbers, label=f"Harbor {n}", host=host_of(portal.url), real=False)
    run = drive(_batch(folder, portal, data), portal, answers=("no", "no", "no"))
    assert run.exitstatus == ExitCode.NOT_CONFIRMED, run.output
    lines = [
        line
        for line in run.output.splitlines()
        if re.match(r"\[\d/5\] Harbor \d \((submission )?1 of 1\)", line)
    ]
    assert lines == [
        "[1/5] Harbor 1 (submission 1 of 1)",
        "[2/5] Harbor 2 (submission 1 of 1)",
        f"[3/5] Harbor 3 (1 of 1): skipped, already submitted on {_today()} ({FID})",
        f"[4/5] Harbor 4 (1 of 1): skipped, already submitted on {_today()} ({FID})",
        "[5/5] Harbor 5 (submission 1 of 1)",
    ]
    assert "0 submitted, 3 declined, 0 stopped, 0 failed, 0 unknown, 2 skipped." in run.output


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def test_a_declined_submission_and_ctrl_c_are_recorded_and_nothing_clicks_after_it(
    tmp_path: Path,
    replica: Replicas,
) -> None:
    folder = tmp_path / "profiles"
    write_profiles(folder, count=4)
    data = tmp_path / "data"
    portal = replica()
    run = drive(_batch(folder, portal, data), portal, answers=("no", "submit", "^C"))
    assert run.exitstatus == ExitCode.NOT_CONFIRMED, run.output
    assert portal.submit_attempts() == 1
    [record] = portal.submissions()
    assert record["fields"]["enterprise_company_name"] == "Harbor Clinic 2"
    assert 'Not submitted: You typed "no", not "submit"; nothing was submitted.' in run.output
    # Ctrl-C is a stop, not a "no"; the `^C` the terminal echoes ends its line.
    assert (
        "anything else to stop: ^C\n"
        "Not submitted: Stopped with Ctrl-C at the confirmation; nothing was submitted.\n"
    ) in run.output
    assert "[4/4]" not in run.output
    assert re.search(
        r"│ Harbor 1\s+│ 1 of 1\s+│ 2\s+│ declined\s+│ You typed \"no\", not \"submit\"", run.output
    )
    assert re.search(
        r"│ Harbor 3\s+│ 1 of 1\s+│ 2\s+│ stopped\s+│ Stopped with Ctrl-C at the", run.output
    )
    assert re.search(
        r"│ Harbor 4\s+│ 1 of 1\s+│ 2\s+│ not started\s+│ stopped by Ctrl-C", run.output
    )
    assert (
        "1 submitted, 1 declined, 1 stopped, 0 failed, 0 unknown, 0 skipped, 1 not started."
        in run.output
    )
    assert "Stopped by Ctrl-C: nothing was clicked after it." in run.output
    with Journal.open(data) as journal:
        states = {a.profile_label: a.state for a in journal.history()}
        reasons = {a.profile_label: a.reason for a in journal.history()}
    assert states == {
        "Harbor 1": State.DECLINED,
        "Harbor 2": State.SUBMITTED,
        "Harbor 3": State.DECLINED,
    }
    assert reasons["Harbor 3"] == "Stopped with Ctrl-C at the confirmation; nothing was submitted."


def test_due_replays_the_profiles_holding_numbers_due(tmp_path: Path, replica: Replicas) -> None:
    folder = tmp_path / "profiles"
    paths = write_profiles(folder, count=3)
    data = tmp_path / "data"
    long_ago = datetime.now(UTC) - timedelta(days=100)
    recent = datetime.now(UTC) - timedelta(days=10)
    for path, when in ((paths[0], long_ago), (paths[1], recent)):
        n = int(path.stem.split("-")[1])
        with Journal.open(data, clock=lambda when=when: when) as journal:  # type: ignore[misc]
            attempt = journal.begin(
                NewAttempt(
                    run_id="earlier",
                    portal="fcr",
                    profile_path=str(path.resolve()),
                    profile_sha256="00" * 32,
                    profile_label=f"Harbor {n}",
                    numbers=(f"+16195550{n}00", f"+16195550{n}01"),
                )
            )
            journal.intent(attempt, confirmed_by="tester", review_values=[])
            journal.submitted(attempt, f"FCRFE0000000000000000{n}")
    portal = replica()
    run = drive(
        ["batch", "--due", "--url", portal.url, "--headless", "--data-dir", str(data)],
        portal,
    )
    assert run.exitstatus == ExitCode.OK, run.output
    assert run.confirmed == 1
    [record] = portal.submissions()
    assert record["fields"]["enterprise_company_name"] == "Harbor Clinic 1"
    assert "[1/1] Harbor 1 (submission 1 of 1)" in run.output
    assert "Harbor 2" not in run.output  # registered 10 days ago: not due


def test_batch_without_a_terminal_opens_nothing_and_exits_3(
    tmp_path: Path, replica: Replicas
) -> None:
    folder = tmp_path / "profiles"
    write_profiles(folder, count=2)
    portal = replica()
    result = run_assistant(*_batch(folder, portal, tmp_path / "data"))
    assert portal.requests() == []
    assert result.returncode == ExitCode.NOT_CONFIRMED
    assert result.stderr == (
        "Error: Input is not a terminal, so nobody could review and confirm; nothing was "
        "opened or submitted. Run `assistant batch` in a terminal.\n"
    )
