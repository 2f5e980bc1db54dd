"""`No display found…` is said where a browser is about to open headed by default, once, and
nowhere else (issue 19 item 8): a batch that opens no browser (everything already submitted)
says nothing about a display. The real `assistant batch` at a terminal with no display; the
browser is a stand-in that notes it was started, then fails (no real browser is needed)."""

from __future__ import annotations

from pathlib import Path

from clirun import PROFILE
from journalrows import FakeClock, submit
from person import Person

from assistant.records.journal import Journal, utc_now

NOTICE = "No display found: the browser runs headless (you cannot type in it)."
NO_DISPLAY = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
STAND_IN = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "Chromium 1.0 (stand-in)"; exit 0; fi
touch "{started}"
exit 1
"""


def _batch(tmp_path: Path) -> tuple[str, bool]:
    """`assistant batch PROFILE` (headed, by default) with no display: what it showed, and
    whether the browser was started."""
    started = tmp_path / "browser-started"
    browser = tmp_path / "chromium"
    browser.write_text(STAND_IN.format(started=started), encoding="utf-8")
    browser.chmod(0o755)
    env = {**NO_DISPLAY, "ASSISTANT_BROWSER": str(browser)}
    with Person("batch", PROFILE, data=tmp_path / "data", env=env) as person:
        assert person.wait() is not None, person.screen
    return person.screen, started.exists()


def test_the_notice_comes_once_as_the_browser_opens(tmp_path: Path) -> None:
    screen, started = _batch(tmp_path)
    assert started
    assert screen.count(NOTICE) == 1
    before, _, _ = screen.partition(NOTICE)
    assert before.splitlines()[-1].startswith("Screenshots and records of this run: ")


def test_a_batch_that_opens_no_browser_says_nothing_of_a_display(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "data", clock=FakeClock(utc_now())) as journal:
        submit(journal, "+16195550100")  # the profile's first number: its submission is skipped
    screen, started = _batch(tmp_path)
    assert not started
    assert "already submitted on " in screen
    assert "display" not in screen
