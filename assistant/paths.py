"""Where the assistant keeps its private files, and how it keeps them private.

The data folder (journal, screenshots, traces, receipts, run records) is `0700` and every file
in it `0600`. Its location: `--data-dir`, else `$ASSISTANT_DATA_DIR`, else the user's data
directory from platformdirs.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from assistant.errors import UnsafeDataDir

ENV_DATA_DIR = "ASSISTANT_DATA_DIR"


def data_dir(override: str | Path | None = None) -> Path:
    """The private data folder, created `0700` if missing, refused if others can read it."""
    if override is not None:
        path = Path(override)
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR])
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("assistant", appauthor=False))
    return private_dir(path)


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode `0700`; refuse an existing one open to others."""
    path = path.expanduser()
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise UnsafeDataDir(
                f"{path} can be read by other users (mode {mode:04o}); "
                f"fix it with: chmod 700 {path}"
            )
    else:
        path.mkdir(parents=True, mode=0o700)
        path.chmod(0o700)
    return path


def private_file(path: str | Path) -> Path:
    """Create `path` empty if missing, with mode `0600`, and return it."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    path.chmod(0o600)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all, with mode `0600`.

    The bytes go to a new temporary file beside `path` (every short write continued until all
    are written), which is fsynced and then renamed over `path`; on any failure the temporary
    file is removed and `path` is left as it was.
    """
    # mkstemp: a fresh name (two writers never share one), O_EXCL, mode 0600.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return path


def _write_all(fd: int, data: bytes) -> None:
    """`os.write` may write only a part (a signal, a full disk); write the rest until done."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "the disk accepted no more bytes")
        view = view[written:]


def _sync_folder(folder: Path) -> None:
    """Make the rename durable too (best effort: some systems cannot fsync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
