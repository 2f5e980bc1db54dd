"""The duplicate guard's window as the command line applies it by default (issue 17, item 7):
`fill` and `batch` take the guard's own 90 days, not a number of their own.

The real `assistant` in a pseudo-terminal (it asks for one), with a journal holding a
submission of one of the profile's numbers to the real portal. No browser is needed: a
refusal comes before anything opens, and a run the guard lets through is seen reaching for
the browser (`$ASSISTANT_BROWSER` points at a stand-in that notes it was started, then fails).
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from pathlib import Path

import pytest
from clirun import PROFILE
from journalrows import FID, FakeClock, submit
from person import Person

from assistant.errors import ExitCode
from assistant.records.duplicates import DEFAULT_WINDOW_DAYS
from assistant.records.journal import Journal, utc_now

NUMBER = "+16195550100"  # the profile's first number

STAND_IN = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "Chromium 1.0 (stand-in)"; exit 0; fi
touch "{started}"
exit 1
"""


@pytest.fixture
def browser_stand_in(tmp_path: Path) -> tuple[Path, Path]:
    """An executable that answers `--version` like Chromium and, started for real, leaves a
    file behind (its path is the second item) and exits."""
    started = tmp_path / "browser-started"
    path = tmp_path / "chromium"
    path.write_text(STAND_IN.format(started=started), encoding="utf-8")
    path.chmod(0o755)
    return path, started


def _journal_with_a_submission(data: Path, days_ago: int) -> str:
    """A journal where NUMBER was submitted to the real FCR portal `days_ago` days ago; the
    date (YYYY-MM-DD) it shows."""
    when = utc_now() - timedelta(days=days_ago)
    with Journal.open(data, clock=FakeClock(when)) as journal:
        submit(journal, NUMBER)
    return when.strftime("%Y-%m-%d")


def _run(command: str, data: Path, browser: Path, *extra: str) -> tuple[int, str]:
    """`assistant COMMAND PROFILE --headless --data-dir DATA` at a terminal: its exit code and
    what it showed."""
    browser_is = {"ASSISTANT_BROWSER": str(browser)}
    with Person(command, PROFILE, "--headless", *extra, data=data, env=browser_is) as person:
        status = person.wait()
    assert status is not None, person.screen
    return status, person.before


def test_the_window_the_command_line_applies_is_the_guards() -> None:
    assert DEFAULT_WINDOW_DAYS == 90  # docs/commands.md: "in the last 90 days"


def test_fill_leaves_out_a_number_submitted_45_days_ago_without_window_days(
    tmp_path: Path, browser_stand_in: tuple[Path, Path]
) -> None:
    browser, started = browser_stand_in
    date = _journal_with_a_submission(tmp_path / "data", days_ago=45)
    _, shown = _run("fill", tmp_path / "data", browser)
    due = (dt.date.fromisoformat(date) + dt.timedelta(days=90)).isoformat()
    assert shown.startswith(
        "Lakeside USD closure alerts (submission 1 of 1): sending 3 numbers not yet sent; not "
        f"again: {NUMBER} was submitted to fcr on {date} as {FID}; due again on {due}\n"
    ), shown
    assert started.exists()  # the other three go on to the browser (a stand-in that fails)


def test_fill_lets_a_number_submitted_91_days_ago_through_the_guard(
    tmp_path: Path, browser_stand_in: tuple[Path, Path]
) -> None:
    browser, started = browser_stand_in
    _journal_with_a_submission(tmp_path / "data", days_ago=91)
    code, shown = _run("fill", tmp_path / "data", browser)
    assert code != ExitCode.DUPLICATE
    assert "was submitted to fcr" not in shown
    assert started.exists()  # past the guard: it went on to start the browser


def test_a_shorter_window_days_lets_the_45_day_old_number_through(
    tmp_path: Path, browser_stand_in: tuple[Path, Path]
) -> None:
    browser, started = browser_stand_in
    _journal_with_a_submission(tmp_path / "data", days_ago=45)
    code, shown = _run("fill", tmp_path / "data", browser, "--window-days", "30")
    assert code != ExitCode.DUPLICATE
    assert "was submitted to fcr" not in shown
    assert started.exists()


@pytest.mark.parametrize(("days_ago", "left_out"), [(45, True), (91, False)])
def test_batch_leaves_out_a_number_submitted_within_the_guards_window_only(
    tmp_path: Path, browser_stand_in: tuple[Path, Path], days_ago: int, left_out: bool
) -> None:
    browser, started = browser_stand_in
    date = _journal_with_a_submission(tmp_path / "data", days_ago=days_ago)
    _, shown = _run("batch", tmp_path / "data", browser)
    due = (dt.date.fromisoformat(date) + dt.timedelta(days=90)).isoformat()
    resumed = (
        "Lakeside USD closure alerts (submission 1 of 1): sending 3 numbers not yet sent; not "
        f"again: {NUMBER} was submitted to fcr on {date} as {FID}; due again on {due}\n"
    )
    assert shown.startswith(resumed) is left_out, shown
    assert started.exists()  # the numbers not sent within the window go on to the browser
