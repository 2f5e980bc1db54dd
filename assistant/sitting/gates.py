"""The human gates, and every word the assistant says at the terminal while filling.

- The emailed code: asked through a `CodeSource`. `TerminalCodeSource` asks the person (the
  prompt shows the address partly masked, `d***@lakeside.example.org`); an empty answer means
  "I typed it into the browser myself". `assistant.mailbox.MailboxCodeSource` reads it from the
  person's mailbox. `OutboxCodeSource` reads the replica's outbox and exists only for
  `assistant demo`.
- The review: a table of every field with the profile's value, the value read back from the
  page and `≠` where they differ, plus the screenshot's path. It is the only place contact
  details are shown unmasked. It uses the terminal's whole width and wraps; it never cuts a
  value short. Every value is printed literally (`assistant.terminal_text.literal`): markup
  such as `[b]` shows as typed, control characters and characters that show as nothing or a
  blank (U+3164 HANGUL FILLER, zero-width spaces) show as escapes like `\\x1b`, `\\u3164`.
- The confirmation is not pluggable: `confirm_submit` reads one line from the `Terminal`,
  which must be a TTY, and only the word `submit`, exactly and in lower case (spaces around
  it ignored), lets the submission go. Anything else (`Submit`, `SUBMIT`, `s`, `yes`, an
  empty line) raises `NotConfirmed`; Ctrl-C or end of input (Ctrl-D) raise `Stopped`, and so
  does Ctrl-C at the code prompt.
"""

from __future__ import annotations

import os
import select
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO, runtime_checkable

from assistant.browser.fields import ReadBack
from assistant.errors import NotConfirmed, Stopped
from assistant.log import redact, unredacted
from assistant.terminal_text import columns, literal, rendered

if TYPE_CHECKING:
    from rich.console import RenderableType

CONFIRM_WORD = "submit"

# A code mail counts when the mail server received it at or after `CodeRequest.sent_after`. That
# time is read on this machine's clock and compared with the server's, so it is moved back by
# this much: enough for two NTP-synced clocks and INTERNALDATE's whole seconds, short enough that
# a code mailed for an earlier attempt is not mistaken for this one's.
CLOCK_SKEW = timedelta(seconds=10)

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


def _sent_after_default() -> datetime:
    return datetime.now(UTC) - CLOCK_SKEW


def _never() -> bool:
    return False


@dataclass(frozen=True, slots=True)
class CodeRequest:
    """What a code source needs to know: where the code went, and what went wrong before."""

    email: str
    digits: int = 5
    attempt: int = 1
    problem: str = ""  # the page's message about the previous code
    browser_visible: bool = True
    # The earliest time (UTC, mail server's clock) a mail holding this code can have been
    # received: the send click minus `CLOCK_SKEW`. By default, when the request is made (after
    # the click) minus `CLOCK_SKEW`; a caller that knows the click's time passes
    # `click_time - CLOCK_SKEW`.
    sent_after: datetime = field(default_factory=_sent_after_default)
    stop_requested: Callable[[], bool] = _never  # true once the person pressed Ctrl-C


class CodeSource(Protocol):
    """Where the emailed verification code comes from."""

    def code(self, request: CodeRequest) -> str | None:
        """The code, or None when the person typed it into the browser themselves."""


@runtime_checkable
class UnattendedCodeSource(CodeSource, Protocol):
    """A code source that needs no person while the code comes as it should (the mailbox, the
    replica's outbox): the next submission can be prepared while the person reviews one."""

    def through(self, terminal: Terminal) -> CodeSource:
        """The same source (the same mails taken) saying its lines, and asking the person
        when it must, through `terminal` instead."""


def mask_email(email: str) -> str:
    """`dana@lakeside.example.org` -> `d***@lakeside.example.org`."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


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


class TerminalCodeSource:
    """Asks the person at the terminal; re-asks until the answer has the right digits."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal

    def code(self, request: CodeRequest) -> str | None:
        """The code typed at the terminal, or None for "typed into the browser"."""
        if request.problem:
            self.terminal.say(f"The portal did not accept the code: {request.problem}")
        else:
            self.terminal.say(
                f"A {request.digits}-digit verification code was emailed to "
                f"{mask_email(request.email)} (from no-reply@tnsi.com)."
            )
        prompt = f"Type the {request.digits}-digit code"
        prompt += (
            " (or type it into the browser and just press Enter): "
            if request.browser_visible
            else ": "
        )
        while True:
            try:
                answer = self.terminal.ask(prompt)
            except KeyboardInterrupt:
                raise Stopped(
                    "Stopped with Ctrl-C at the code prompt; nothing was submitted."
                ) from None
            if answer is None:
                raise Stopped(
                    "Stopped with Ctrl-D (end of input) at the code prompt; nothing was submitted."
                )
            answer = answer.strip().replace(" ", "")
            if not answer and request.browser_visible:
                return None
            if answer.isdigit() and len(answer) == request.digits:
                return answer
            self.terminal.say(f"The code has exactly {request.digits} digits; try again.")


class OutboxCodeSource:
    """Reads the code from the replica's outbox: for `assistant demo` only, never a real run."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def code(self, request: CodeRequest) -> str | None:
        """The newest code the replica mailed to the address."""
        return self.outbox.latest_code(request.email)

    def through(self, terminal: Terminal) -> OutboxCodeSource:
        """Itself: it says nothing and asks no one."""
        return self


class Outbox(Protocol):
    """Anything that knows the newest code mailed to an address (the replica does)."""

    def latest_code(self, email: str) -> str:
        """The newest code sent to `email`."""
        ...


@dataclass(frozen=True, slots=True)
class Review:
    """What the person reviews before one submission.

    `label` names the profile (the confirmation prompt says it: the header has scrolled away
    by then); `notes` are lines printed under the table, after the differences.
    """

    title: str
    portal: str
    values: tuple[ReadBack, ...]
    screenshot: Path
    label: str = ""
    notes: tuple[str, ...] = ()  # shown under the table (e.g. elements found by a fallback)

    @property
    def differences(self) -> list[ReadBack]:
        """The values the page shows differently from what was meant."""
        return [v for v in self.values if not v.equal]


def render_review(review: Review, terminal: Terminal) -> None:
    """Print the review table (values unmasked: this is where the person checks them).

    The table takes the terminal's width and wraps long values inside their cells (a word
    longer than its cell is folded), so every character of every value is shown. Values are
    printed literally: never read as markup, control characters shown as escapes.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{literal(review.title)} — please review"), title_justify="left")
    for header in ("Step", "Field", "Profile", "On the page (read back)"):
        table.add_column(Text(header), overflow="fold")
    table.add_column("", justify="center", no_wrap=True)
    for value in review.values:
        if value.absent:
            shown = Text(literal(value.shown))
            mark = Text("–")
        elif value.equal:
            shown = Text(literal(value.shown) or "—")
            mark = Text("✓")
        else:
            shown = Text(literal(value.shown) or "(empty)", style="red")
            mark = Text("≠", style="bold red")
        table.add_row(
            Text(literal(value.step)),
            Text(literal(value.field)),
            Text(literal(value.profile) or "—"),
            shown,
            mark,
        )
    lines: list[RenderableType] = [table]
    if review.differences:
        names = ", ".join(literal(v.field) for v in review.differences)
        lines.append(Text(f"≠ The page differs from the profile in: {names}", style="bold red"))
    lines += [Text(literal(note, newlines=True)) for note in review.notes]
    shot = f"Screenshot of the filled form: {literal(review.screenshot)}\n"
    answering = terminal.answer_output()
    # Also into `output` when it goes elsewhere (a file), where it is the run's record.
    outputs: list[TextIO] = (
        [answering] if answering is terminal.output else [answering, terminal.output]
    )
    for stream in outputs:
        out = unredacted(stream)  # the one place contact details are shown: past the redactor
        try:
            colour = out.isatty()
        except (ValueError, OSError):
            colour = False
        width = terminal.width() if stream is terminal.output else columns(out)
        out.write(rendered(lines, width=width, colour=colour))
        out.write(shot)  # written plainly so a long path is never wrapped: it stays copyable
        out.flush()
    terminal.reviewed = True


def confirm_submit(
    terminal: Terminal, review: Review, *, cancel: threading.Event | None = None
) -> None:
    """Return only when the person typed `submit` at a terminal; else raise `NotConfirmed`
    (`Stopped` for Ctrl-C or end of input). The prompt names the profile and the submission.
    `cancel` (for a confirmation read in a thread of its own): setting it counts as Ctrl-C."""
    if not terminal.is_tty():
        raise NotConfirmed(
            "Input is not a terminal, so nobody could confirm; nothing was submitted. "
            "Run the command in a terminal to review and submit."
        )
    if not terminal.reviewed:
        raise NotConfirmed(
            "The review was not shown on the terminal the answer would come from; nothing "
            "was submitted."
        )
    terminal.reviewed = False  # one review, one answer
    if terminal.discard_typed_ahead():
        terminal.say("(What was typed before this review was shown has been ignored.)")
    what = review.title[:1].lower() + review.title[1:]
    if review.label:
        what = f"{review.label}, {what}"
    prompt = f'Type "{CONFIRM_WORD}" to send {what}, anything else to stop: '
    try:
        answer = terminal.ask(prompt, cancel=cancel)
    except KeyboardInterrupt:
        raise Stopped("Stopped with Ctrl-C at the confirmation; nothing was submitted.") from None
    if answer is None:
        raise Stopped(
            "Stopped with Ctrl-D (end of input) at the confirmation; nothing was submitted."
        )
    # Exactly the word, in lower case: a word typed in capitals, abbreviated or run together
    # with another is not the deliberate answer the review asks for.
    if answer.strip() != CONFIRM_WORD:
        raise NotConfirmed(
            f'You typed "{answer.strip()[:20]}", not "submit"; nothing was submitted.'
        )
