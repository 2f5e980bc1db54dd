"""One IMAP connection over TLS, read-only, with the few commands the code source needs.

`Mailbox.open(settings, password, timeout_s=…)` connects with implicit TLS (port 993) or
STARTTLS (never sending the password before TLS is up), logs in and EXAMINEs the folder (read
only: nothing is marked as seen, moved or deleted). `search` and `fetch_*` find mails;
`wait_for_news` waits for the server to report new mail with IDLE where the server has it, or
waits on the socket for a polling interval where it has not (no fixed sleeps: a wait on the
socket ends early when the server speaks).

No read can last for ever: each receive waits at most `timeout_s`, and the whole answer to a
command (the greeting, a FETCH, the end of an IDLE) must be in within `timeout_s` of asking, so
a server that sends one byte every few seconds is given up on as surely as a silent one. A
connection given up on is closed without a LOGOUT (that would wait on the same server again).

Every failure becomes `MailboxError` with one plain sentence saying what and what to do. The
password is never part of a message (and is registered with the redacting log by the caller).
"""

from __future__ import annotations

import imaplib
import re
import select
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType

from assistant.errors import MailboxError
from assistant.log import get_logger
from assistant.mailbox.config import MailboxSettings

logger = get_logger(__name__)

MAX_MAIL_BYTES = 1_000_000  # a code mail is a few kB; anything bigger is not one
IDLE_RENEW_S = 25 * 60  # RFC 2177: re-issue IDLE before the server's 30-minute cut-off
_SLICE_S = 0.25  # how often a wait looks at `stop`
_MAX_LINE = 1_000_000
_META = re.compile(rb"UID (\d+)|INTERNALDATE \"([^\"]+)\"|RFC822\.SIZE (\d+)")


@dataclass(frozen=True, slots=True)
class Stamp:
    """A mail's UID and when the server received it (INTERNALDATE)."""

    uid: int
    received: datetime
    size: int


class _Client(imaplib.IMAP4):
    """imaplib's client reading through its own buffer, so that a wait on the socket knows
    whether a response is already buffered (a buffered file object would hide it)."""

    def __init__(
        self, host: str, port: int, timeout: float, implicit: ssl.SSLContext | None
    ) -> None:
        self._implicit = implicit
        self._buffer = bytearray()
        self._limit = timeout
        self._deadline = time.monotonic() + timeout  # for the greeting, read while connecting
        self.broken = False  # an answer did not come in time: the session cannot go on
        super().__init__(host, port, timeout)

    def expect_answer(self) -> None:
        """Start the clock for the answer to what was just sent: the whole of it must be in
        within the timeout, however slowly it trickles."""
        self._deadline = time.monotonic() + self._limit

    def _command(self, name: str, *args: object) -> bytes:
        # imaplib's one door for every command (not in typeshed's stubs).
        self.expect_answer()
        tag: bytes = super()._command(name, *args)  # type: ignore[misc]
        return tag

    def _create_socket(self, timeout: float | None) -> socket.socket:
        # imaplib's own hook (not in typeshed's stubs), also what IMAP4_SSL overrides.
        sock: socket.socket = super()._create_socket(timeout)  # type: ignore[misc]
        if self._implicit is None:
            return sock
        return self._implicit.wrap_socket(sock, server_hostname=self.host)

    def _fill(self, deadline: float | None = None) -> None:
        """One receive into the buffer, bounded by `deadline`; by default the deadline of the
        answer awaited, which once missed leaves the session `broken`."""
        answer = deadline is None
        left = (self._deadline if deadline is None else deadline) - time.monotonic()
        previous = self.sock.gettimeout()
        try:
            if left <= 0:
                raise TimeoutError("the answer did not come in time")
            self.sock.settimeout(left if previous is None else min(left, previous))
            data = self.sock.recv(65536)
        except TimeoutError:
            self.broken = self.broken or answer  # a wait for news may well end with nothing
            raise
        finally:
            self.sock.settimeout(previous)
        if not data:
            self.broken = True
            raise self.abort("the server closed the connection")
        self._buffer += data

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _take_line(self) -> bytes | None:
        """The first whole line in the buffer (taken out of it), or None when there is none."""
        end = self._buffer.find(b"\n")
        if end < 0:
            return None
        line = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        return line

    def readline(self) -> bytes:
        while True:
            line = self._take_line()
            if line is not None:
                return line
            if len(self._buffer) > _MAX_LINE:
                raise self.error("the server sent an overlong line")
            self._fill()

    def next_line(self, seconds: float) -> bytes | None:
        """The server's next line if it comes within `seconds`, else None.

        Readable is not the same as a line: TLS may deliver a record with no data (a session
        ticket), so the read is bounded too; a read that times out loses nothing, as only
        what arrived is added to the buffer.
        """
        deadline = time.monotonic() + seconds
        while True:
            line = self._take_line()
            if line is not None:
                return line
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            tls_pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0
            if not tls_pending and not select.select([self.sock], [], [], left)[0]:
                return None
            try:
                self._fill(deadline)
            except TimeoutError:
                return None


def tls_context(settings: MailboxSettings) -> ssl.SSLContext:
    """A verifying TLS context: the system's CAs, or only `ca_file` when one is given."""
    cafile = str(settings.ca_file) if settings.ca_file else None
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class Mailbox:
    """A logged-in, read-only view of one folder; use as a context manager (logs out)."""

    def __init__(self, client: _Client, settings: MailboxSettings) -> None:
        self.client = client
        self.settings = settings
        self.can_idle = "IDLE" in client.capabilities

    @classmethod
    def open(cls, settings: MailboxSettings, password: str, *, timeout_s: float) -> Mailbox:
        """Connect, secure, log in and EXAMINE the folder; `MailboxError` on any failure."""
        with _plain_errors(settings, timeout_s):
            context = tls_context(settings)
            implicit = context if settings.tls == "implicit" else None
            client = _Client(settings.host, settings.port, timeout_s, implicit)
            try:
                if implicit is None:
                    if "STARTTLS" not in client.capabilities:
                        raise MailboxError(
                            f"The mail server at {settings.where} does not offer STARTTLS, so "
                            'the password cannot be sent safely; use tls = "implicit" (port '
                            "993) in the config file."
                        )
                    client.starttls(context)
                _login(client, settings, password)
                client.capabilities = _capabilities(client)
                status, _ = client.select(_quote(settings.folder), readonly=True)
                if status != "OK":
                    raise MailboxError(
                        f"The mailbox at {settings.where} has no folder "
                        f"{settings.folder!r}; check `folder` in the config file."
                    )
            except BaseException:
                _close(client)
                raise
        logger.debug(
            "mailbox: logged in at %s, IDLE %s", settings.where, "IDLE" in client.capabilities
        )
        return cls(client, settings)

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Log out (quietly: the connection may already be gone)."""
        _close(self.client)

    def cut_off(self) -> None:
        """From another thread: end the session now. A read blocked on it returns at once and
        fails, as does any later one; `close` then shuts it without a LOGOUT."""
        self.client.broken = True
        with suppress(OSError):  # the socket itself, under TLS: its state is the reader's
            socket.socket.shutdown(self.client.sock, socket.SHUT_RDWR)

    def search_from(
        self, sender: str, *, to: str | None = None, since: date | None = None
    ) -> list[int]:
        """UIDs of the mails the server says are from `sender` (and to `to` in To or Cc),
        received on or after the day `since`: a coarse server-side filter (substrings, whole
        days), so that a shared mailbox is not read mail by mail; the caller checks each
        mail exactly."""
        criteria = ["FROM", _quote(sender)]
        if to is not None:
            criteria += ["OR", "TO", _quote(to), "CC", _quote(to)]
        if since is not None:
            criteria += ["SINCE", since.strftime("%d-%b-%Y")]
        with self._errors():
            status, data = self.client.uid("SEARCH", *criteria)
        if status != "OK":
            raise self._unexpected("SEARCH")
        return sorted(int(uid) for item in data if item for uid in item.split())

    def stamps(self, uids: list[int]) -> list[Stamp]:
        """UID, INTERNALDATE and size of each mail in `uids` (none fetched yet)."""
        if not uids:
            return []
        with self._errors():
            status, data = self.client.uid(
                "FETCH", ",".join(map(str, uids)), "(UID INTERNALDATE RFC822.SIZE)"
            )
        if status != "OK":
            raise self._unexpected("FETCH")
        found: list[Stamp] = []
        for item in data:
            raw = item[0] if isinstance(item, tuple) else item
            if not isinstance(raw, bytes):
                continue
            uid = received = size = None
            for match in _META.finditer(raw):
                if match.group(1):
                    uid = int(match.group(1))
                elif match.group(2):
                    received = _internaldate(match.group(2).decode("ascii", "replace"))
                elif match.group(3):
                    size = int(match.group(3))
            if uid is not None and received is not None:
                found.append(Stamp(uid, received, size or 0))
        return found

    def message(self, uid: int) -> EmailMessage | None:
        """The mail with `uid`, parsed (None when it is gone); BODY.PEEK leaves it unread."""
        with self._errors():
            status, data = self.client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        if status != "OK":
            raise self._unexpected("FETCH")
        for item in data:
            if isinstance(item, tuple) and isinstance(item[1], bytes):
                parsed = BytesParser(policy=policy.default).parsebytes(item[1])
                return parsed if isinstance(parsed, EmailMessage) else None
        return None

    def wait_for_news(self, seconds: float, stop: Callable[[], bool]) -> None:
        """Return when the server reports new mail (IDLE), or after `seconds` (then a NOOP
        lets servers without IDLE report it), or as soon as `stop()` is true."""
        with self._errors():
            if self.can_idle:
                self._idle(min(seconds, IDLE_RENEW_S), stop)
            else:
                self._pause(seconds, stop)
                self.client.noop()

    def _pause(self, seconds: float, stop: Callable[[], bool]) -> None:
        deadline = time.monotonic() + seconds
        while not stop():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            line = self.client.next_line(min(left, _SLICE_S))
            if line is not None:
                _check_bye(self.client, line)
                return  # the server spoke unasked (new mail, most likely): look now

    def _idle(self, seconds: float, stop: Callable[[], bool]) -> None:
        client = self.client
        tag = b"W%d" % client.tagnum  # our own tag: imaplib never sees this exchange
        client.tagnum += 1
        client.send(tag + b" IDLE\r\n")
        client.expect_answer()
        while True:
            line = client.readline()
            if line.startswith(b"+"):
                break
            _check_bye(client, line)
            if line.startswith(tag + b" "):
                self.can_idle = False  # refused after all: poll from now on
                return
        deadline = time.monotonic() + seconds
        news = False
        while not news and not stop():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            said = client.next_line(min(left, _SLICE_S))
            if said is not None:
                _check_bye(client, said)
                news = b"EXISTS" in said or b"RECENT" in said
        client.send(b"DONE\r\n")
        client.expect_answer()
        while True:
            line = client.readline()
            _check_bye(client, line)
            if line.startswith(tag + b" "):
                return

    @contextmanager
    def _errors(self) -> Iterator[None]:
        with _plain_errors(self.settings, None):
            yield

    def _unexpected(self, command: str) -> MailboxError:
        return MailboxError(
            f"The mailbox at {self.settings.where} refused {command}; try again, or type "
            "the code yourself."
        )


def _login(client: _Client, settings: MailboxSettings, password: str) -> None:
    try:
        client.login(settings.user, password)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error:
        raise MailboxError(
            f"The mailbox at {settings.where} refused the login for {settings.user}: check "
            "the password (run `assistant mailbox setup` again, or set "
            "ASSISTANT_IMAP_PASSWORD)."
        ) from None
    except UnicodeEncodeError:
        raise MailboxError(
            f"The password for {settings.user} has characters IMAP LOGIN cannot send; use "
            "an ASCII password for this mailbox."
        ) from None


def _check_bye(client: _Client, line: bytes) -> None:
    if line.startswith(b"* BYE"):
        raise client.abort("the server ended the session")


def _capabilities(client: _Client) -> tuple[str, ...]:
    # Servers often add capabilities (IDLE) once logged in; imaplib keeps the first list.
    status, data = client.capability()
    if status != "OK" or not data or not isinstance(data[-1], bytes):
        return tuple(client.capabilities)
    return tuple(data[-1].decode("ascii", "replace").upper().split())


def _close(client: _Client) -> None:
    if client.broken:  # a LOGOUT would wait on the server that failed to answer
        with suppress(OSError):
            client.shutdown()
        return
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError, ValueError):
        with suppress(OSError):
            client.shutdown()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _internaldate(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


@contextmanager
def _plain_errors(settings: MailboxSettings, timeout_s: float | None) -> Iterator[None]:
    """Turn socket, TLS and protocol errors into one plain `MailboxError` sentence."""
    where = settings.where
    try:
        yield
    except MailboxError:
        raise
    except ConnectionRefusedError:
        raise MailboxError(
            f"Nothing answers at {where} (connection refused): the mail server is down, or "
            "host and port in the config file are wrong."
        ) from None
    except socket.gaierror:
        raise MailboxError(
            f"The mail server name {settings.host} cannot be found; check `host` in the "
            "config file and the network."
        ) from None
    except TimeoutError:
        if timeout_s is None:
            raise MailboxError(f"The mail server at {where} stopped answering.") from None
        raise MailboxError(
            f"The mail server at {where} did not answer within {timeout_s:g} s; check `host`, "
            '`port` and `tls` ("implicit" for port 993, "starttls" for 143) in the config file.'
        ) from None
    except ssl.SSLCertVerificationError as error:
        raise MailboxError(
            f"The mail server at {where} has a TLS certificate this computer does not trust "
            f"({error.verify_message}); if it is your own server, set `ca_file` in the "
            "config file."
        ) from None
    except ssl.SSLError as error:
        raise MailboxError(
            f"TLS with the mail server at {where} failed ({error.reason or error}); check "
            '`tls` ("implicit" for port 993, "starttls" for 143) and `port`.'
        ) from None
    except imaplib.IMAP4.error as error:
        raise MailboxError(
            f"The mail server at {where} broke off ({_first_line(error)}); try again."
        ) from None
    except OSError as error:
        raise MailboxError(
            f"The mail server at {where} cannot be reached ({error.strerror or error})."
        ) from None


def _first_line(error: BaseException) -> str:
    text = str(error.args[0] if error.args else error)
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return text.strip().splitlines()[0][:200] if text.strip() else type(error).__name__
