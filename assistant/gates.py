"""The human gates, and every word the assistant says at the terminal while filling.

- The emailed code: asked through a `CodeSource`. `TerminalCodeSource` asks the person (the
  prompt shows the address partly masked, `d***@lakeside.example.org`); an empty answer means
  "I typed it into the browser myself". `assistant.mailbox.MailboxCodeSource` reads it from the
  person's mailbox. `OutboxCodeSource` reads the replica's outbox and exists only for
  `assistant demo`.
- The review: a table of every field with the profile's value, the value read back from the
  page and `≠` where they differ, plus the screenshot's path. It is the only place contact
  details are shown unmasked.
- The confirmation is not pluggable: `confirm_submit` reads one line from the `Terminal`,
  which must be a TTY, and only the word `submit` lets the submission go. Anything else, end of
  input, Ctrl-C, or an input that is not a terminal raises `NotConfirmed`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from assistant.errors import NotConfirmed
from assistant.fill import ReadBack
from assistant.log import redact

CONFIRM_WORD = "submit"

# A code mail counts when the mail server received it at or after `CodeRequest.sent_after`. That
# time is read on this machine's clock and compared with the server's, so it is moved back by
# this much: enough for two NTP-synced clocks and INTERNALDATE's whole seconds, short enough that
# a code mailed for an earlier attempt is not mistaken for this one's.
CLOCK_SKEW = timedelta(seconds=10)


class Terminal:
    """A person at a terminal: lines in from `input`, text out to `output`."""

    def __init__(self, input: TextIO | None = None, output: TextIO | None = None) -> None:
        self.input = input if input is not None else sys.stdin
        self.output = output if output is not None else sys.stdout

    def is_tty(self) -> bool:
        """Whether a person can be typing at `input` (a TTY, not a pipe or a file)."""
        try:
            return self.input.isatty()
        except (ValueError, OSError):
            return False

    def say(self, text: str) -> None:
        """Print a line, with contact details and codes masked."""
        self.output.write(redact(text) + "\n")
        self.output.flush()

    def ask(self, prompt: str) -> str | None:
        """Print `prompt` and read one line; None at end of input."""
        self.output.write(prompt)
        self.output.flush()
        line = self.input.readline()
        if not line:
            return None
        return line.rstrip("\r\n")


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


def mask_email(email: str) -> str:
    """`dana@lakeside.example.org` -> `d***@lakeside.example.org`."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


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
                raise NotConfirmed(
                    "Interrupted at the code prompt; nothing was submitted."
                ) from None
            if answer is None:
                raise NotConfirmed("No code was entered (end of input); nothing was submitted.")
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


class Outbox(Protocol):
    """Anything that knows the newest code mailed to an address (the replica does)."""

    def latest_code(self, email: str) -> str:
        """The newest code sent to `email`."""
        ...


@dataclass(frozen=True, slots=True)
class Review:
    """What the person reviews before one submission."""

    title: str
    portal: str
    values: tuple[ReadBack, ...]
    screenshot: Path

    @property
    def differences(self) -> list[ReadBack]:
        """The values the page shows differently from what was meant."""
        return [v for v in self.values if not v.equal]


def render_review(review: Review, terminal: Terminal) -> None:
    """Print the review table (values unmasked: this is where the person checks them)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(
        file=terminal.output,
        force_terminal=terminal.is_tty(),
        width=120,
        highlight=False,
        soft_wrap=False,
    )
    table = Table(title=f"{review.title} — please review", title_justify="left")
    table.add_column("Step")
    table.add_column("Field")
    table.add_column("Profile")
    table.add_column("On the page (read back)")
    table.add_column("", justify="center")
    for value in review.values:
        same = "✓" if value.equal else "[bold red]≠[/]"
        shown = value.shown if value.equal else f"[red]{value.shown or '(empty)'}[/]"
        table.add_row(value.step, value.field, value.profile or "—", shown or "—", same)
    console.print(table, markup=True)
    if review.differences:
        names = ", ".join(v.field for v in review.differences)
        console.print(f"[bold red]≠ The page differs from the profile in: {names}[/]")
    console.file.flush()
    # Written plainly so a long path is never wrapped (it must stay copyable).
    terminal.output.write(f"Screenshot of the filled form: {review.screenshot}\n")
    terminal.output.flush()


def confirm_submit(terminal: Terminal, review: Review) -> None:
    """Return only when the person typed `submit` at a terminal; else raise `NotConfirmed`."""
    if not terminal.is_tty():
        raise NotConfirmed(
            "Input is not a terminal, so nobody could confirm; nothing was submitted. "
            "Run the command in a terminal to review and submit."
        )
    prompt = f'Type "{CONFIRM_WORD}" to send {review.title.lower()}, anything else to stop: '
    try:
        answer = terminal.ask(prompt)
    except KeyboardInterrupt:
        raise NotConfirmed("Interrupted at the confirmation; nothing was submitted.") from None
    if answer is None:
        raise NotConfirmed("End of input at the confirmation; nothing was submitted.")
    if answer.strip().lower() != CONFIRM_WORD:
        raise NotConfirmed(
            f'You typed "{answer.strip()[:20]}", not "submit"; nothing was submitted.'
        )
