"""The terminal the person answers at: one line read at a time from a real TTY, a question that
can be cancelled while it waits, and a relay that lets a batch watch its prompts.
"""

from __future__ import annotations

import os
import select
import sys
import threading
from typing import TextIO

from assistant.log import redact
from assistant.terminal_text import columns, literal

_CANCEL_SLICE_S = 0.05  # how often a cancellable question looks at its `cancel`


class Terminal:
    """A person at a terminal: lines in from `input`, text out to `output`.

    Questions, and the review a confirmation asks about, go where the person who answers sees
    them (`answer_output`): `output` when it is the terminal `input` reads from, else that
    terminal itself (stdout redirected to a file must not leave the person typing blind).
    """

    def __init__(self, input: TextIO | None = None, output: TextIO | None = None) -> None:
        self.input = input if input is not None else sys.stdin
        self.output = output if output is not None else sys.stdout
        self.reviewed = False  # a review was written to `answer_output` and not answered yet
        self._answer_output: TextIO | None = None

    def answer_output(self) -> TextIO:
        """The stream the person who answers at `input` reads (see the class docstring)."""
        if self._answer_output is None:
            self._answer_output = self.output
            reading = _tty(self.input)
            writing = _tty(self.output)
            if reading is not None and (
                writing is None or not os.path.samestat(os.fstat(reading), os.fstat(writing))
            ):
                # Kept open for the run: every later question goes there too.
                self._answer_output = open(  # noqa: SIM115
                    os.ttyname(reading), "w", encoding="utf-8"
                )
        return self._answer_output

    def discard_typed_ahead(self) -> bool:
        """Throw away whatever was typed before now and not read yet (a `submit` typed at the
        code prompt must not answer the confirmation); True when something was thrown away."""
        fd = _tty(self.input)
        if fd is None:
            return False
        import fcntl
        import struct
        import termios

        try:
            pending = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
            termios.tcflush(fd, termios.TCIFLUSH)
        except OSError:
            return False
        return bool(pending)

    def is_tty(self) -> bool:
        """Whether a person can be typing at `input` (a TTY, not a pipe or a file)."""
        try:
            return self.input.isatty()
        except (ValueError, OSError):
            return False

    def width(self) -> int | None:
        """The columns of the terminal `output` shows on; `$COLUMNS` when it is not one (or
        reports no size); None when neither says (a file: no line needs wrapping)."""
        return columns(self.output)

    def say(self, text: str) -> None:
        """Print a line, with contact details and codes masked, and literally (line breaks
        kept, any other control character shown as an escape)."""
        self.output.write(literal(redact(text), newlines=True) + "\n")
        self.output.flush()

    def ask(self, prompt: str, *, cancel: threading.Event | None = None) -> str | None:
        """Print `prompt` and read one line; None at end of input (Ctrl-D).

        After Ctrl-C (which the terminal echoes as `^C`) or Ctrl-D the cursor is moved to a
        new line, so whatever is said next does not run on from the prompt. With `cancel`
        (asked from a thread other than the main one, which Ctrl-C does not reach), setting
        it ends the wait as Ctrl-C would: `KeyboardInterrupt`, nothing read.
        """
        shown = self.answer_output()
        shown.write(literal(prompt))
        shown.flush()
        try:
            if cancel is not None:
                self._wait_for_line(cancel)
            line = self.input.readline()
        except KeyboardInterrupt:
            self._new_line()
            raise
        if not line:
            self._new_line()
            return None
        return line.rstrip("\r\n")

    def _wait_for_line(self, cancel: threading.Event) -> None:
        """Return once a line (or end of input) can be read from `input` without waiting;
        `KeyboardInterrupt` as soon as `cancel` is set. A terminal hands over whole lines,
        so a ready terminal is a typed line; an input that is not a file is always ready."""
        try:
            fd = self.input.fileno()
        except (AttributeError, ValueError, OSError):
            fd = None
        while fd is not None and not cancel.is_set():
            ready, _, _ = select.select([fd], [], [], _CANCEL_SLICE_S)
            if ready:
                return
        if cancel.is_set():
            raise KeyboardInterrupt

    def _new_line(self) -> None:
        try:
            self.answer_output().write("\n")
            self.answer_output().flush()
        except (ValueError, OSError):
            pass


def _tty(stream: TextIO) -> int | None:
    """The file descriptor of `stream` when it is a terminal, else None."""
    try:
        fd = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    return fd if os.isatty(fd) else None


class RelayTerminal(Terminal):
    """A terminal that passes everything on to another (`inner`); a subclass changes only
    what it must (the batch watching its prompts, a submission whose turn has not come)."""

    def __init__(self, inner: Terminal) -> None:
        super().__init__(inner.input, inner.output)
        self.inner = inner

    def is_tty(self) -> bool:
        return self.inner.is_tty()

    def width(self) -> int | None:
        return self.inner.width()

    def answer_output(self) -> TextIO:
        return self.inner.answer_output()

    def discard_typed_ahead(self) -> bool:
        return self.inner.discard_typed_ahead()
