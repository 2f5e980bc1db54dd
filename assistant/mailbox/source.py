"""`MailboxCodeSource`: the emailed code, read from the person's mailbox instead of asked for.

For a first attempt it opens its own connection (so calls from several threads, e.g. a second
browser context preparing the next submission, never share one), and takes the newest mail that

- is from the configured sender (`no-reply@tnsi.com`), exactly;
- is addressed to the submission's contact address (To or Cc);
- was received (the server's INTERNALDATE) at or after `CodeRequest.sent_after`;
- holds a code in its subject or body (`assistant.mailbox.codes`);
- was not taken before by this process (a batch sends many codes to one address).

It waits for one with IDLE, or polls with backoff, up to `timeout_s`; then, or when the mailbox
cannot be used, it says why in one line and asks the `fallback` (the terminal). A code the page
refused (`attempt > 1`) is never looked up again: the person is asked. The code is registered as
a secret before anything else happens to it, and the only thing said about it is when its mail
arrived: "Using the code from the mailbox (received 16:53:02)."

The mailbox is read in a worker thread of its own (`_Reading`); the caller's thread only waits,
in slices of `WAIT_SLICE_S`, asking `CodeRequest.stop_requested()` between them. So a mail
server that stalls (silent, or one byte every few seconds) never holds the caller: in a batch
that is the main thread, which finishes the submission under review between two slices (its
click must not wait for the mailbox), and Ctrl-C ends the wait at the next slice. A reading
given up on is cut off (its socket shut) and ends by itself; what it finds is never used.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from assistant import log
from assistant.errors import MailboxError, NotConfirmed
from assistant.mailbox.codes import addresses, find_code, is_from, is_to
from assistant.mailbox.config import MailboxSettings
from assistant.mailbox.imap import MAX_MAIL_BYTES, Mailbox
from assistant.sitting.code_sources import CodeRequest, CodeSource, TerminalCodeSource, mask_email
from assistant.sitting.terminal import Terminal

logger = log.get_logger(__name__)

DEFAULT_TIMEOUT_S = 300.0
CONNECT_TIMEOUT_S = 20.0
SCAN_LIMIT = 20  # newest candidate mails looked into per check; older ones cannot win
WAIT_SLICE_S = 0.05  # how often a caller waiting for the mailbox asks whether to stop
STOPPED = "Stopped by Ctrl-C while waiting for the code mail; nothing was submitted."


@dataclass(frozen=True, slots=True)
class CodeMail:
    """A code found in the mailbox, and when its mail arrived."""

    code: str
    received: datetime
    uid: int


def backoff(first: float = 0.5, factor: float = 1.6, cap: float = 10.0) -> Iterator[float]:
    """Seconds between polls of a server without IDLE: 0.5, 0.8, 1.3 … then every 10 s."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, cap)


def duration(seconds: float) -> str:
    """`300` -> "5 min", `90` -> "90 s"."""
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


class MailboxCodeSource:
    """See the module docstring. `say` shows one line to the person (thread-safe callers may
    pass their own); `fallback` is asked whenever the mailbox gives no code."""

    def __init__(
        self,
        settings: MailboxSettings,
        password: str,
        *,
        fallback: CodeSource,
        say: Callable[[str], None],
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.settings = settings
        self._password = password
        self.fallback = fallback
        self.say = say
        self.timeout_s = timeout_s
        self._taken: set[tuple[str, int]] = set()  # (folder, UID) of mails already used
        self._lock = threading.Lock()
        log.register_secret(password)

    def through(self, terminal: Terminal) -> MailboxCodeSource:
        """The same mailbox, with the same mails taken, saying its lines through `terminal`
        and, when its fallback is the person at the terminal, asking through it too."""
        view = copy.copy(self)  # shares `_taken` and `_lock`: a mail is still taken once
        view.say = terminal.say
        if isinstance(self.fallback, TerminalCodeSource):
            view.fallback = TerminalCodeSource(terminal)
        return view

    def code(self, request: CodeRequest) -> str | None:
        """The code from the newest matching mail, else whatever the fallback gives."""
        if request.attempt > 1 or request.problem:
            return self.fallback.code(request)  # refused once: never the mailbox again
        self.say(
            f"Waiting for the code mail to {mask_email(request.email)} in the mailbox "
            f"(up to {duration(self.timeout_s)})."
        )
        try:
            found = self._read_aside(request)
        except MailboxError as error:
            logger.info("mailbox: no code from the mailbox: %s", error)
            self.say(f"{error} Type the code yourself.")
            return self.fallback.code(request)
        if found is None:
            self.say(
                f"No code mail from {self.settings.sender} reached the mailbox within "
                f"{duration(self.timeout_s)}; type the code yourself."
            )
            return self.fallback.code(request)
        self.say(f"Using the code from the mailbox (received {_clock(found.received)}).")
        return found.code

    def _read_aside(self, request: CodeRequest) -> CodeMail | None:
        """`_watch` in a worker thread while this one waits in short slices, asking
        `request.stop_requested()` between them (never from the worker: in a batch it finishes
        another submission in the browser). `NotConfirmed` as soon as a stop is asked for; the
        reading is then cut off and what it finds is dropped."""
        reading = _Reading()
        threading.Thread(
            target=reading.run,
            args=(lambda: self._watch(request, reading),),
            name="mailbox-read",
            daemon=True,
        ).start()
        try:
            done = False
            while not done:
                done = reading.done.wait(WAIT_SLICE_S)
                if request.stop_requested():  # also as the mail came: its code is not used
                    raise NotConfirmed(STOPPED)
        finally:
            if not reading.done.is_set():
                reading.abandon()
        return reading.result()

    def _watch(self, request: CodeRequest, reading: _Reading) -> CodeMail | None:
        """In the worker: the newest code mail, waited for up to `timeout_s`; None when none
        came, or when the reading was given up on."""
        deadline = time.monotonic() + self.timeout_s
        # Connecting has its own bound: a short wait for the mail must not fail a slow login.
        with (
            Mailbox.open(self.settings, self._password, timeout_s=CONNECT_TIMEOUT_S) as box,
            reading.using(box),
        ):
            pauses = backoff()
            while not reading.abandoned.is_set():
                found = self._newest(box, request)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                wait = left if box.can_idle else min(next(pauses), left)
                box.wait_for_news(wait, reading.abandoned.is_set)
            return None

    def _newest(self, box: Mailbox, request: CodeRequest) -> CodeMail | None:
        """The newest mail that passes every rule, marked as taken; None if there is none."""
        since = (request.sent_after - timedelta(days=1)).date()  # SINCE is by day, server time
        stamps = box.stamps(box.search_from(self.settings.sender, to=request.email, since=since))
        # INTERNALDATE has whole seconds: a mail received in the second of the click counts.
        floor = request.sent_after.replace(microsecond=0)
        fresh = [s for s in stamps if s.received >= floor and s.size <= MAX_MAIL_BYTES]
        fresh.sort(key=lambda s: (s.received, s.uid), reverse=True)
        for stamp in fresh[:SCAN_LIMIT]:
            key = (self.settings.folder, stamp.uid)
            with self._lock:
                if key in self._taken:
                    return None  # the newest was used already: only a newer one can be right
            message = box.message(stamp.uid)
            if message is None or not is_from(message, self.settings.sender):
                continue
            if not is_to(message, request.email):
                continue
            code = find_code(message, request.digits)
            if code is None:
                continue
            log.register_secret(code)  # before anything could show or log it
            with self._lock:
                if key in self._taken:  # another thread took it meanwhile
                    return None
                self._taken.add(key)
            logger.debug("mailbox: took the code of mail UID %d", stamp.uid)
            return CodeMail(code, stamp.received, stamp.uid)
        return None


class _Reading:
    """One look into the mailbox, run in a worker thread (`run`) and waited for by the caller
    (`done`, `result`), which may give up on it (`abandon`): the worker is then told to stop,
    and the connection it reads from is shut, so a read blocked on a silent server ends at
    once rather than at its time-out."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.abandoned = threading.Event()
        self._found: CodeMail | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._box: Mailbox | None = None

    def run(self, read: Callable[[], CodeMail | None]) -> None:
        try:
            self._found = read()
        except BaseException as error:  # given to the caller, in its thread
            self._error = error
        finally:
            self.done.set()

    def result(self) -> CodeMail | None:
        """What the worker found, or the error it stopped with raised here."""
        if self._error is not None:
            raise self._error
        return self._found

    @contextmanager
    def using(self, box: Mailbox) -> Iterator[None]:
        """While the worker reads from `box`, `abandon` may shut its connection; not after
        (the worker then logs out, or closes the socket itself)."""
        with self._lock:
            self._box = box
        try:
            if self.abandoned.is_set():  # given up on while it was logging in
                box.cut_off()
            yield
        finally:
            with self._lock:
                self._box = None

    def abandon(self) -> None:
        """The caller stops waiting: the worker stops, its connection is shut."""
        self.abandoned.set()
        with self._lock:
            if self._box is not None:
                self._box.cut_off()


def _clock(moment: datetime) -> str:
    """The local wall-clock time of `moment`, e.g. 16:53:02."""
    return moment.astimezone().strftime("%H:%M:%S")


@dataclass(frozen=True, slots=True)
class MailboxCheck:
    """What `assistant mailbox test` reports: the login worked, and the newest code mail."""

    can_idle: bool
    received: datetime | None  # when the newest code mail from the sender arrived
    to: str = ""  # its first recipient


def check_mailbox(settings: MailboxSettings, password: str) -> MailboxCheck:
    """Log in and find the newest mail from the sender that holds a code (any recipient).
    The code is registered as a secret and not returned. `MailboxError` when it fails."""
    with Mailbox.open(settings, password, timeout_s=CONNECT_TIMEOUT_S) as box:
        stamps = box.stamps(box.search_from(settings.sender))
        stamps.sort(key=lambda s: (s.received, s.uid), reverse=True)
        for stamp in stamps[:SCAN_LIMIT]:
            if stamp.size > MAX_MAIL_BYTES:
                continue
            message = box.message(stamp.uid)
            if message is None or not is_from(message, settings.sender):
                continue
            code = find_code(message)
            if code is None:
                continue
            log.register_secret(code)
            to = sorted(addresses(message, "To", "Cc"))
            return MailboxCheck(box.can_idle, stamp.received, to[0] if to else "")
        return MailboxCheck(box.can_idle, None)
