"""A person at a pseudo-terminal, for in-process tests of the gates: what they type goes into
the pty's master side, what the assistant prints is collected from it."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import termios
import threading
import time
from collections.abc import Callable

from assistant.sitting.terminal import Terminal

# The questions the assistant asks at a terminal: a person answers when one is on the screen.
PROMPT = re.compile(
    r"(anything else to stop: |Type the \d+-digit code[^\n]*: |Type \"yes\" to save: )$"
)


class PtyPerson:
    """Answers the assistant's questions at a real TTY the `terminal` reads from, as a person
    does: each of `lines` (then Enter) is typed when the next question shows, and with `eof`
    Ctrl-D after them (at the question after the last line). A line may be a function, called
    when its question shows (e.g. for a code mailed a moment ago). Typing ahead, before the
    question is on the screen, is `type()`'s job. `size` (rows, columns) sets the window size
    the TTY reports."""

    def __init__(
        self,
        *lines: str | Callable[[], str],
        eof: bool = False,
        size: tuple[int, int] | None = None,
    ) -> None:
        self.master, slave = pty.openpty()
        if size is not None:  # (rows, columns), as a terminal window reports them
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
        self.terminal = Terminal(
            os.fdopen(slave, "r", encoding="utf-8"),
            os.fdopen(os.dup(slave), "w", encoding="utf-8"),
        )
        self._chunks: list[bytes] = []
        self._syncs = 0
        self._lock = threading.Lock()
        self._answers: list[str | Callable[[], str] | None] = list(lines)
        if eof:
            self._answers.append(None)  # Ctrl-D
        self._answered_up_to = 0  # the screen's length when the last answer was typed
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self._chunks.append(data)
                shown = b"".join(self._chunks).decode("utf-8", "replace")
                asked = PROMPT.search(shown[self._answered_up_to :])
                if asked and self._answers:
                    self._answered_up_to = len(shown)
                    answer = self._answers.pop(0)
                    if answer is None:
                        os.write(self.master, b"\x04")
                    else:
                        line = answer if isinstance(answer, str) else answer()
                        os.write(self.master, line.encode() + b"\n")

    def type(self, line: str) -> None:
        """Type a line and press Enter now, whatever is on the screen (the tty queues it until
        it is read)."""
        os.write(self.master, line.encode() + b"\n")

    def end_input(self) -> None:
        """Press Ctrl-D at the start of a line: the reader sees end of input."""
        os.write(self.master, b"\x04")

    def screen(self, expect: str = "", times: int = 1, settle: float = 5.0) -> str:
        """Everything shown so far, once `expect` shows `times` times (or after `settle` s).

        The pty is drained by a thread, so text printed a moment ago may still be in flight.
        Without `expect`, a marker is written behind everything printed so far and the screen
        is read once the marker has come through: the pty keeps order, so nothing is missed.
        """
        if not expect:
            self._syncs += 1
            expect, times = f"\x1esync-{self._syncs}\x1e", 1
            self.terminal.output.write(expect)
            self.terminal.output.flush()
        deadline = time.monotonic() + settle
        while True:
            with self._lock:
                text = b"".join(self._chunks).decode("utf-8", "replace").replace("\r\n", "\n")
            if text.count(expect) >= times or time.monotonic() > deadline:
                return re.sub("\x1esync-\\d+\x1e", "", text)
            time.sleep(0.02)

    def close(self) -> None:
        """Close both sides, the reader thread gone before the master's fd number is free.

        Closing the slave makes the master's read fail, which ends the thread; only then is the
        master closed. Otherwise a lingering thread could read from a later PtyPerson's pty that
        the kernel gave the same fd number, and that person's screen would miss its text.
        """
        self.terminal.input.close()
        self.terminal.output.close()
        self._reader.join(timeout=10)
        os.close(self.master)
