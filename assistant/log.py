"""One redacting logger for the whole assistant.

Contact details, verification codes and secrets are registered here as soon as they are known;
every log record (and any text the CLI prints outside the review table) passes through
`redact`, which masks each registered value in the spellings a browser or library may echo it
in (as typed, digits only, dashed). Playwright, tenacity and pydantic messages go through the
same filter because the handler is installed on the root logger, and everything the command
prints does because `assistant.cli.main` puts a `RedactingStream` in front of stdout and
stderr; only the review table is written past it (`unredacted`), where the person checks the
values. The mailbox password in `$ASSISTANT_IMAP_PASSWORD` is registered by `setup`, before
anything is read: a file that turns out to hold the environment cannot show it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

MASK = "[masked]"
# Where the mailbox password may be given (`assistant.mailbox.secret` reads it from here).
PASSWORD_VARIABLE = "ASSISTANT_IMAP_PASSWORD"  # noqa: S105 (a variable's name)

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def _variants(value: str) -> Iterable[str]:
    """The spellings under which `value` may reappear in a message."""
    value = value.strip()
    if not value:
        return
    yield value
    if "@" in value:
        # As it travels in a URL or a form body.
        yield value.replace("@", "%40")
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 10 and len(digits) >= len(value) - 6:
        # A phone number: also mask its bare digits and the common punctuated forms.
        national = digits[-10:]
        area, exchange, line = national[:3], national[3:6], national[6:]
        yield digits
        yield national
        for sep in ("-", ".", " "):
            yield f"{area}{sep}{exchange}{sep}{line}"
        yield f"({area}) {exchange}-{line}"
        yield f"({area}){exchange}-{line}"
        yield f"({area}) {exchange} {line}"


def _alternative(secret: str) -> str:
    """A regex for `secret` that never matches inside a longer run of digits.

    Without the guards a 5-digit code would mask part of a Feedback ID (`FCRFE2026…`) that
    happens to contain the same digits, corrupting the one value the person must keep.
    """
    body = re.escape(secret)
    if secret[:1].isdigit():
        body = r"(?<!\d)" + body
    if secret[-1:].isdigit():
        body += r"(?!\d)"
    return body


def register_secret(*values: str | None) -> None:
    """Mask every later occurrence of these values in logs and printed messages."""
    global _pattern
    with _lock:
        for value in values:
            if value:
                _secrets.update(v for v in _variants(value) if len(v) >= 4)
        alternatives = sorted(_secrets, key=len, reverse=True)
        _pattern = (
            re.compile("|".join(_alternative(s) for s in alternatives), re.IGNORECASE)
            if alternatives
            else None
        )


def forget_secrets() -> None:
    """Drop every registered value (tests and long batches start clean)."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None


def redact(text: str) -> str:
    """`text` with every registered value replaced by a mask."""
    pattern = _pattern
    if pattern is None:
        return text
    return pattern.sub(MASK, text)


class RedactingStream:
    """A text stream that writes everything through `redact` to the stream it stands for.

    Its `buffer` is hidden: bytes written there would pass unredacted (click looks for one).
    Everything else is the stream's own (`isatty`, `fileno`, `encoding`, `flush`, …).
    """

    def __init__(self, stream: TextIO) -> None:
        self.unredacted = stream

    def write(self, text: str) -> int:
        self.unredacted.write(redact(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self.unredacted, name)


def redacting(stream: TextIO) -> TextIO:
    """`stream` behind a `RedactingStream` (once: a redacting stream is returned as it is)."""
    if isinstance(stream, RedactingStream):
        return stream
    return RedactingStream(stream)  # type: ignore[return-value]


def unredacted(stream: TextIO) -> TextIO:
    """The stream a `RedactingStream` stands for (any other stream as it is): for the review
    table, the one place contact details are shown."""
    return stream.unredacted if isinstance(stream, RedactingStream) else stream


class RedactingFilter(logging.Filter):
    """Formats each record once, redacted, so no handler ever sees the raw values."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def get_logger(name: str) -> logging.Logger:
    """A logger under `assistant.`; its records are redacted by the handlers `setup` installs."""
    return logging.getLogger(name if name.startswith("assistant") else f"assistant.{name}")


def setup(verbose: bool = False, log_file: str | None = None) -> None:
    """Install redacting handlers on the root logger (stderr, and a private file if given),
    and register the mailbox password given in the environment, if any."""
    register_secret(os.environ.get(PASSWORD_VARIABLE))
    # A log that cannot be written (a full disk) must not print logging's own traceback over
    # what the person needs to read; the record is dropped instead.
    logging.raiseExceptions = False
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_assistant", False):
            root.removeHandler(handler)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    handlers[0].setLevel(logging.DEBUG if verbose else logging.WARNING)
    if log_file is not None:
        from assistant.paths import private_file

        file_handler = logging.FileHandler(private_file(log_file), encoding="utf-8")
        file_handler.setLevel(logging.DEBUG)
        handlers.append(file_handler)
    for handler in handlers:
        handler.addFilter(RedactingFilter())
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._assistant = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def console_handlers() -> list[logging.Handler]:
    """The handlers `setup` installed that print to the terminal (not the log files)."""
    return [
        h
        for h in logging.getLogger().handlers
        if getattr(h, "_assistant", False)
        and type(h) is logging.StreamHandler  # a FileHandler is a StreamHandler too
    ]


RUN_LOG = "run.log"


def attach_run_log(folder: str | Path) -> Path:
    """Log everything (DEBUG and up, redacted) to `folder/run.log` (0600) from now on.

    One run log at a time: a later call moves logging to the new folder. The stderr handler
    `setup` installed is left as it is.
    """
    from assistant.paths import private_file

    path = private_file(Path(folder) / RUN_LOG)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_assistant_run_log", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._assistant = True  # type: ignore[attr-defined]
    handler._assistant_run_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return path


def detach_run_log() -> None:
    """Stop writing the run log (the file stays)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_assistant_run_log", False):
            root.removeHandler(handler)
            handler.close()
