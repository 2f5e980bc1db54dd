"""Reading a file a person names (a profile, an `extends:` base, a number file, a portal map).

Only regular files are read; a symbolic link to one is fine. Anything else (a folder, a named
pipe, a device such as /dev/zero, a socket, a loop of links) is refused before a byte is read,
and checked again on the opened descriptor, so a file swapped in between cannot slip through.
The open never blocks (a FIFO would wait for a writer forever), and reads stop after the
caller's limit by counting the bytes actually read: a file's reported size can lie (`/proc`
files say 0) or change while it is read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_CHUNK = 64 * 1024
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class InputFileError(Exception):
    """The file cannot be read as input. `reason` completes "FILE: …" in one plain phrase;
    `missing` is True when nothing is there at all (callers word that case themselves)."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit + 1` of them.

    Getting `limit + 1` bytes back means the file is larger than `limit`; the caller says so.
    Raises `InputFileError` for anything that is not a readable regular file.
    """
    check_regular(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise _error(path, error) from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:  # swapped for something else since `check_regular` looked
            raise InputFileError(f"is {kind}, not a regular file")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            try:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            except OSError as error:
                raise _error(path, error) from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_regular(path: Path) -> None:
    """Raise `InputFileError` unless `path` is (or links to) a regular file; reads nothing."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise _error(path, error) from None
    kind = _kind(mode)
    if kind is None:
        return
    if os.path.islink(path):
        kind = f"a symbolic link to {os.path.realpath(path)}, which is {kind}"
    raise InputFileError(f"is {kind}, not a regular file")


def resolved(path: Path) -> Path:
    """`path` with every symbolic link resolved; a loop of links is left as it is (no error).

    Python 3.11's `Path.resolve` raises `RuntimeError` on a loop; `os.path.realpath` does not.
    """
    return Path(os.path.realpath(path))


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _error(path: Path, error: OSError) -> InputFileError:
    """The plain reason for an `OSError` met while looking at or reading `path`."""
    if error.errno == errno.ENOENT:
        if os.path.islink(path):
            target = os.readlink(path)
            return InputFileError(f"is a symbolic link to {target}, which does not exist")
        return InputFileError("file not found", missing=True)
    if error.errno == errno.ELOOP:
        return InputFileError("is a loop of symbolic links, not a file")
    if error.errno == errno.ENOTDIR:  # a part of the path is a file, not a folder
        return InputFileError("file not found", missing=True)
    reason = error.strerror or type(error).__name__
    return InputFileError(f"cannot read the file: {reason}")
