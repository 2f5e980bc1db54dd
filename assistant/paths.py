"""Where the assistant keeps its private files, and how it keeps them private.

The data folder (journal, screenshots, traces, receipts, run records) is `0700` and every file
in it `0600`. Its location: `--data-dir`, else `$ASSISTANT_DATA_DIR`, else the user's data
directory from platformdirs.

Nothing private is written through a symbolic link: the data folder itself, and every folder
and file the assistant makes in it, must be real, or it is refused (a link would move private
files elsewhere, and fixing its mode would change the target's). Problems with the folder are
`DataFolderError`s whose message names the path and what to do, never an `OSError`.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import DataDirReadOnly, DataDirUnusable, DataFolderError, UnsafeDataDir

ENV_DATA_DIR = "ASSISTANT_DATA_DIR"
_WRITE_REFUSED = (errno.EACCES, errno.EPERM, errno.EROFS)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def data_dir(override: str | Path | None = None) -> Path:
    """The private data folder, created `0700` if missing; refused if others can read it, if
    it is a symbolic link or not a folder (`DataFolderError`, naming the fix)."""
    return _private_dir(data_dir_path(override), data_folder=True)


def data_dir_path(override: str | Path | None = None) -> Path:
    """Where the data folder is (see the module docstring), without looking at it."""
    if override is not None:
        path = Path(override)
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR])
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("assistant", appauthor=False))
    return path.expanduser()


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode `0700`; refuse an existing one open to others,
    a symbolic link, or something that is not a folder."""
    return _private_dir(path.expanduser(), data_folder=False)


def _private_dir(path: Path, *, data_folder: bool) -> Path:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        _make_dir(path)
        return path
    except OSError as error:
        raise DataDirUnusable(f"{path} cannot be used as a folder: {_reason(error)}") from None
    _check_private(path, info, data_folder=data_folder)
    return path


def _check_private(path: Path, info: os.stat_result, *, data_folder: bool) -> None:
    """Refuse (`DataFolderError`) an existing `path` that is a link, not a folder, or open to
    others; `info` is its `lstat`."""
    if stat.S_ISLNK(info.st_mode):
        raise _linked(path, data_folder)
    if not stat.S_ISDIR(info.st_mode):
        advice = "pass --data-dir with a folder" if data_folder else "move it aside"
        raise DataDirUnusable(f"{path} is {_kind(info.st_mode)}, not a folder; {advice}")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise UnsafeDataDir(_open_to_others(path, mode))


@dataclass(frozen=True, slots=True)
class DataDirState:
    """What a command would find at the data folder (see `inspect_data_dir`)."""

    path: Path
    kind: str  # "a folder", "a symbolic link", "a file" … ("" when there is nothing there)
    mode: int | None  # the folder's permission bits (None unless it is a folder)
    writable: bool  # this process may create files in it (or, missing, create it)
    problem: DataFolderError | None  # what a command that writes would refuse with

    @property
    def exists(self) -> bool:
        return bool(self.kind)

    @property
    def private(self) -> bool:
        """A folder closed to other users (`0700` or tighter)."""
        return self.mode is not None and not self.mode & 0o077


def inspect_data_dir(override: str | Path | None = None) -> DataDirState:
    """The data folder as the commands would find it, by the same checks, without creating,
    opening or changing anything (for `assistant doctor`)."""
    path = data_dir_path(override)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        parent = existing_parent(path)
        can_make = writable(parent)
        problem = None if can_make else read_only(parent, f"cannot create {path}")
        return DataDirState(path, "", None, can_make, problem)
    except OSError as error:
        unusable = DataDirUnusable(f"{path} cannot be used as a folder: {_reason(error)}")
        return DataDirState(path, "something unreadable", None, False, unusable)
    if stat.S_ISLNK(info.st_mode):
        kind, mode = "a symbolic link", None
    else:
        kind = _kind(info.st_mode)
        mode = stat.S_IMODE(info.st_mode) if stat.S_ISDIR(info.st_mode) else None
    try:
        _check_private(path, info, data_folder=True)
    except DataFolderError as refused:
        return DataDirState(path, kind, mode, writable(path), refused)
    if not writable(path):
        cannot = read_only(path, "the assistant cannot record anything")
        return DataDirState(path, kind, mode, False, cannot)
    return DataDirState(path, kind, mode, True, None)


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, mode=0o700)
        path.chmod(0o700)
    except OSError as error:
        if error.errno in _WRITE_REFUSED:
            raise read_only(existing_parent(path), f"cannot create {path}", error) from None
        raise DataDirUnusable(f"cannot create the folder {path}: {_reason(error)}") from None


def private_file(path: str | Path) -> Path:
    """Create `path` empty if missing, with mode `0600`, and return it; refuse a symbolic link
    or anything that is not a regular file."""
    path = Path(path)
    refuse_link_or_special(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o600)
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all, with mode `0600`.

    The bytes go to a new temporary file beside `path` (every short write continued until all
    are written), which is fsynced and then renamed over `path`; on any failure the temporary
    file is removed and `path` is left as it was. A `path` that is a symbolic link (or not a
    regular file) is refused, not replaced: something planted it in the private folder.
    """
    refuse_link_or_special(path)
    try:
        # mkstemp: a fresh name, O_EXCL (never through a link planted there), mode 0600.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise _write_error(path, error) from None
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


def _lstat(path: Path) -> os.stat_result | None:
    """`path`'s own status (None when nothing is there), or `DataDirUnusable` saying why it
    cannot be looked at."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DataDirUnusable(f"{path} cannot be used: {_reason(error)}") from None


def refuse_link_or_special(path: Path) -> os.stat_result | None:
    """Raise `UnsafeDataDir` if `path` is a symbolic link, `DataDirUnusable` if it exists and
    is not a regular file; its status when it is a regular file, None when it is absent."""
    info = _lstat(path)
    if info is None:
        return None
    if stat.S_ISLNK(info.st_mode):
        raise _linked(path, data_folder=False)
    if not stat.S_ISREG(info.st_mode):
        raise DataDirUnusable(
            f"{path} is {_kind(info.st_mode)}, not a file the assistant wrote; "
            "move it out of the data folder, then run again"
        )
    return info


def refuse_unsafe_settings(path: Path, why: str) -> None:
    """Raise `UnsafeDataDir` when another user could have written the settings file `path`
    (if it exists) or replaced it in its folder; `why` completes "and it …" (what the file
    decides), so the message says what is at stake.

    Refused: a folder that is a symbolic link, owned by another user, or writable by the group
    or others without the sticky bit; a file that is a link, owned by another user, or writable
    by the group or others. Each message names the path and the command that fixes it. Root
    may own either: it can change any file anyway. A file that is not a regular file raises
    `DataDirUnusable`. Reading the file after this is safe: nobody else can swap it.
    """
    folder = path.parent
    info = _lstat(folder)
    if info is None:
        return
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeDataDir(
            f"{folder} is a symbolic link; settings are read only from a real folder: replace "
            "the link with the folder it points to"
        )
    replace = f"who could replace {path.name} in it, which {why}"
    _refuse_others(folder, info, replace, "chmod 700", sticky_ok=True)
    info = refuse_link_or_special(path)
    if info is not None:
        _refuse_others(path, info, f"and it {why}", "chmod 600", sticky_ok=False)


def _refuse_others(
    path: Path, info: os.stat_result, stake: str, chmod: str, *, sticky_ok: bool
) -> None:
    """`UnsafeDataDir` when `path` (its `lstat` is `info`) belongs to another user, or the
    group or others may write it (for a folder with `sticky_ok`: unless its sticky bit keeps
    them from replacing what is not theirs)."""
    if info.st_uid not in (os.getuid(), 0):
        raise UnsafeDataDir(
            f"{path} belongs to another user (uid {info.st_uid}), {stake}; move it aside "
            f"(mv {path} {path}.not-mine), then run again"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022 and not (sticky_ok and mode & stat.S_ISVTX):
        raise UnsafeDataDir(
            f"{path} can be changed by other users (mode {mode:04o}), {stake}; fix it with: "
            f"{chmod} {path}"
        )


def read_only(folder: Path, action: str, error: OSError | None = None) -> DataDirReadOnly:
    """The error for a data folder that cannot be written, naming it and what to do."""
    if (error is not None and error.errno == errno.EROFS) or _on_read_only_disk(folder):
        return DataDirReadOnly(
            f"{action}: {folder} is on a read-only file system; "
            "pass --data-dir with a folder on a writable disk"
        )
    return DataDirReadOnly(
        f"{action}: {folder} cannot be written; make it writable "
        f"(chmod u+w {folder}) or pass --data-dir with another folder"
    )


def writable(folder: Path) -> bool:
    """True when this process may create files in `folder`."""
    return os.access(folder, os.W_OK | os.X_OK) and not _on_read_only_disk(folder)


def _on_read_only_disk(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _write_error(path: Path, error: OSError) -> Exception:
    if error.errno in _WRITE_REFUSED:
        return read_only(path.parent, f"cannot write {path}", error)
    if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link planted after the check
        return _linked(path, data_folder=False)
    return error


def _linked(path: Path, data_folder: bool) -> Exception:
    target = os.readlink(path)
    if data_folder and not path.exists():
        return DataDirUnusable(
            f"{path} is a symbolic link to {target}, which does not exist; the data folder "
            "must be a real folder: remove the link, or pass --data-dir with a real folder"
        )
    if data_folder:
        return UnsafeDataDir(
            f"{path} is a symbolic link to {target}; the data folder must be a real folder "
            "with its own permissions: remove the link and run again (a private folder is made "
            "in its place), or pass --data-dir with a real folder"
        )
    return UnsafeDataDir(
        f"{path} is a symbolic link to {target}; nothing private is written through a link: "
        "replace the link with what it points to, then run again"
    )


def _open_to_others(path: Path, mode: int) -> str:
    if mode & (stat.S_ISVTX | stat.S_IWOTH):  # a shared folder such as /tmp: never chmod it
        return (
            f"{path} is a shared folder (mode {mode:04o}) other users can write in; "
            "pass --data-dir with a private folder of your own"
        )
    return f"{path} can be read by other users (mode {mode:04o}); fix it with: chmod 700 {path}"


def existing_parent(path: Path) -> Path:
    """The nearest folder above `path` that exists."""
    for parent in path.parents:
        if parent.exists():
            return parent
    return path.parent


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _reason(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()
