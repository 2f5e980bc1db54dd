"""Issue 10 items 10, 11 and 5 (folder part): a data folder or journal that cannot be used as
it is gets one plain sentence and its own exit code, never "unexpected … (a bug)"; nothing is
chmod-ed or written through a symbolic link; a journal that cannot be written is still read by
`history` and `due`. Through the real command."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import PROFILE, run_assistant
from journalrows import FakeClock, at, new_attempt, submit
from person import Person

from assistant.errors import ExitCode
from assistant.records.journal import Journal

# Root ignores permission bits; without these two capabilities it obeys them like anyone.
AS_ROOT_WITHOUT_OVERRIDE = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")
AS_USER = AS_ROOT_WITHOUT_OVERRIDE if os.geteuid() == 0 else ()


def run(data: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "ASSISTANT_DATA_DIR")}
    return run_assistant(*args, "--data-dir", str(data), env=environ, prefix=prefix, timeout=60)


def outcome(result: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A journal with one submission and one unknown outcome (attempt 2), closed."""
    folder = tmp_path / "data"
    clock = FakeClock(at("2026-10-01 14:03"))
    with Journal.open(folder, clock=clock) as journal:
        submit(journal, "+16195550100", "+16195550101")
        attempt_id = journal.begin(new_attempt("+16195550103", label="Bolt Plumbing"))
        journal.intent(attempt_id, confirmed_by="alice", review_values={"company": "Bolt"})
        journal.unknown(attempt_id, "timeout after the click")
    return folder


@pytest.fixture
def read_only(data: Path) -> Iterator[Path]:
    """`data`, made read-only (mode 0500) for the test, writable again afterwards."""
    data.chmod(0o500)
    yield data
    data.chmod(0o700)


# -- item 10: what the data folder and the journal are ---------------------------------------


def test_a_file_as_the_data_folder(tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("mine\n")
    file.chmod(0o600)
    assert outcome(run(file, "history")) == (
        ExitCode.DATA_UNUSABLE,
        "",
        f"Error: {file} is a file, not a folder; pass --data-dir with a folder\n",
    )
    assert file.read_text() == "mine\n"


def test_a_dangling_symlink_as_the_data_folder(tmp_path: Path) -> None:
    link = tmp_path / "data"
    link.symlink_to(tmp_path / "gone")
    assert outcome(run(link, "history")) == (
        ExitCode.DATA_UNUSABLE,
        "",
        f"Error: {link} is a symbolic link to {tmp_path / 'gone'}, which does not exist; the "
        "data folder must be a real folder: remove the link, or pass --data-dir with a real "
        "folder\n",
    )
    assert not (tmp_path / "gone").exists()


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_journal_that_is_a_folder_or_a_fifo(data: Path, kind: str) -> None:
    journal = data / "journal.sqlite3"
    journal.unlink()
    journal.mkdir() if kind == "folder" else os.mkfifo(journal)
    what = "a folder" if kind == "folder" else "a named pipe (FIFO)"
    expected = (
        ExitCode.DATA_UNUSABLE,
        "",
        f"Error: {journal} is {what}, not a file the assistant wrote; move it out of the data "
        "folder, then run again\n",
    )
    assert outcome(run(data, "history")) == expected
    assert outcome(run(data, "settle", "2", "--not-submitted")) == expected


def test_a_read_only_data_folder_can_be_read_but_not_written(data: Path) -> None:
    before = run(data, "history")
    due = run(data, "due", "--as-of", "2027-01-15")
    assert (before.returncode, due.returncode) == (0, 0)
    data.chmod(0o500)
    try:
        assert outcome(run(data, "history", prefix=AS_USER)) == outcome(before)
        assert outcome(run(data, "due", "--as-of", "2027-01-15", prefix=AS_USER)) == outcome(due)
        assert outcome(run(data, "settle", "2", "--not-submitted", prefix=AS_USER)) == (
            ExitCode.DATA_READ_ONLY,
            "",
            f"Error: cannot write the journal {data / 'journal.sqlite3'}: {data} cannot be "
            f"written; make it writable (chmod u+w {data}) or pass --data-dir with another "
            "folder\n",
        )
    finally:
        data.chmod(0o700)
    assert sorted(os.listdir(data)) == ["journal.sqlite3"]  # nothing was written beside it


def test_fill_at_a_terminal_with_a_read_only_data_folder(read_only: Path) -> None:
    """The journal opens before any browser: the run stops there, with the sentence."""
    with Person("fill", PROFILE, "--headless", data=read_only, prefix=AS_USER) as person:
        assert person.wait() == ExitCode.DATA_READ_ONLY
    # The first thing a run writes there is its profile's run lock.
    assert person.before.endswith(
        f"Error: cannot create {read_only / 'locks'}: {read_only} cannot be written; make "
        f"it writable (chmod u+w {read_only}) or pass --data-dir with another folder\n"
    )


def test_a_read_only_journal_file_or_an_empty_read_only_folder(data: Path) -> None:
    journal = data / "journal.sqlite3"
    before = run(data, "history")
    journal.chmod(0o400)
    try:
        history = run(data, "history", prefix=AS_USER)
        settle = run(data, "settle", "2", "--not-submitted", prefix=AS_USER)
        journal.unlink()
        data.chmod(0o500)
        empty = run(data, "history", prefix=AS_USER)
    finally:
        data.chmod(0o700)
    assert outcome(history) == outcome(before)
    assert outcome(settle) == (
        ExitCode.DATA_READ_ONLY,
        "",
        f"Error: cannot write the journal {journal}; make it writable with: chmod 600 {journal}\n",
    )
    assert outcome(empty) == (0, f"No submissions recorded yet in {journal}.\n", "")


def test_a_read_only_journal_is_read_with_the_changes_still_in_its_wal(data: Path) -> None:
    clock = FakeClock(at("2026-10-05 09:00"))
    with Journal.open(data, clock=clock) as writer:  # open: its changes stay in the -wal
        submit(writer, "+16195550109", fid="FCRFE10052026090000999", label="Cove Dental")
        assert (data / "journal.sqlite3-wal").stat().st_size > 0
        data.chmod(0o500)
        try:
            result = run(data, "history", prefix=AS_USER)
        finally:
            data.chmod(0o700)
    assert result.returncode == 0, result.stderr
    assert "FCRFE10052026090000999" in result.stdout.splitlines()[0]  # the newest attempt


def test_a_wal_whose_index_is_gone_is_not_read_without_it(data: Path, tmp_path: Path) -> None:
    """The file alone would miss the changes in the -wal: refused rather than shown stale."""
    copy = tmp_path / "copy"
    copy.mkdir(mode=0o700)
    with Journal.open(data) as writer:
        submit(writer, "+16195550109", fid="FCRFE10052026090000999", label="Cove Dental")
        for name in ("journal.sqlite3", "journal.sqlite3-wal"):  # no -shm, as after a crash
            shutil.copy2(data / name, copy / name)
    copy.chmod(0o500)
    try:
        result = run(copy, "history", prefix=AS_USER)
    finally:
        copy.chmod(0o700)
    assert outcome(result) == (
        ExitCode.DATA_READ_ONLY,
        "",
        f"Error: cannot read the latest changes of the journal {copy / 'journal.sqlite3'}: "
        f"{copy} cannot be written; make it writable (chmod u+w {copy}) or pass --data-dir "
        "with another folder\n",
    )


def test_history_of_a_data_folder_that_cannot_be_created(tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o500)
    try:
        history = run(parent / "data", "history", prefix=AS_USER)
        settle = run(parent / "data", "settle", "1", "--not-submitted", prefix=AS_USER)
    finally:
        parent.chmod(0o700)
    assert outcome(history) == (
        0,
        f"No submissions recorded yet in {parent / 'data' / 'journal.sqlite3'}.\n",
        "",
    )
    assert outcome(settle) == (
        ExitCode.DATA_READ_ONLY,
        "",
        f"Error: cannot create {parent / 'data'}: {parent} cannot be written; make it writable "
        f"(chmod u+w {parent}) or pass --data-dir with another folder\n",
    )


def test_a_journal_locked_by_another_process(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A write waits out the busy timeout, then says so; reading is not blocked meanwhile.

    In process (`main`), with the 10 s timeout cut to 1 s; the lock is another process's.
    """
    from assistant.cli import main
    from assistant.records.journal import schema

    hold = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(data / "journal.sqlite3")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_S", 1.0)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        started = time.monotonic()
        with pytest.raises(SystemExit) as settle:
            main(["settle", "2", "--not-submitted", "--data-dir", str(data)])
        waited = time.monotonic() - started
        settled = capsys.readouterr()
        with pytest.raises(SystemExit) as history:
            main(["history", "--data-dir", str(data)])
    finally:
        holder.communicate("", timeout=10)
    assert (settle.value.code, settled.out, settled.err) == (
        ExitCode.JOURNAL_BUSY,
        "",
        f"Error: the journal {data / 'journal.sqlite3'} stayed locked by another process for "
        "1 s (another assistant run?); let it finish, or stop it, then run again\n",
    )
    assert waited >= 1
    assert history.value.code == 0
    assert "Bolt Plumbing" in capsys.readouterr().out


# -- item 11: symbolic links are refused, never followed to chmod or write ----------------


def test_a_data_folder_linked_to_tmp_is_refused_and_tmp_left_alone(tmp_path: Path) -> None:
    link = tmp_path / "data"
    link.symlink_to("/tmp")
    mode = stat.S_IMODE(os.stat("/tmp").st_mode)
    result = run(link, "history")
    assert outcome(result) == (
        ExitCode.UNSAFE_DATA,
        "",
        f"Error: {link} is a symbolic link to /tmp; the data folder must be a real folder with "
        "its own permissions: remove the link and run again (a private folder is made in its "
        "place), or pass --data-dir with a real folder\n",
    )
    assert "chmod" not in result.stderr
    assert stat.S_IMODE(os.stat("/tmp").st_mode) == mode


def test_tmp_itself_as_the_data_folder_is_never_told_to_be_chmod_ed() -> None:
    mode = stat.S_IMODE(os.stat("/tmp").st_mode)
    assert outcome(run(Path("/tmp"), "history")) == (
        ExitCode.UNSAFE_DATA,
        "",
        f"Error: /tmp is a shared folder (mode {mode:04o}) other users can write in; pass "
        "--data-dir with a private folder of your own\n",
    )


def test_a_journal_symlink_is_refused_and_its_target_left_as_it_was(
    data: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.sqlite3"
    (data / "journal.sqlite3").rename(elsewhere)
    elsewhere.chmod(0o644)
    (data / "journal.sqlite3").symlink_to(elsewhere)
    expected = (
        ExitCode.UNSAFE_DATA,
        "",
        f"Error: {data / 'journal.sqlite3'} is a symbolic link to {elsewhere}; nothing private "
        "is written through a link: replace the link with what it points to, then run again\n",
    )
    assert outcome(run(data, "history")) == expected
    assert outcome(run(data, "settle", "2", "--not-submitted")) == expected
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o644
