"""The user's config file, `CONFIG/config.toml`, and the mailbox settings it holds.

`CONFIG` is platformdirs' user config folder for "assistant" (`~/.config/assistant` on Linux,
following `$XDG_CONFIG_HOME`). The file is small and strict:

    codes = "mailbox"            # optional: where codes come from by default (or "terminal")

    [mailbox]
    host = "imap.example.org"
    port = 993                   # optional: 993 for tls = "implicit", 143 for "starttls"
    user = "it@lakeside.example.org"
    tls = "implicit"             # optional: "implicit" (port 993) or "starttls"
    ca_file = "/path/ca.pem"     # optional: trust this CA (a self-signed or test server)
    sender = "no-reply@tnsi.com" # optional: who sends the codes
    folder = "INBOX"             # optional: where they land

Unknown keys, wrong types and a `password` key are refused with one line naming the file and
the key: the password lives in the system keyring or `$ASSISTANT_IMAP_PASSWORD`, never here.

The file says which server is given the password, so it is read only when no other user
could have written it: not a link, not owned by another user, not writable by the group or
others, in a folder of the same kind (`assistant.paths.refuse_unsafe_settings`, exit 8, naming
the `chmod` that fixes it). Nothing connects before that check.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.errors import MailboxError, UsageError
from assistant.paths import refuse_unsafe_settings
from assistant.terminal_text import excerpt

CONFIG_NAME = "config.toml"
DEFAULT_SENDER = "no-reply@tnsi.com"
TLS_MODES = ("implicit", "starttls")
CODE_SOURCES = ("terminal", "mailbox")
_KEYS = ("host", "port", "user", "tls", "ca_file", "sender", "folder")
# What the file decides, as the refusal of a file others could have written says it.
_STAKE = "says which server is given your mailbox password"
_ADDRESS = re.compile(r"^[^@\s\"\\]+@[^@\s\"\\]+$")

TlsMode = Literal["implicit", "starttls"]


@dataclass(frozen=True, slots=True)
class MailboxSettings:
    """Where the code mails are read: an IMAP server over TLS, one user, one folder."""

    host: str
    port: int
    user: str
    tls: TlsMode = "implicit"
    ca_file: Path | None = None
    sender: str = DEFAULT_SENDER
    folder: str = "INBOX"

    @property
    def where(self) -> str:
        """`host:port`, as messages name the server."""
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class UserConfig:
    """What the config file says (every part optional)."""

    path: Path
    codes: str | None = None
    mailbox: MailboxSettings | None = None


def config_path() -> Path:
    """`CONFIG/config.toml` (the file need not exist)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("assistant", appauthor=False)) / CONFIG_NAME


def load_config(path: Path | None = None) -> UserConfig:
    """Read the config file; an absent file is an empty config. Raises `UsageError` (one line,
    naming the file and the key) for anything malformed, `UnsafeDataDir` when another user
    could have written it (see the module docstring)."""
    path = path or config_path()
    try:
        os.lstat(path)
    except FileNotFoundError:
        return UserConfig(path)
    except OSError as error:
        raise UsageError(f"Cannot read {path} ({error.strerror}).") from None
    refuse_unsafe_settings(path, _STAKE)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(f"Cannot read {path} ({error.strerror}).") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path} is not valid TOML ({error}).") from None
    unknown = sorted(set(data) - {"codes", "mailbox"})
    if unknown:
        raise UsageError(f"{path}: unknown setting {_quoted(unknown[0])}; known: codes, [mailbox].")
    codes = data.get("codes")
    if codes is not None and codes not in CODE_SOURCES:
        raise UsageError(f'{path}: codes: must be "terminal" or "mailbox", not {_quoted(codes)}.')
    section = data.get("mailbox")
    if section is None:
        return UserConfig(path, codes)
    if not isinstance(section, dict):
        raise UsageError(f"{path}: mailbox: must be a table, [mailbox].")
    return UserConfig(path, codes, parse_mailbox(path, section))


def parse_mailbox(path: Path, section: dict[str, Any]) -> MailboxSettings:
    """The settings of a `[mailbox]` table read from `path`; `UsageError` naming the key."""

    def fail(key: str, message: str) -> UsageError:
        return UsageError(f"{path}: mailbox.{excerpt(key)}: {message}")

    if "password" in section:
        raise fail(
            "password",
            "the password is never kept in this file; remove it and run "
            "`assistant mailbox setup` (or set ASSISTANT_IMAP_PASSWORD).",
        )
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise fail(unknown[0], f"unknown setting; known: {', '.join(_KEYS)}.")
    for key in ("host", "user"):
        if not isinstance(section.get(key), str) or not section[key].strip():
            raise fail(key, "required, as text.")
    for key in ("tls", "ca_file", "sender", "folder"):
        if key in section and not isinstance(section[key], str):
            raise fail(key, "must be text.")
    tls = section.get("tls")
    port = section.get("port")
    if tls is not None and tls not in TLS_MODES:
        raise fail("tls", f'must be "implicit" or "starttls", not {_quoted(tls)}.')
    if port is not None and (not isinstance(port, int) or isinstance(port, bool)):
        raise fail("port", "must be a whole number.")
    if port is not None and not 0 < port < 65536:
        raise fail("port", "must be between 1 and 65535.")
    if tls is None:
        tls = "starttls" if port == 143 else "implicit"
    if port is None:
        port = 993 if tls == "implicit" else 143
    sender = section.get("sender", DEFAULT_SENDER).strip()
    if not _ADDRESS.match(sender):
        raise fail("sender", f"not an email address: {_quoted(sender)}.")
    ca_file = None
    if section.get("ca_file"):
        ca_file = Path(section["ca_file"]).expanduser()
        if not ca_file.is_absolute():
            ca_file = path.parent / ca_file
        if not ca_file.is_file():
            raise fail("ca_file", f"no such file: {ca_file}.")
    return MailboxSettings(
        host=section["host"].strip(),
        port=port,
        user=section["user"].strip(),
        tls="starttls" if tls == "starttls" else "implicit",
        ca_file=ca_file,
        sender=sender,
        folder=section.get("folder", "INBOX").strip() or "INBOX",
    )


def _quoted(value: object) -> str:
    """A value of the file as a message quotes it: its repr, no longer than an excerpt."""
    return excerpt(repr(value))


def mailbox_settings(config: UserConfig) -> MailboxSettings:
    """The `[mailbox]` settings, or `MailboxError` saying how to set them up."""
    if config.mailbox is None:
        raise MailboxError(
            f"No mailbox is set up in {config.path}: run "
            "`assistant mailbox setup --host HOST --user USER` (see docs/mailbox.md, "
            '"Codes from your mailbox").'
        )
    return config.mailbox


def choose_codes(flag: str | None, config: UserConfig) -> str:
    """Where codes come from: the `--codes` flag, else the config's `codes`, else "terminal"."""
    return flag or config.codes or "terminal"


def save_mailbox(path: Path, values: dict[str, str | int]) -> None:
    """Write `values` into the `[mailbox]` table of the config file (created `0600` if
    missing), keeping its other settings; the file is rewritten without its comments."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    refuse_unsafe_settings(path, _STAKE)  # nothing read from or written into a place others own
    data: dict[str, Any] = {}
    if path.exists():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    section = data.get("mailbox")
    data["mailbox"] = {**(section if isinstance(section, dict) else {}), **values}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(_toml(data))
    path.chmod(0o600)


def _toml(data: dict[str, Any]) -> str:
    """TOML for a table of scalars and one level of tables (all this file ever holds)."""

    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string

    lines = [f"{key} = {scalar(v)}" for key, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{key}]", *(f"{k} = {scalar(v)}" for k, v in table.items())]
    return "\n".join(lines).lstrip("\n") + "\n"
