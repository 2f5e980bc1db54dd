"""`assistant.paths`: artifacts are written whole or not at all (issue 10 item 5)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from assistant import paths

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
