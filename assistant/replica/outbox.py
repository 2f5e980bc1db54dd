"""The replica's mail outbox and verification codes: what `no-reply@tnsi.com` would have sent."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.replica.jsonlines import append_jsonl, utc_iso

SENDER = "no-reply@tnsi.com"


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """The result of checking a code: ok, or why not ("missing", "wrong", "expired")."""

    ok: bool
    reason: str = ""


class Outbox:
    """Makes 5-digit codes per email, 'mails' them to an in-memory list (and a JSONL file),
    checks them, and hands out verification tokens for the wizard's later steps."""

    def __init__(self, *, code_ttl: float, data_dir: Path | None) -> None:
        self.ttl = code_ttl
        self._file = data_dir / "outbox.jsonl" if data_dir else None
        self._lock = threading.Lock()
        self._mails: list[dict[str, Any]] = []
        self._codes: dict[str, list[tuple[str, float]]] = {}
        self._tokens: dict[str, str] = {}

    def send_code(self, email: str) -> dict[str, Any]:
        """Make a fresh random 5-digit code for `email` and deliver it to the outbox."""
        code = f"{secrets.randbelow(100_000):05d}"
        mail = {
            "to": email,
            "from": SENDER,
            "code": code,
            "subject": f"Free Caller Registry Verification Code: [{code}]",
            "sent_at": utc_iso(),
        }
        with self._lock:
            self._codes.setdefault(email.lower(), []).append((code, time.monotonic()))
            self._mails.append(mail)
            if self._file is not None:
                append_jsonl(self._file, mail)
        return mail

    def check(self, email: str, code: str) -> CodeCheck:
        """Whether `code` is a code sent to `email` that has not expired.

        Every unexpired code sent to the address works, as several mails may be in flight.
        """
        code = code.strip()
        with self._lock:
            sent = list(self._codes.get(email.strip().lower(), []))
        if not code:
            return CodeCheck(False, "missing")
        now = time.monotonic()
        matching = [at for c, at in sent if c == code]
        if not matching:
            return CodeCheck(False, "wrong")
        if all(now - at > self.ttl for at in matching):
            return CodeCheck(False, "expired")
        return CodeCheck(True)

    def issue_token(self, email: str) -> str:
        """A token proving `email` was verified in this replica run."""
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._tokens[token] = email.strip().lower()
        return token

    def token_email(self, token: str) -> str | None:
        """The (lowercased) email a token was issued for, or None for an unknown token."""
        with self._lock:
            return self._tokens.get(token.strip())

    def mails(self) -> list[dict[str, Any]]:
        """Every mail sent, oldest first."""
        with self._lock:
            return [dict(m) for m in self._mails]

    def latest_code(self, email: str) -> str:
        """The newest code sent to `email`; KeyError saying so when none was sent."""
        wanted = email.strip().lower()
        for mail in reversed(self.mails()):
            if str(mail["to"]).strip().lower() == wanted:
                return str(mail["code"])
        raise KeyError(f"No verification code was sent to {email} in this replica run.")
