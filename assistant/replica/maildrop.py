"""The replica's mail delivery: each code mail as a real RFC 5322 message in an IMAP mailbox.

`MailDrop("imap://user@127.0.0.1:1143", password, delay=5)` APPENDs every mail the outbox sends
into that mailbox (`imaps://` for TLS from the first byte; a `/Folder` path picks the folder,
INBOX by default), `delay` seconds after the send, as a mail server would have it a moment
later. The message looks like the portal's: from `no-reply@tnsi.com`, "Free Caller Registry
Verification Code: [NNNNN]" in the subject and the body, and a signature whose address has a
5-digit ZIP code (which a code reader must not take). Only mailboxes on this machine are
accepted: the replica never mails anyone. Failures are logged, never raised: the in-memory
outbox stays the record of what was sent.
"""

from __future__ import annotations

import imaplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from assistant.log import get_logger
from assistant.replica.outbox import SENDER

log = get_logger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SIGNATURE = "Free Caller Registry support\n1 Example Way, Suite 500, Reston, VA 20190\n"


def code_message(mail: dict[str, Any]) -> bytes:
    """The RFC 5322 message for an outbox mail (to, code, subject, sent_at)."""
    from datetime import datetime

    message = EmailMessage()
    message["From"] = f"Free Caller Registry <{SENDER}>"
    message["To"] = str(mail["to"])
    message["Subject"] = str(mail["subject"])
    sent = datetime.fromisoformat(str(mail["sent_at"]).replace("Z", "+00:00"))
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = make_msgid(domain="replica.invalid")
    code = str(mail["code"])
    message.set_content(
        "Hello,\n\n"
        f"Your Free Caller Registry Verification Code: [{code}]\n\n"
        "Type it on the page where you asked for it. It expires in 10 minutes.\n\n"
        f"-- \n{SIGNATURE}"
    )
    message.add_alternative(
        "<html><body><p>Hello,</p>"
        f"<p>Your Free Caller Registry Verification Code: <b>[{code}]</b></p>"
        "<p>Type it on the page where you asked for it. It expires in 10 minutes.</p>"
        f"<p>{SIGNATURE.replace(chr(10), '<br>')}</p></body></html>",
        subtype="html",
    )
    return bytes(message)


class MailDrop:
    """Delivers code mails into one IMAP mailbox on this machine; see the module docstring."""

    def __init__(
        self, url: str, password: str, *, delay: float = 0.0, ca_file: Path | None = None
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise ValueError(f"Not an IMAP mailbox URL (imap://USER@HOST:PORT): {url}")
        if parts.hostname not in LOOPBACK:
            raise ValueError(f"The replica delivers only to a mailbox on this machine: {url}")
        if delay < 0:
            raise ValueError("The mail delay cannot be negative.")
        self.url = url
        self.host = parts.hostname
        self.tls = parts.scheme == "imaps"
        self.port = parts.port or (993 if self.tls else 143)
        self.user = unquote(parts.username)
        self.folder = unquote(parts.path.strip("/")) or "INBOX"
        self.delay = delay
        self._password = password
        self._ca_file = ca_file
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.delivered = 0
        self.failed = 0

    def deliver(self, mail: dict[str, Any]) -> None:
        """Deliver `mail` after the delay, in the background."""
        thread = threading.Thread(target=self._deliver, args=(dict(mail),), daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        """Drop the mails still waiting for their delay; wait for any being appended."""
        self._stopping.set()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=10)

    def _deliver(self, mail: dict[str, Any]) -> None:
        if self._stopping.wait(self.delay):
            return
        try:
            self._append(code_message(mail))
        except (OSError, imaplib.IMAP4.error) as error:
            with self._lock:
                self.failed += 1
            log.warning("replica: could not deliver a code mail to %s (%s)", self.url, error)
            return
        with self._lock:
            self.delivered += 1
        log.debug("replica: delivered a code mail to %s", self.url)

    def _append(self, message: bytes) -> None:
        client: imaplib.IMAP4
        if self.tls:
            cafile = str(self._ca_file) if self._ca_file else None
            context = ssl.create_default_context(cafile=cafile)
            client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=10)
        else:
            client = imaplib.IMAP4(self.host, self.port, timeout=10)
        with client:
            client.login(self.user, self._password)
            status, data = client.append(f'"{self.folder}"', "", None, message)
            if status != "OK":
                raise imaplib.IMAP4.error(f"APPEND refused: {data!r}")
