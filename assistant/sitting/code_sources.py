"""Where the emailed verification code comes from: `CodeSource`. `TerminalCodeSource` asks the
person (the prompt shows the address partly masked, `d***@lakeside.example.org`); an empty answer
means "I typed it into the browser myself". `assistant.mailbox.MailboxCodeSource` reads it from
the person's mailbox. `OutboxCodeSource` reads the replica's outbox and exists only for
`assistant demo`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from assistant.errors import Stopped
from assistant.sitting.terminal import Terminal

# A code mail counts when the mail server received it at or after `CodeRequest.sent_after`. That
# time is read on this machine's clock and compared with the server's, so it is moved back by
# this much: enough for two NTP-synced clocks and INTERNALDATE's whole seconds, short enough that
# a code mailed for an earlier attempt is not mistaken for this one's.
CLOCK_SKEW = timedelta(seconds=10)


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
            except OSError:  # the terminal was closed (hung up) while the prompt waited
                raise Stopped(
                    "The terminal was closed at the code prompt; nothing was submitted."
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
