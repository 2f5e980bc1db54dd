"""Ctrl-C in a sitting: a request to stop between two actions (`StopSwitch`), never an exception
in the middle of one, and the terminal that tells the switch when a prompt waits for a line
(`PromptWatch`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from assistant.sitting.terminal import RelayTerminal, Terminal


class StopSwitch:
    """Ctrl-C as a request to stop between actions, not an exception in the middle of one.

    While installed, SIGINT sets `requested`; only while the terminal waits for a typed line
    does it also raise `KeyboardInterrupt` (the gates turn that into "not confirmed").
    """

    def __init__(self) -> None:
        self.requested = False
        self.at_prompt = False
        self.line_ended = False  # the `^C` the terminal echoed is followed by a line break
        # Questions asked in another thread: Ctrl-C ends them at once (`cancel`).
        self.cancels: set[threading.Event] = set()

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        for cancel in list(self.cancels):
            cancel.set()
        if self.at_prompt:
            raise KeyboardInterrupt

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle SIGINT with this switch for the block (only in the main thread)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


class PromptWatch(RelayTerminal):
    """The person's terminal, telling the stop switch when a prompt waits for a line."""

    def __init__(self, inner: Terminal, switch: StopSwitch) -> None:
        super().__init__(inner)
        self.switch = switch

    def say(self, text: str) -> None:
        self._end_ctrl_c_line()
        self.inner.say(text)

    def ask(self, prompt: str, *, cancel: threading.Event | None = None) -> str | None:
        if self.switch.requested:
            self._end_ctrl_c_line()
            raise KeyboardInterrupt  # pressed while the browser worked: no more questions
        if cancel is not None:
            # Asked in a thread of its own while the main one works: Ctrl-C must not break
            # into that work, so it only sets `requested` and `cancel`, which ends the question.
            self.switch.cancels.add(cancel)
            try:
                return self.inner.ask(prompt, cancel=cancel)
            except KeyboardInterrupt:
                self.switch.line_ended = True
                raise
            finally:
                self.switch.cancels.discard(cancel)
        self.switch.at_prompt = True
        try:
            return self.inner.ask(prompt)
        except KeyboardInterrupt:
            self.switch.line_ended = True  # the prompt moved to a new line itself
            raise
        finally:
            self.switch.at_prompt = False

    def _end_ctrl_c_line(self) -> None:
        """Ctrl-C pressed while the browser worked left `^C` on the current line; what is
        said next starts on a line of its own."""
        if self.switch.requested and not self.switch.line_ended:
            self.switch.line_ended = True
            self.inner.output.write("\n")
            self.inner.output.flush()
