"""One run per profile at a time: a lock per profile, held from the start of a run to its end.

`<data dir>/locks/<sha256 of the profile's resolved path>.lock` (folder `0700`, file `0600`) is
locked with `flock(2)`. The kernel releases the lock when the process ends, however it ends
(Ctrl-C, a crash, SIGKILL), so a lock can never be left stuck behind. The file says who holds
it (pid, start time, command), for the message the second run shows; what it says is trusted
only while the lock is actually held.

A second `fill` or `batch` of a profile another run holds stops at once, before any browser opens,
with `ProfileBusy` (exit 6): two runs of one profile would only race to register the same numbers,
and the person at the second terminal cannot see the first. (Two different profiles listing the same
numbers are not serialised here: the duplicate guard's re-check in the intent's write transaction
refuses the second of them; see `assistant.records.duplicates.recheck`.)

While a run holds its profile, the rows it writes to the journal name it (`this_run().token`):
`holder` tells whether the run owning an open row is still alive.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant import paths
from assistant.errors import ProfileBusy
from assistant.records.journal.models import owner_token

LOCKS = "locks"
_MAX_INFO = 4096


@dataclass(frozen=True, slots=True)
class Holder:
    """A run of the assistant: its process id, when it started (UTC, ISO) and its command."""

    pid: int
    started: str
    command: str = ""

    @property
    def token(self) -> str:
        """What the journal's `owner` column holds for the rows of this run."""
        return owner_token(self.pid, self.started)

    def describe(self) -> str:
        """E.g. "pid 4242, `assistant fill`, started 2026-10-01 14:03:05 UTC"."""
        when = self.started.replace("T", " ").replace("Z", " UTC")
        command = f", `assistant {self.command}`" if self.command else ""
        return f"pid {self.pid}{command}, started {when}"


_this: Holder | None = None


def this_run() -> Holder:
    """This process as a run (its start time is taken the first time it is asked for)."""
    global _this
    if _this is None or _this.pid != os.getpid():  # a forked child is another run
        started = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        _this = Holder(pid=os.getpid(), started=started)
    return _this


def lock_path(data_dir: Path, profile_path: str | Path) -> Path:
    """The lock file of a profile, keyed by its resolved path (two spellings, one lock)."""
    key = hashlib.sha256(str(Path(profile_path).resolve()).encode("utf-8")).hexdigest()[:32]
    return data_dir / LOCKS / f"{key}.lock"


@contextmanager
def hold(data_dir: Path, profiles: Sequence[str | Path], command: str) -> Iterator[Holder]:
    """Hold the run lock of every profile for the block; raise `ProfileBusy` (holding none)
    when another run holds one of them."""
    me = this_run()
    me = Holder(me.pid, me.started, command)
    folder = paths.private_dir(data_dir / LOCKS)
    held: list[int] = []
    try:
        for profile in dict.fromkeys(str(Path(p).resolve()) for p in profiles):
            fd = _open(folder, lock_path(data_dir, profile))
            held.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
                raise ProfileBusy(_busy(profile, _read(fd), command)) from None
            info = json.dumps(
                {"pid": me.pid, "started": me.started, "command": command, "profile": profile}
            ).encode("utf-8")
            os.ftruncate(fd, 0)
            os.pwrite(fd, info, 0)
        yield me
    finally:
        for fd in held:
            os.close(fd)  # closing the descriptor releases its lock


def holder(data_dir: Path, profile_path: str | Path) -> Holder | None:
    """The run holding a profile's lock, or None when no run does.

    It tries the lock (shared, without waiting) and lets go at once: a run starting in that
    instant could be told the profile is busy, so this is for the rare questions (`settle`,
    `history`), never on a run's path.
    """
    path = lock_path(data_dir, profile_path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            return _read(fd) or Holder(pid=0, started="")
        return None
    finally:
        os.close(fd)


def _open(folder: Path, path: Path) -> int:
    # O_NOFOLLOW: a symlink planted in the private folder is refused, never followed.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _read(fd: int) -> Holder | None:
    """Who the lock file says holds it (None when it says nothing readable yet)."""
    try:
        data = json.loads(os.pread(fd, _MAX_INFO, 0).decode("utf-8"))
        return Holder(int(data["pid"]), str(data["started"]), str(data.get("command", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _busy(profile: str, other: Holder | None, command: str) -> str:
    who = f"another run ({other.describe()})" if other else "another run of the assistant"
    return (
        f"{profile} is in use by {who}; nothing was opened. Finish or stop that run (Ctrl-C "
        f"in its terminal), then run `assistant {command}` again."
    )
