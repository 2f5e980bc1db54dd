"""The mailbox password: from `$ASSISTANT_IMAP_PASSWORD` (headless use) or the system keyring.

Never from a profile, a flag, the config file or the journal. It is registered with the
redacting log as soon as it is read, so no message or log line can show it.
"""

from __future__ import annotations

import os

from assistant import log
from assistant.errors import MailboxError
from assistant.mailbox.config import MailboxSettings

ENV_PASSWORD = log.PASSWORD_VARIABLE
KEYRING_SERVICE = "assistant-imap"


def keyring_name(settings: MailboxSettings) -> str:
    """The keyring entry's user name: the login at that server."""
    return f"{settings.user} at {settings.host}"


def get_password(settings: MailboxSettings) -> str:
    """The password: `$ASSISTANT_IMAP_PASSWORD` if set, else the keyring's entry; else
    `MailboxError` saying how to provide one."""
    password = os.environ.get(ENV_PASSWORD, "")
    if not password:
        password = from_keyring(settings)
    if not password:
        raise MailboxError(
            f"No password is stored for {settings.user} at {settings.host}: run "
            f"`assistant mailbox setup`, or set {ENV_PASSWORD}."
        )
    log.register_secret(password)
    return password


def from_keyring(settings: MailboxSettings) -> str:
    """The keyring's entry for this login ("" when none, or no usable keyring)."""
    try:
        import keyring
        from keyring.errors import KeyringError

        return keyring.get_password(KEYRING_SERVICE, keyring_name(settings)) or ""
    except KeyringError:
        return ""  # no usable backend: the message about a missing password says what to do


NO_KEYRING = (
    "This machine has no system keyring to keep the password in; set "
    f"{ENV_PASSWORD} in the environment of the commands instead."
)


def keyring_backend() -> str | None:
    """The name of the system keyring's backend, or None when this machine has none (the
    keyring package then falls back to one that refuses everything)."""
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "backends", None) == []:
        return None
    return type(backend).__name__


def store_password(settings: MailboxSettings, password: str) -> str:
    """Keep `password` in the system keyring; returns the backend's name. `MailboxError` when
    this machine has no keyring (the message points at the environment variable)."""
    log.register_secret(password)
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    backend = keyring.get_keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_name(settings), password)
    except NoKeyringError:
        raise MailboxError(NO_KEYRING) from None
    except KeyringError as error:
        raise MailboxError(
            f"The system keyring refused the password ({type(error).__name__}); unlock it and "
            f"run `assistant mailbox setup` again, or set {ENV_PASSWORD} instead."
        ) from None
    return type(backend).__name__
