"""A scripted person at a real pseudo-terminal: the one reader of the screen the benchmarks share.

A thread reads everything the assistant shows on the terminal and, whenever one of the person's
prompts shows, calls its function and types the line it returns, then Enter (`None`: nothing;
the function may press Ctrl-C itself). Prompts are found in the order they show, also when one
arrives split over two reads. The function runs on the reader's thread: while it waits (a
person reading a review), nothing more is read, as a person who reads does not type either.

    with at_terminal({CONFIRM: lambda: "no"}) as (person, terminal):  # the assistant in process
        Batch(..., terminal, ...).run(...)

    with command_at_terminal(["assistant", "fill", ...], {CODE: code}, ROOT) as person:
        status = person.wait(timeout=120)  # a command, at its own terminal
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import struct
import termios
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.sitting.terminal import Terminal

# A prompt as the assistant prints it, and what the person answers when it shows.
Answers = Mapping[bytes, Callable[[], str | None]]
SIZE = (50, 200)  # (rows, columns) of a command's terminal window


class PtyPerson:
    """Reads the master side `master` of a pseudo-terminal and answers `answers`' prompts.
    `keys` counts the keys typed (Enter included); `pid` is the command's, when one was
    started on the terminal (`command_at_terminal`)."""

    def __init__(self, answers: Answers, master: int, pid: int | None = None) -> None:
        self.master = master
        self.pid = pid
        self.keys = 0
        self._answers = dict(answers)
        self._tail = max(len(prompt) for prompt in self._answers)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the other side is closed
                return
            if not data:
                return
            buffer += data
            while True:
                shown = [(buffer.find(p), p) for p in self._answers if p in buffer]
                if not shown:
                    buffer = buffer[-self._tail :]  # (a prompt may be half here)
                    break
                at, prompt = min(shown)
                buffer = buffer[at + len(prompt) :]
                line = self._answers[prompt]()
                if line is not None:
                    self.type(line)

    def type(self, line: str) -> None:
        """Type `line`, then Enter."""
        self.keys += len(line) + 1
        os.write(self.master, line.encode() + b"\n")

    def ctrl_c(self) -> None:
        """Press Ctrl-C: the terminal interrupts the command it runs (SIGINT)."""
        os.write(self.master, b"\x03")

    def wait(self, timeout: float) -> int:
        """Wait until the command ends (its terminal closes): its exit code, or minus the
        signal that ended it (as `subprocess` says it). After `timeout` s it is killed."""
        assert self.pid is not None, "no command was started on this terminal"
        self._reader.join(timeout)
        if self._reader.is_alive():
            os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """Once the other side is closed: the reader gone before the master's fd number is
        free for another terminal, then the master closed."""
        self._reader.join(timeout=10)
        os.close(self.master)


def _set_size(fd: int, size: tuple[int, int]) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))


@contextlib.contextmanager
def at_terminal(
    answers: Answers, size: tuple[int, int] | None = None
) -> Iterator[tuple[PtyPerson, Terminal]]:
    """A person at a new pseudo-terminal, and the `Terminal` the assistant, run in this
    process, reads and writes there. Its window has `size` (rows, columns) when given, else
    none (0 by 0, as a new pseudo-terminal starts)."""
    from assistant.sitting.terminal import Terminal

    master, slave = pty.openpty()
    if size is not None:
        _set_size(slave, size)
    terminal = Terminal(
        os.fdopen(slave, "r", encoding="utf-8"),
        os.fdopen(os.dup(slave), "w", encoding="utf-8"),
    )
    person = PtyPerson(answers, master)
    try:
        yield person, terminal
    finally:
        terminal.input.close()
        terminal.output.close()
        person.close()


@contextlib.contextmanager
def command_at_terminal(
    command: Sequence[str], answers: Answers, cwd: Path, size: tuple[int, int] = SIZE
) -> Iterator[PtyPerson]:
    """`command` started on a new pseudo-terminal (its controlling terminal, `size` rows and
    columns), from `cwd`, a person at it; killed at the end if it still runs."""
    pid, master = pty.fork()
    if pid == 0:  # the child: the terminal is its standard input, output and error
        try:
            _set_size(pty.STDOUT_FILENO, size)
            os.chdir(cwd)
            os.execv(command[0], list(command))  # noqa: S606 (an argument list, no shell)
        finally:
            os._exit(127)
    person = PtyPerson(answers, master, pid)
    try:
        yield person
    finally:
        with contextlib.suppress(ChildProcessError):  # (unless `wait` has seen it end)
            if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still running
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        person.close()
