"""Verification codes from the person's mailbox, read over IMAP with TLS.

- `config`: the user's `CONFIG/config.toml` and its `[mailbox]` settings;
- `secret`: the password, from `$ASSISTANT_IMAP_PASSWORD` or the system keyring;
- `imap`: one read-only IMAP connection (IDLE, or polling with backoff);
- `codes`: which mail is a code mail, and its code;
- `source`: `MailboxCodeSource`, the `CodeSource` that ties them together.

`code_source_setup` is what `fill` and `batch` call before anything opens, so that a mailbox
that is not set up stops the run at once rather than at the first code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.mailbox.config import (
    MailboxSettings,
    choose_codes,
    load_config,
    mailbox_settings,
)
from assistant.mailbox.secret import get_password
from assistant.mailbox.source import DEFAULT_TIMEOUT_S, MailboxCodeSource
from assistant.sitting.code_sources import CodeSource

__all__ = ["MailboxAccess", "MailboxCodeSource", "code_source_setup"]


@dataclass(frozen=True, slots=True)
class MailboxAccess:
    """A configured mailbox and its password, ready to make code sources."""

    settings: MailboxSettings
    password: str

    def source(
        self,
        *,
        fallback: CodeSource,
        say: Callable[[str], None],
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> MailboxCodeSource:
        """A code source reading this mailbox, asking `fallback` when it gives no code."""
        return MailboxCodeSource(
            self.settings, self.password, fallback=fallback, say=say, timeout_s=timeout_s
        )


def code_source_setup(flag: str | None, config_file: Path | None = None) -> MailboxAccess | None:
    """None when codes come from the terminal (`--codes`, else the config's `codes`, else the
    default); else the mailbox's settings and password, or `MailboxError` / `UsageError`
    saying what to set up."""
    config = load_config(config_file)
    if choose_codes(flag, config) != "mailbox":
        return None
    settings = mailbox_settings(config)
    return MailboxAccess(settings, get_password(settings))
