"""The next submission prepared while the person reviews this one (`assistant.sitting.batch`).

When codes come without the person (the mailbox, the replica's outbox in the demo), submission
k+1 is prepared in a second browser context (its code sent, taken, verified, the form filled
and read back) while the person reads submission k's review, so that k+1's review can be shown
the moment k is answered. Playwright's sync API belongs to the thread that started it, so the
browser work stays in the main thread and the person's answer to k is read in a thread of its
own (`Turn`); k is finished (the intent, the one click, the outcome) in the main thread at the
first moment it can be: between two actions of k+1, or once k+1 is ready.

- `HeldTerminal`: k+1's terminal. What it says is held back until its turn (`release`), then
  shown in order, so that nothing appears between k's review and k's answer. A question it
  must ask (the mailbox gave no code) first waits for its turn.
- `Turn`: k at its review, its answer read in a thread. Ctrl-C (the batch's stop switch) ends
  the question as Ctrl-C at the prompt does, and nothing is clicked after it.
- `Ahead`: k+1 as prepared, or the error that stopped it, reported at its own turn.

Reviews still come one at a time and in order, and every submission keeps its own guard check,
typed `submit`, intent and single click (`assistant.sitting.session`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import Stopped
from assistant.log import console_handlers, get_logger
from assistant.sitting.terminal import RelayTerminal, Terminal

if TYPE_CHECKING:
    from assistant.portals.plan import SubmissionPlan
    from assistant.sitting.session import Prepared, Session

log = get_logger(__name__)

_POLL_S = 0.05  # how often the main thread, waiting for an answer, looks at Ctrl-C
_CANCEL_WAIT_S = 1.0  # how long a cancelled question may take to end


class HeldTerminal(RelayTerminal):
    """The terminal of a submission prepared during another's review; see the module docstring.

    `wait_turn` blocks until the submission before has been answered and finished, and says
    whether this one's turn has come (False: it never will, e.g. after Ctrl-C). Within
    `holding_logs`, the warnings its work prints to the terminal (a blocked request, a retried
    load) are held back with its lines, in order; the log files get them at once.
    """

    def __init__(self, inner: Terminal, wait_turn: Callable[[], bool]) -> None:
        super().__init__(inner)
        self._wait_turn = wait_turn
        self.held: list[str | logging.LogRecord] = []
        self.live = False
        self._log_handlers: list[logging.Handler] = []

    def say(self, text: str) -> None:
        if self.live:
            self.inner.say(text)
        else:
            self.held.append(text)

    def ask(self, prompt: str, *, cancel: threading.Event | None = None) -> str | None:
        if not self.live:
            if not self._wait_turn():
                raise KeyboardInterrupt  # its turn will not come: as if stopped at the prompt
            self.release()
        return self.inner.ask(prompt, cancel=cancel)

    @contextmanager
    def holding_logs(self, passing: Callable[[], bool]) -> Iterator[None]:
        """Hold back the console log records of the main thread while not live, except while
        `passing()` (the submission before is being finished: its records are its own)."""
        held = _HeldLogs(self, passing)
        self._log_handlers = console_handlers()
        for handler in self._log_handlers:
            handler.addFilter(held)
        try:
            yield
        finally:
            for handler in self._log_handlers:
                handler.removeFilter(held)

    def release(self) -> None:
        """Its turn: show what was held, in order, and say everything from now on at once."""
        if self.live:
            return
        self.live = True
        held, self.held = self.held, []
        for item in held:
            if isinstance(item, str):
                self.inner.say(item)
                continue
            for handler in self._log_handlers:
                if item.levelno >= handler.level:
                    handler.handle(item)

    def drop(self) -> None:
        """Its turn will not come: what was held is not shown (it is in the debug log)."""
        for item in self.held:
            if isinstance(item, str):
                log.debug("not shown (prepared ahead, then stopped): %s", item)
        self.held = []


class _HeldLogs(logging.Filter):
    """See `HeldTerminal.holding_logs`."""

    def __init__(self, terminal: HeldTerminal, passing: Callable[[], bool]) -> None:
        super().__init__()
        self.terminal = terminal
        self.passing = passing

    def filter(self, record: logging.LogRecord) -> bool:
        terminal = self.terminal
        if (
            terminal.live
            or self.passing()
            or threading.current_thread() is not threading.main_thread()
        ):
            return True
        if not terminal.held or terminal.held[-1] is not record:  # one entry per record
            terminal.held.append(record)
        return False


class Turn:
    """Submission k at its review while the main thread prepares k+1; see the module docstring.

    `ask(cancel)` reads the person's answer (None for `submit`, else why not) in a thread of
    its own; `finish(answer)` is then called in the main thread, once, by `pump` or `wait`.
    """

    def __init__(
        self,
        ask: Callable[[threading.Event], BaseException | None],
        finish: Callable[[BaseException | None], None],
        stop_requested: Callable[[], bool],
    ) -> None:
        self._finish = finish
        self._stop_requested = stop_requested
        self._cancel = threading.Event()
        self._answered = threading.Event()
        # None means `submit` typed: until the thread has read an answer, it is a refusal.
        self._answer: BaseException | None = Stopped(
            "No answer was read at the confirmation; nothing was submitted."
        )
        self._busy = False
        self.done = False
        self.crash: BaseException | None = None  # finishing k failed in the batch's own code
        self._thread = threading.Thread(
            target=self._read, args=(ask,), name="review-answer", daemon=True
        )
        self._thread.start()

    def _read(self, ask: Callable[[threading.Event], BaseException | None]) -> None:
        try:
            self._answer = ask(self._cancel)
        except BaseException as error:  # the terminal failed: k is not confirmed
            self._answer = error
        finally:
            self._answered.set()

    def pump(self) -> bool:
        """In the main thread, between two actions: finish k if the person has answered (or
        pressed Ctrl-C, which ends the question). Always False, so that it can stand in front
        of a stop predicate: `turn.pump() or stop()`."""
        if self.done or self._busy:
            return False
        if not self._answered.is_set():
            if not self._stop_requested():
                return False
            self._cancel.set()  # Ctrl-C: the question ends as if it had been pressed there
            self._answered.wait(_CANCEL_WAIT_S)
        if self._answered.is_set():
            answer = self._answer
        else:  # a question that cannot be cancelled: still no answer, so not confirmed
            answer = Stopped("Stopped with Ctrl-C at the confirmation; nothing was submitted.")
        self._busy = True
        try:
            self._finish(answer)
        except BaseException as error:
            self.crash = error
        finally:
            self._busy = False
            self.done = True
        return False

    @property
    def finishing(self) -> bool:
        """Whether the submission under review is being finished right now (main thread)."""
        return self._busy

    def wait(self) -> None:
        """Until k is answered and finished (Ctrl-C ends the wait too); a failure of the
        batch's own code in finishing it is raised here."""
        while not self.done:
            self._answered.wait(_POLL_S)
            self.pump()
        if self.crash is not None:
            raise self.crash


@dataclass(eq=False)
class Ahead:
    """Submission k+1, prepared during k's review: its session and terminal, and what came of
    the preparation (`prepared`, or the `error` that stopped it)."""

    position: int
    submission: SubmissionPlan
    session: Session
    terminal: HeldTerminal
    prepared: Prepared | None = None
    error: Exception | None = None

    def result(self) -> Prepared:
        """The prepared submission, or the error that stopped it raised now, at its turn."""
        if self.error is not None:
            raise self.error
        assert self.prepared is not None
        return self.prepared

    def drop(self, reason: str) -> None:
        """It will not be reviewed: its row closed as not sent, its context closed (what it
        says on the way, e.g. its trace's path, is still held back and then dropped)."""
        try:
            if self.prepared is not None:
                self.session.abandon(self.prepared, reason)
        except Exception as error:  # e.g. the journal that could not be written
            log.warning("A submission prepared ahead could not be closed: %s", error)
        finally:
            self.terminal.drop()
