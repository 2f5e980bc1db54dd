"""A real full disk (issue 17 item 6): the data folder is a small tmpfs, filled to the last byte
while the person is at the review, then `submit` is typed to the real `assistant fill`.

Mounting needs root and a kernel that allows it: where `mount` is not permitted the test is
skipped, saying why. The same failure without a mount is in test_journal_full_disk.py.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from person import Person
from replicas import Replicas

from assistant.errors import ExitCode
from assistant.records.journal import Journal, State

pytestmark = pytest.mark.browser

EMAIL = "it@lakeside.example.org"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs, private (0700), to hold the data folder; unmounted afterwards."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    command = ["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(folder)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except OSError as error:
        pytest.skip(f"cannot mount a tmpfs for the data folder here: {error}")
    if done.returncode != 0:
        why = done.stderr.strip() or f"mount exited {done.returncode}"
        pytest.skip(f"cannot mount a tmpfs for the data folder here: {why}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False, timeout=30)


def fill_up(folder: Path) -> Path:
    """Write a file into `folder` until its disk has not one byte left."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (1 << 20, 1 << 12, 1):
            assert _write_until_refused(out, size) == errno.ENOSPC
    assert os.statvfs(folder).f_bavail == 0
    return filler


def _write_until_refused(out: BinaryIO, size: int) -> int | None:
    """Write `size` bytes at a time until the disk refuses; its errno."""
    try:
        while True:
            out.write(b"\0" * size)
    except OSError as error:
        return error.errno


def test_a_data_folder_that_fills_up_at_the_review_clicks_nothing_and_exits_10(
    small_disk: Path, replica: Replicas
) -> None:
    portal = replica()
    with Person.practice("fill", portal, small_disk) as person:
        person.expect(r"Type the 5-digit code: ")
        person.type(portal.latest_code(EMAIL))
        person.expect(r'Type "submit" to send Lakeside USD closure alerts, submission 1 of 1')
        filler = fill_up(small_disk)
        person.type("submit")
        status = person.wait()
        shown = person.before
    assert status == ExitCode.DATA_READ_ONLY, shown
    told = (
        "The journal could not record the intent to submit (the disk is full: database or "
        "disk is full); nothing was clicked. Attempt 1 could not be closed either: the next "
        "run of this profile records it as not sent. Free some space on the disk that holds "
        f"{small_disk}, then run again."
    )
    assert f"\nNot submitted: {told}\n" in shown
    assert "unexpected" not in shown
    assert "0 submitted, 0 declined, 0 stopped, 1 failed, 0 unknown, 0 skipped." in shown
    assert portal.submissions() == []
    assert portal.submit_attempts() == 0  # no request reached the submit endpoint

    filler.unlink()  # space again: the next run of the profile closes the row
    with Journal.open(small_disk, read_only=True) as journal:
        [attempt] = journal.history()
        assert attempt.state is State.FILLED
    with Person.practice("fill", portal, small_disk) as person:
        person.expect(
            r"Attempt 1 \(Lakeside USD closure alerts, 1 of 1\) was left at its review by a "
            r"run that has ended \([^)]*\): recorded as not submitted, nothing was clicked "
            r"for it\."
        )
        person.expect(r"Type the 5-digit code: ")
        person.ctrl_d()  # and this run stops at its code
        assert person.wait() == ExitCode.NOT_CONFIRMED
    assert portal.submit_attempts() == 0
    with Journal.open(small_disk, read_only=True) as journal:
        second, first = journal.history()
    assert first.state is State.FAILED
    assert re.fullmatch(
        r"not submitted: the run that started it \(.*\) ended before finishing it; "
        r"nothing was clicked",
        first.reason,
    )
    assert second.state is State.FAILED
