"""`assistant mailbox setup|test`: the mailbox the verification codes are read from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.app import app

mailbox_app = typer.Typer(
    name="mailbox",
    help="Set up and test the mailbox the verification codes are read from (--codes mailbox).",
    short_help="Set up and test the mailbox the codes come from.",
    no_args_is_help=True,
)
app.add_typer(mailbox_app, name="mailbox")


@mailbox_app.command()
def setup(
    host: Annotated[
        str | None, typer.Option("--host", metavar="HOST", help="IMAP server name.")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", metavar="USER", help="Login name.")] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", metavar="PORT", help="Port (default 993, or 143 with STARTTLS)."),
    ] = None,
    tls: Annotated[
        str | None,
        typer.Option(
            "--tls", metavar="implicit|starttls", help='"implicit" (port 993) or "starttls".'
        ),
    ] = None,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file", metavar="CA_FILE", help="Trust this CA file (a self-signed server)."
        ),
    ] = None,
    sender: Annotated[
        str | None,
        typer.Option(
            "--sender", metavar="ADDRESS", help="Who sends the codes (no-reply@tnsi.com)."
        ),
    ] = None,
) -> None:
    """Write the server settings given into the config file, then ask the mailbox password
    once (not shown) and keep it in the system keyring. Without a keyring nothing is asked:
    the password comes from $ASSISTANT_IMAP_PASSWORD. Exit 0 stored (or given by the
    variable), 2 bad settings, 12 no keyring and no variable, no terminal or no password
    typed."""
    import getpass
    import os
    import sys

    from assistant.errors import MailboxError
    from assistant.mailbox.config import config_path, load_config, mailbox_settings
    from assistant.mailbox.secret import ENV_PASSWORD, NO_KEYRING, keyring_backend, store_password
    from assistant.sitting.terminal import Terminal

    path = config_path()
    given = {
        key: value
        for key, value in {
            "host": host,
            "user": user,
            "port": port,
            "tls": tls,
            "ca_file": str(ca_file.resolve()) if ca_file else None,
            "sender": sender,
        }.items()
        if value is not None
    }
    terminal = Terminal()
    if given:
        _save(path, given)
        terminal.say(f"Mailbox settings written to {path}.")
    settings = mailbox_settings(load_config(path))
    if keyring_backend() is None:  # said before the password is asked, not after
        if not os.environ.get(ENV_PASSWORD):
            raise MailboxError(f"{NO_KEYRING} Nothing was asked or stored.")
        terminal.say(
            f"This machine has no system keyring: the password comes from {ENV_PASSWORD}, "
            "which is set, so nothing was asked or stored."
        )
        terminal.say("Check it with: assistant mailbox test")
        return
    if not sys.stdin.isatty():
        raise MailboxError(
            "Setup asks for the password at a terminal, and input is not one; run it in a "
            f"terminal, or set {ENV_PASSWORD} instead."
        )
    try:
        password = getpass.getpass(
            f"Password for {settings.user} at {settings.host} (not shown as you type): "
        )
    except (EOFError, KeyboardInterrupt):
        raise MailboxError("No password was typed; nothing was stored.") from None
    if not password:
        raise MailboxError("No password was typed; nothing was stored.")
    backend = store_password(settings, password)
    terminal.say(f"The password is stored in the system keyring ({backend}).")
    if os.environ.get(ENV_PASSWORD):
        terminal.say(f"Note: {ENV_PASSWORD} is set, and wins over the keyring while it is.")
    terminal.say("Check it with: assistant mailbox test")


def _save(path: Path, given: dict[str, str | int]) -> None:
    """Check the merged `[mailbox]` table first, so a bad value never reaches the file."""
    import tomllib

    from assistant.mailbox.config import load_config, parse_mailbox, save_mailbox

    load_config(path)  # the file as it is must be valid before it is rewritten
    current = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    section = {**current.get("mailbox", {}), **given}
    if "port" not in given and "tls" in given:
        section.pop("port", None)  # a new TLS mode brings its own default port
    parse_mailbox(path, section)  # UsageError naming the key; the file stays as it was
    save_mailbox(path, section)


@mailbox_app.command()
def test() -> None:
    """Log in to the mailbox and say when the newest code mail arrived (never the code).
    Exit 0 logged in, 2 bad config file, 12 not set up, unreachable or login refused."""
    from assistant.mailbox.config import load_config, mailbox_settings
    from assistant.mailbox.secret import get_password
    from assistant.mailbox.source import check_mailbox
    from assistant.sitting.code_sources import mask_email
    from assistant.sitting.terminal import Terminal

    settings = mailbox_settings(load_config())
    password = get_password(settings)
    result = check_mailbox(settings, password)
    terminal = Terminal()
    terminal.say(
        f"Logged in to {settings.where} as {settings.user} (TLS {settings.tls}; "
        f"{'IDLE: new mail is seen at once' if result.can_idle else 'no IDLE: polled'})."
    )
    if result.received is None:
        terminal.say(
            f"No mail from {settings.sender} with a code in {settings.folder} yet; the next "
            "one will be read when the portal sends it."
        )
        return
    when = result.received.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    to = f" to {mask_email(result.to)}" if result.to else ""
    terminal.say(
        f"The newest code mail from {settings.sender}{to} arrived {when}; its code is not shown."
    )
