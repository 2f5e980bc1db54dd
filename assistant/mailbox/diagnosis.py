"""What `assistant doctor` says about the mailbox: set up or not, where the password is kept,
whether the server answers, and whether the login works. Never the password, never a code."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import MailboxError
from assistant.mailbox.config import MailboxSettings, UserConfig, load_config
from assistant.mailbox.secret import ENV_PASSWORD, from_keyring, keyring_backend
from assistant.mailbox.source import CONNECT_TIMEOUT_S, check_mailbox


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The mailbox as the commands would find it. `settings` is None when none is set up;
    `password` says where the password is kept ("" when nowhere); `reachable` is "" when the
    server answers, else why not; `login` "" when it worked (or was not tried: `tried`, only
    with a password and a server that answers), else the error, in one sentence."""

    config: UserConfig
    settings: MailboxSettings | None
    password: str = ""
    reachable: str = ""
    login: str = ""
    can_idle: bool = False
    tried: bool = False

    @property
    def works(self) -> bool:
        """Codes can be read from it (or none is set up, so nothing is wrong)."""
        if self.settings is None:
            return True
        return bool(self.password) and self.tried and not self.reachable and not self.login


def diagnose(config_file: Path | None = None) -> Diagnosis:
    """Read the config file (`UsageError` / `UnsafeDataDir` as every command would), find the
    password, then connect and log in read-only (nothing is changed in the mailbox)."""
    config = load_config(config_file)
    settings = config.mailbox
    if settings is None:
        return Diagnosis(config, None)
    password, where = _password(settings)
    unreachable = _unreachable(settings)
    if unreachable or not password:
        return Diagnosis(config, settings, where, reachable=unreachable)
    try:
        check = check_mailbox(settings, password)
    except MailboxError as error:
        return Diagnosis(config, settings, where, login=str(error), tried=True)
    return Diagnosis(config, settings, where, can_idle=check.can_idle, tried=True)


def _password(settings: MailboxSettings) -> tuple[str, str]:
    """(the password, where it is kept), or ("", "") when it is nowhere."""
    from assistant import log

    password = os.environ.get(ENV_PASSWORD, "")
    if password:
        log.register_secret(password)
        return password, f"${ENV_PASSWORD}"
    backend = keyring_backend()
    if backend is None:
        return "", ""
    password = from_keyring(settings)
    if not password:
        return "", ""
    log.register_secret(password)
    return password, f"the system keyring ({backend})"


def missing_password(settings: MailboxSettings) -> str:
    """Why no password is found, and what to do."""
    if keyring_backend() is None:
        return (
            f"none: this machine has no system keyring and {ENV_PASSWORD} is not set; set it "
            "in the environment of the commands"
        )
    return (
        f"none in the system keyring for {settings.user} at {settings.host}, and "
        f"{ENV_PASSWORD} is not set; run `assistant mailbox setup`"
    )


def _unreachable(settings: MailboxSettings) -> str:
    """ "" when something accepts a connection at the server's address, else why not."""
    try:
        with socket.create_connection((settings.host, settings.port), timeout=CONNECT_TIMEOUT_S):
            return ""
    except socket.gaierror:
        return f"no such host: {settings.host}"
    except TimeoutError:
        return f"nothing answered at {settings.where} within {CONNECT_TIMEOUT_S:g} s"
    except OSError as error:
        return f"cannot connect to {settings.where} ({error.strerror or error})"
