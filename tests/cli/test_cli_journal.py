"""`history`, `due` and `settle` through the real entry point, with exact output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from clirun import run_assistant
from journalrows import FID, FakeClock, at, new_attempt, submit

from assistant.records.journal import Journal, State

FID2 = "FCRFE10022026090000456"


def run(
    data: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    environ |= {"ASSISTANT_DATA_DIR": str(data), **(env or {})}
    return run_assistant(*args, env=environ)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A journal with one submission (3 numbers) and one unknown outcome, in October 2026."""
    folder = tmp_path / "data"
    clock = FakeClock(at("2026-10-01 14:03"))
    with Journal.open(folder, clock=clock) as j:
        submit(j, "+16195550100", "+16195550101", "+16195550102")
        clock.advance(days=1)
        attempt_id = j.begin(new_attempt("+16195550103", label="Bolt Plumbing", part=2, parts=2))
        j.intent(attempt_id, confirmed_by="alice", review_values={"company": "Bolt"})
        j.unknown(attempt_id, "timeout after the click")
    return folder


SETTLE_HINT = (
    "    check the contact mailbox or the portal, then run 'assistant settle 2 --submitted "
    "FEEDBACK_ID' or 'assistant settle 2 --not-submitted'"
)
NOTICE = (
    "\n1 submission has an unknown outcome; their numbers will not be sent again until you "
    "settle them:\n"
    "  attempt 2: Bolt Plumbing (2 of 2) to fcr, confirmed 2026-10-02 14:03:00 UTC by alice: "
    f"+16195550103\n{SETTLE_HINT}\n"
)


def test_history_shows_every_attempt_newest_first(data: Path) -> None:
    result = run(data, "history")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "attempt 2  unknown  2026-10-02 14:03 UTC\n"
        "  Bolt Plumbing, submission 2 of 2, to fcr at www.freecallerregistry.com: 1 number "
        "(+16195550103)\n"
        "  profile: /profiles/bolt-plumbing.yaml\n"
        "  reason: timeout after the click\n"
        "\n"
        f"attempt 1  submitted  2026-10-01 14:03 UTC  Feedback ID {FID}\n"
        "  Acme Dental, submission 1 of 1, to fcr at www.freecallerregistry.com: 3 numbers "
        "(+16195550100, +16195550101, +16195550102)\n"
        "  profile: /profiles/acme-dental.yaml\n"
    )
    assert result.stderr == NOTICE


def test_history_shows_failed_declined_and_stopped_attempts_with_their_reason(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    with Journal.open(folder, clock=FakeClock(at("2026-11-29 09:00"))) as j:
        j.declined(j.begin(new_attempt("+16195550110", label="Cedar")), 'You typed "no"')
        j.declined(
            j.begin(new_attempt("+16195550111", label="Cedar")),
            "Stopped with Ctrl-C at the confirmation; nothing was submitted.",
        )
        j.failed(j.begin(new_attempt("+16195550112", label="Cedar")), 'no option matches "X"')
        j.begin(new_attempt(*(f"+161955501{i}" for i in range(20, 25)), label="Cedar"))
    result = run(folder, "history")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n\n") == [
        "attempt 4  filled  2026-11-29 09:00 UTC\n"
        "  Cedar, submission 1 of 1, to fcr at www.freecallerregistry.com: 5 numbers "
        "(+16195550120, +16195550121, "
        "+16195550122 and 2 more)\n"
        "  profile: /profiles/cedar.yaml\n"
        "  run ended, nothing clicked: assistant settle 4 --not-submitted",
        "attempt 3  failed  2026-11-29 09:00 UTC\n"
        "  Cedar, submission 1 of 1, to fcr at www.freecallerregistry.com: 1 number "
        "(+16195550112)\n"
        "  profile: /profiles/cedar.yaml\n"
        '  reason: no option matches "X"',
        "attempt 2  declined  2026-11-29 09:00 UTC\n"
        "  Cedar, submission 1 of 1, to fcr at www.freecallerregistry.com: 1 number "
        "(+16195550111)\n"
        "  profile: /profiles/cedar.yaml\n"
        "  reason: Stopped with Ctrl-C at the confirmation; nothing was submitted.",
        "attempt 1  declined  2026-11-29 09:00 UTC\n"
        "  Cedar, submission 1 of 1, to fcr at www.freecallerregistry.com: 1 number "
        "(+16195550110)\n"
        "  profile: /profiles/cedar.yaml\n"
        '  reason: You typed "no"\n',
    ]


def test_history_filters_by_number_in_any_notation_and_by_profile(data: Path) -> None:
    by_number = run(data, "history", "--json", "--number", "(619) 555-0101")
    assert by_number.returncode == 0, by_number.stderr
    rows = json.loads(by_number.stdout)
    assert [(r["id"], r["state"], r["feedback_id"]) for r in rows] == [(1, "submitted", FID)]
    assert rows[0]["numbers"] == ["+16195550100", "+16195550101", "+16195550102"]
    assert rows[0]["review_values"] == {"company": "Acme"}
    assert by_number.stderr == ""
    by_profile = run(data, "history", "--json", "--profile", "Bolt Plumbing")
    assert [r["id"] for r in json.loads(by_profile.stdout)] == [2]
    # A part of the label or of the file's path, in any case.
    for part in ("bolt", "PLUMB", "/profiles/bolt-", "acme-dental.yaml", "profiles/"):
        ids = [
            r["id"] for r in json.loads(run(data, "history", "--json", "--profile", part).stdout)
        ]
        assert ids == {"acme-dental.yaml": [1], "profiles/": [2, 1]}.get(part, [2]), part
    assert run(data, "history", "--profile", "nobody").stdout == "No attempt matches.\n"
    none = run(data, "history", "--number", "+1 619 555 0199")
    assert (none.returncode, none.stdout) == (0, "No attempt matches.\n")


def test_history_shows_the_receipt_path(data: Path) -> None:
    settled = run(data, "settle", "2", "--submitted", FID2)
    assert settled.returncode == 0, settled.stderr
    receipt = data / "receipts" / f"{FID2}.html"
    rows = json.loads(run(data, "history", "--json", "--number", "+16195550103").stdout)
    assert rows[0]["receipt_path"] == str(receipt)
    shown = run(data, "history", env={"COLUMNS": "300"}).stdout
    assert f"Feedback ID {FID2}\n" in shown
    assert f"\n  receipt: {receipt}\n" in shown


def test_history_of_an_empty_journal(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    result = run(data, "history")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"No submissions recorded yet in {data / 'journal.sqlite3'}.\n",
        "",
    )


def test_history_refuses_a_number_that_is_not_one(data: Path) -> None:
    result = run(data, "history", "--number", "call me")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: --number 'call me' is not a phone number; write it like +16195550100 or "
        "(619) 555-0100\n"
    )


def test_due_lists_numbers_older_than_the_window(data: Path) -> None:
    result = run(data, "due", "--as-of", "2027-01-15")
    assert result.returncode == 0, result.stderr
    line = (
        f"fcr  2026-10-01 (106 days ago, Feedback ID {FID})  Acme Dental  "
        "/profiles/acme-dental.yaml"
    )
    assert result.stdout == (
        "3 numbers last registered more than 90 days ago:\n"
        f"  +16195550100  {line}\n  +16195550101  {line}\n  +16195550102  {line}\n"
    )
    shorter = run(data, "due", "--days", "200", "--as-of", "2027-01-15")
    assert (shorter.returncode, shorter.stdout) == (
        0,
        "No number is due: none was last registered more than 200 days ago.\n",
    )


def test_due_refuses_a_bad_date_and_a_bad_window(data: Path) -> None:
    bad_date = run(data, "due", "--as-of", "15/01/2027")
    assert (bad_date.returncode, bad_date.stderr) == (
        2,
        "Error: --as-of '15/01/2027' is not a date; write it like 2027-01-15\n",
    )
    bad_window = run(data, "due", "--days", "0")
    assert bad_window.returncode == 2
    assert bad_window.stderr.endswith(
        "Error: Invalid value for '--days': Input should be greater than or equal to 1\n"
    )


def test_settle_not_submitted_frees_the_numbers(data: Path) -> None:
    result = run(data, "settle", "2", "--not-submitted")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "Attempt 2 settled as not submitted; its 1 number can be sent again.\n",
        "",
    )
    with Journal.open(data) as j:
        attempt = j.get(2)
        assert (attempt.state, attempt.reason) == (
            State.FAILED,
            f"settled as not submitted by {attempt.settled_by}",
        )
        assert j.unsettled() == []


def test_settle_submitted_writes_the_receipt(data: Path) -> None:
    result = run(data, "settle", "2", "--submitted", FID2)
    receipt = data / "receipts" / f"{FID2}.html"
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"Attempt 2 settled as submitted (Feedback ID {FID2}); receipt: {receipt}\n",
        "",
    )
    assert (receipt.stat().st_mode & 0o777) == 0o600
    with Journal.open(data) as j:
        assert (j.get(2).state, j.get(2).feedback_id) == (State.SUBMITTED, FID2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["2"],
            "say how attempt 2 ended: either --submitted FEEDBACK_ID or --not-submitted",
        ),
        (
            ["2", "--submitted", FID2, "--not-submitted"],
            "say how attempt 2 ended: either --submitted FEEDBACK_ID or --not-submitted",
        ),
        (
            ["2", "--submitted", "FCRFE123"],
            "'FCRFE123' is not a Feedback ID: expected FCRFE (or the sister forms' TRFFE, VSFFE) "
            "followed by 17 digits, "
            "e.g. FCRFE07252024233445395",
        ),
        (
            ["1", "--not-submitted"],
            "attempt 1 is submitted, not unknown: only an unknown outcome can be settled",
        ),
    ],
)
def test_settle_usage_errors_exit_2_and_change_nothing(
    data: Path, args: list[str], message: str
) -> None:
    result = run(data, "settle", *args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"Error: {message}\n")
    with Journal.open(data) as j:
        assert [(a.id, a.state) for a in j.history()] == [
            (2, State.UNKNOWN),
            (1, State.SUBMITTED),
        ]


def test_settle_an_attempt_that_does_not_exist(data: Path) -> None:
    result = run(data, "settle", "99", "--not-submitted")
    assert (result.returncode, result.stderr) == (
        2,
        f"Error: there is no attempt 99 in the journal at {data / 'journal.sqlite3'}\n",
    )


@pytest.mark.parametrize(
    "args",
    [["history"], ["history", "--json"], ["due"], ["settle", "2", "--not-submitted"]],
)
def test_every_command_refuses_a_data_folder_others_can_read(data: Path, args: list[str]) -> None:
    data.chmod(0o750)
    result = run(data, *args)
    assert (result.returncode, result.stdout, result.stderr) == (
        8,
        "",
        f"Error: {data} can be read by other users (mode 0750); fix it with: chmod 700 {data}\n",
    )


def test_the_data_dir_option_wins_over_the_environment(data: Path, tmp_path: Path) -> None:
    result = run(tmp_path / "elsewhere", "history", "--json", "--data-dir", str(data))
    assert [r["id"] for r in json.loads(result.stdout)] == [2, 1]


def test_receipt_prints_the_path_by_attempt_or_feedback_id(data: Path) -> None:
    assert run(data, "settle", "2", "--submitted", FID2).returncode == 0
    receipt = data / "receipts" / f"{FID2}.html"
    for which in ("2", FID2, FID2.lower()):
        result = run(data, "receipt", which)
        assert (result.returncode, result.stdout, result.stderr) == (0, f"{receipt}\n", "")


def test_receipt_missing_from_disk_is_written_again_from_the_journal(data: Path) -> None:
    receipt = data / "receipts" / f"{FID}.html"
    assert not receipt.exists()  # attempt 1 was recorded without one
    result = run(data, "receipt", "1")
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{receipt}\n", "")
    assert receipt.stat().st_mode & 0o777 == 0o600
    assert FID in receipt.read_text(encoding="utf-8")
    with Journal.open(data) as j:
        assert j.get(1).receipt_path == str(receipt)


@pytest.mark.parametrize(
    ("which", "message"),
    [
        (
            "2",
            "attempt 2 has no receipt: its outcome is unknown (unknown: timeout after the "
            "click); once you know, run 'assistant settle 2 --submitted FEEDBACK_ID' (which "
            "writes the receipt) or --not-submitted",
        ),
        ("99", "there is no attempt 99 in the journal at {journal}"),
        (
            "FCRFE00000000000000000",
            "no submission with Feedback ID 'FCRFE00000000000000000' is in the journal at "
            "{journal}; `assistant history` lists every attempt",
        ),
    ],
)
def test_receipt_of_nothing_submitted_says_why_and_exits_2(
    data: Path, which: str, message: str
) -> None:
    result = run(data, "receipt", which)
    expected = message.format(journal=data / "journal.sqlite3")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"Error: {expected}\n")


def test_receipt_open_uses_the_system_browser_or_says_there_is_none(
    data: Path, tmp_path: Path
) -> None:
    receipt = data / "receipts" / f"{FID}.html"
    opened = tmp_path / "opened"
    viewer = tmp_path / "viewer"
    viewer.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n', encoding="utf-8")
    viewer.chmod(0o700)
    result = run(data, "receipt", "1", "--open", env={"BROWSER": f"{viewer} %s"})
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{receipt}\n", "")
    assert opened.read_text(encoding="utf-8") == receipt.as_uri()

    bare = {k: v for k, v in os.environ.items() if k not in ("BROWSER", "DISPLAY", "COLUMNS")}
    bare |= {
        "PATH": str(tmp_path / "empty"),
        "WAYLAND_DISPLAY": "",
        "ASSISTANT_DATA_DIR": str(data),
    }
    none = run_assistant("receipt", "1", "--open", env=bare)
    assert (none.returncode, none.stdout, none.stderr) == (
        1,
        f"{receipt}\n",
        "No web browser was found to open it on this machine; open the file above yourself, "
        "or name a browser in $BROWSER.\n",
    )
