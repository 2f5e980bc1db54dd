"""`assistant.paths`: artifacts are written whole or not at all (issue 10 item 5), and nothing
private is created, chmod-ed or written through a symbolic link (issue 10 item 11)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from assistant import log, paths
from assistant.errors import UnsafeDataDir
from assistant.records.journal import Journal
from assistant.records.receipts import write_receipt
from assistant.sitting.session import new_run_dir

SHOT = bytes(range(256)) * 32  # 8,192 bytes, like the review screenshot that was cut short


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return paths.private_dir(tmp_path / "data")


def test_a_short_write_is_continued_until_every_byte_is_written(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    calls: list[int] = []

    def short(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        return real_write(fd, bytes(data)[:1000])

    monkeypatch.setattr(os, "write", short)
    target = paths.write_private(folder / "s1-review.png", SHOT)
    monkeypatch.undo()
    assert target.read_bytes() == SHOT
    assert len(calls) == 9
    assert mode(target) == 0o600
    assert os.listdir(folder) == ["s1-review.png"]


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_part(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = paths.write_private(folder / "s1-review.png", b"the earlier screenshot")
    real_write = os.write
    written: list[int] = []

    def disk_full(fd: int, data: bytes | memoryview) -> int:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(real_write(fd, bytes(data)[:1000]))
        return written[-1]

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        paths.write_private(target, SHOT)
    monkeypatch.undo()
    assert target.read_bytes() == b"the earlier screenshot"
    assert os.listdir(folder) == ["s1-review.png"]  # the 1,000-byte part is gone


def test_an_artifact_is_never_written_through_a_link(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"not ours")
    outside.chmod(0o644)
    (folder / "s1-review.png").symlink_to(outside)
    with pytest.raises(UnsafeDataDir) as caught:
        paths.write_private(folder / "s1-review.png", SHOT)
    assert str(caught.value) == (
        f"{folder / 's1-review.png'} is a symbolic link to {outside}; nothing private is "
        "written through a link: replace the link with what it points to, then run again"
    )
    assert (outside.read_bytes(), mode(outside)) == (b"not ours", 0o644)


def test_a_run_log_link_is_refused_and_its_target_not_chmod_ed(
    folder: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.log"
    outside.write_text("")
    outside.chmod(0o644)
    (folder / "run.log").symlink_to(outside)
    with pytest.raises(UnsafeDataDir, match=r"run\.log is a symbolic link to"):
        paths.private_file(folder / "run.log")
    assert mode(outside) == 0o644


def test_a_linked_runs_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir(mode=0o755)
    outside.chmod(0o755)
    (folder / "runs").symlink_to(outside)
    try:
        with pytest.raises(UnsafeDataDir, match="runs is a symbolic link to"):
            new_run_dir("Lakeside USD", folder)
    finally:
        log.detach_run_log()
    assert (os.listdir(outside), mode(outside)) == ([], 0o755)


def test_a_linked_receipts_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    from journalrows import submit

    outside = tmp_path / "outside"
    outside.mkdir(mode=0o700)
    (folder / "receipts").symlink_to(outside)
    with Journal.open(folder) as journal:
        attempt = journal.get(submit(journal, "+16195550100"))
    with pytest.raises(UnsafeDataDir, match="receipts is a symbolic link to"):
        write_receipt(folder, attempt)
    assert os.listdir(outside) == []
