"""Reading a file a person names (a profile, an `extends:` base, a number file, a portal map).

Only regular files are read; a symbolic link to one is fine. Anything else (a folder, a named
pipe, a device such as /dev/zero, a socket, a loop of links) is refused before a byte is read,
and checked again on the opened descriptor, so a file swapped in between cannot slip through.
So is anything under /proc, /sys or /dev, the system's own files, or a link to one (the link
resolved): `/proc/self/environ` is a regular file that holds the environment, passwords
included, and a number file linked to it had validate print it. Named by the path resolved
before the open, and by the path the opened descriptor has.
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


# Where the system keeps its own files: never a person's profile, number file or map.
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


class InputFileError(Exception):
    """The file cannot be read as input. `reason` completes "FILE: …" in one plain phrase;
    `missing` is True when nothing is there at all (callers word that case themselves)."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def read_regular_file(path: Path, limit: int, *, kind: str = "file") -> bytes:
    """The bytes of the regular file at `path`, at most `limit + 1` of them.

    Getting `limit + 1` bytes back means the file is larger than `limit`; the caller says so.
    Raises `InputFileError` for anything that is not a readable regular file, or is a system
    file; `kind` names what the file should be ("number file") in that reason.
    """
    check_regular(path, kind=kind)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise _error(path, error) from None
    try:
        what = _kind(os.fstat(fd).st_mode)
        if what is not None:  # swapped for something else since `check_regular` looked
            raise InputFileError(f"is {what}, not a regular file")
        system = _system_folder(_opened_path(fd))
        if system is not None:  # a link swapped in since `check_regular` looked
            raise InputFileError(_in_system_folder(system, kind))
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


def check_regular(path: Path, *, kind: str = "file") -> None:
    """Raise `InputFileError` unless `path` is (or links to) a regular file outside the system
    folders; reads nothing. `kind` names what the file should be, as in `read_regular_file`."""
    _refuse_system_file(path, kind)
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise _error(path, error) from None
    what = _kind(mode)
    if what is None:
        return
    if os.path.islink(path):
        what = f"a symbolic link to {os.path.realpath(path)}, which is {what}"
    raise InputFileError(f"is {what}, not a regular file")


def _refuse_system_file(path: Path, kind: str) -> None:
    """Raise `InputFileError` when `path`, its links resolved, is in a system folder; by name,
    before anything is opened."""
    real = os.path.realpath(path)
    if _system_folder(real) is None:
        return
    named = _system_folder(os.path.abspath(path))  # /proc/self/environ, as written
    if named is not None:
        raise InputFileError(_in_system_folder(named, kind))
    shown = real
    if os.path.islink(path):  # name it as the person linked it (/proc/self, not /proc/4711)
        target = os.path.join(os.path.dirname(os.path.abspath(path)), os.readlink(path))
        if _system_folder(os.path.normpath(target)) is not None:
            shown = os.path.normpath(target)
        what = "is a symbolic link to"
    else:
        what = "leads through a symbolic link to"
    raise InputFileError(f"{what} {shown}, a system file; name a {kind} of your own")


def _in_system_folder(folder: str, kind: str) -> str:
    return f"is a system file (under {folder}); name a {kind} of your own"


def _system_folder(path: str | None) -> str | None:
    """The system folder (`SYSTEM_FOLDERS`) that the absolute `path` is in, or None."""
    if path is None:
        return None
    for folder in SYSTEM_FOLDERS:
        if path == folder or path.startswith(folder + "/"):
            return folder
    return None


def _opened_path(fd: int) -> str | None:
    """The path the open descriptor `fd` reads, as the kernel has it (Linux); None elsewhere."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


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
