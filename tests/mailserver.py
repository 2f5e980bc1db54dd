"""The tests' IMAP server: the replica's own (`assistant.replica.mailserver`), one per session
(the `mail_server` fixture in tests/conftest.py)."""

from __future__ import annotations

from assistant.replica.mailserver import USER, MailServer, free_port, start_mail_server

__all__ = ["USER", "MailServer", "free_port", "start_mail_server"]
