"""`assistant replica`: serve the local replica portal until Ctrl-C, for demos and clicking."""

from __future__ import annotations

import os
import shlex
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import typer

from assistant.cli.app import app
from assistant.errors import UsageError
from assistant.log import PASSWORD_VARIABLE as ENV_PASSWORD
from assistant.replica.mailserver import PRACTICE_PORT

PRACTICE_FOLDER = "practice-mailbox"  # in the data folder, without --data

if TYPE_CHECKING:
    from assistant.replica.maildrop import MailDrop
    from assistant.replica.mailserver import MailServer


@app.command()
def replica(
    port: int = typer.Option(
        8765, "--port", metavar="PORT", help="Port on 127.0.0.1 (0 picks a free one)."
    ),
    layout: str = typer.Option(
        "wizard", "--layout", metavar="LAYOUT", help="Portal layout: wizard or classic."
    ),
    fault: list[str] = typer.Option(  # noqa: B008 - how Typer declares options
        [], "--fault", metavar="FAULT", help="Switch on a fault (repeatable); see the list above."
    ),
    variant: list[str] = typer.Option(  # noqa: B008
        [],
        "--variant",
        metavar="VARIANT",
        help="Switch on a variant: another portal the facts allow (repeatable); see below.",
    ),
    data: Path | None = typer.Option(  # noqa: B008
        None,
        "--data",
        metavar="DIR",
        help="Folder for submissions.jsonl and outbox.jsonl (kept across runs).",
    ),
    deliver_imap: str | None = typer.Option(
        None,
        "--deliver-imap",
        metavar="URL",
        help="Also deliver each code mail into this IMAP mailbox on this machine, e.g. "
        "imap://USER@127.0.0.1:1143 (imaps:// for TLS); the password comes from "
        "$ASSISTANT_REPLICA_IMAP_PASSWORD.",
    ),
    mail_delay: float = typer.Option(
        0.0,
        "--mail-delay",
        min=0,
        metavar="SECONDS",
        help="With --mailbox or --deliver-imap: seconds before each mail arrives.",
    ),
    deliver_ca: Path | None = typer.Option(  # noqa: B008
        None,
        "--deliver-ca",
        metavar="CA_FILE",
        help="With imaps://: trust this CA file (a test server).",
    ),
    mailbox: bool = typer.Option(
        False,
        "--mailbox",
        help="Also start a practice mailbox (IMAP on 127.0.0.1) that receives every code "
        "mail, and print the `assistant mailbox setup` line that points at it.",
    ),
    mailbox_port: int = typer.Option(
        PRACTICE_PORT,
        "--mailbox-port",
        metavar="PORT",
        help="With --mailbox: its port on 127.0.0.1 (0 picks a free one).",
    ),
) -> None:
    """Serve a local replica of the portal until Ctrl-C.

    The replica of the Free Caller Registry listens on 127.0.0.1. --fault makes it misbehave
    as the real portal might; --variant makes it another portal the facts allow. --mailbox
    also starts a practice mailbox that receives the code mails, to practise --codes mailbox.

    \b
    Faults: first-load-fails, slow, 503-twice, rerender, rerender-twice,
      masked-phone, send-code-503, submit-500, submit-hang, submit-no-id,
      submit-400, review-drift, renamed-label, renamed-option, missing-field,
      duplicate-field, offsite-request, self-post
    Variants: renamed-ids, captions, submit-endpoint, late-feedback,
      display-names, no-optional, extra-required
    Hostile variants (pages that try to get round your confirmation):
      continue-registers, timer-post, farewell, late-change, swap-on-submit,
      webrtc, sandboxed-frame, formdata-swap, fake-feedback, lying-page
    """
    if mailbox and deliver_imap is not None:
        raise UsageError("--mailbox and --deliver-imap cannot be used together: pick one mailbox.")
    practice = _practice_mailbox(data, mailbox_port) if mailbox else None
    try:
        _serve(practice, port, layout, fault, variant, data, deliver_imap, mail_delay, deliver_ca)
    finally:
        if practice is not None:
            practice.stop()
    print("Replica stopped.")


def _serve(
    practice: MailServer | None,
    port: int,
    layout: str,
    fault: list[str],
    variant: list[str],
    data: Path | None,
    deliver_imap: str | None,
    mail_delay: float,
    deliver_ca: Path | None,
) -> None:
    """Start the portal (its mail delivered into `practice` when given), say where everything
    is, and serve until Ctrl-C or SIGTERM."""
    from assistant.replica import Replica

    if practice is not None:
        deliver_imap = f"imap://{quote(practice.user)}@127.0.0.1:{practice.starttls}"
    try:
        drop = _maildrop(deliver_imap, mail_delay, deliver_ca, practice)
        portal = Replica(
            layout=layout,
            faults=tuple(fault),
            variants=tuple(variant),
            data_dir=data,
            port=port,
            maildrop=drop,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    try:
        portal.start()
    except OSError as error:
        raise UsageError(
            f"Cannot listen on 127.0.0.1:{port} ({error.strerror}); try another --port."
        ) from None
    print(f"Replica portal ({layout} layout) at {portal.url}")
    print(
        f"Its sister forms: {portal.url_for('trf')} (TRF), {portal.url_for('vsf')} (VSF); "
        f"all three: --url {portal.origin}/"
    )
    print(f"Faults: {', '.join(fault) if fault else 'none'}")
    print(f"Variants: {', '.join(variant) if variant else 'none'}")
    print(f"Verification codes (the outbox): {portal.origin}/__replica/outbox")
    print(f"Submissions received: {portal.origin}/__replica/submissions")
    if practice is not None:
        _say_practice(practice, portal.url, mail_delay, data)
    elif drop is not None:
        print(f"Code mails also delivered to {drop.url}, {mail_delay:g} s after each send")
    if data is not None:
        print(f"Kept on disk in {data}: submissions.jsonl, outbox.jsonl")
    print("Press Ctrl-C to stop.")
    # Ctrl-C and SIGTERM both end the wait as KeyboardInterrupt, set explicitly: a shell that
    # starts a command in the background may hand it SIGINT ignored, and the line above promises
    # that Ctrl-C stops it. (Raising, rather than setting an event from the handler, cannot
    # deadlock on the event's own lock.)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()


REPLICA_PASSWORD = "ASSISTANT_REPLICA_IMAP_PASSWORD"  # noqa: S105 (a variable's name)


def _maildrop(
    url: str | None, delay: float, ca_file: Path | None, practice: MailServer | None
) -> MailDrop | None:
    """The mail delivery asked for, or None; ValueError (a usage error) when it is wrong."""
    from assistant.replica.maildrop import MailDrop

    if url is None:
        if delay:
            raise ValueError(
                "--mail-delay needs --mailbox or --deliver-imap (the in-memory outbox is instant)."
            )
        return None
    if practice is not None:
        return MailDrop(url, practice.password, delay=delay)
    password = os.environ.get(REPLICA_PASSWORD, "")
    if not password:
        raise ValueError(f"--deliver-imap needs the mailbox password in ${REPLICA_PASSWORD}.")
    return MailDrop(url, password, delay=delay, ca_file=ca_file)


def _practice_mailbox(data: Path | None, port: int) -> MailServer:
    """Start the practice mailbox, its files in DIR/mailbox with --data, else in the data
    folder's `practice-mailbox`; a usage error when it cannot start."""
    import importlib.util

    from assistant.paths import data_dir, private_dir
    from assistant.replica.mailserver import MailServerFailed, practice_mailbox

    if importlib.util.find_spec("pymap") is None:
        raise UsageError(
            "--mailbox needs the IMAP server of the `practice` extra: run `make setup`, or "
            "`.venv/bin/pip install -e '.[practice]'`."
        )
    # Private from the start (0700, the data folder too when it is made here): it holds the
    # mailbox's password and the key of its certificate.
    folder = private_dir(data / "mailbox" if data is not None else data_dir() / PRACTICE_FOLDER)
    try:
        return practice_mailbox(folder, port)
    except MailServerFailed as error:
        first = str(error).splitlines()[0]
        raise UsageError(
            f"Cannot start the practice mailbox: {first}; try another --mailbox-port."
        ) from None


def _say_practice(practice: MailServer, url: str, delay: float, data: Path | None) -> None:
    """Where the practice mailbox is, the setup line that points at it, and where its
    password is (the file, never the password)."""
    from assistant.mailbox.config import config_path
    from assistant.replica.mailserver import PASSWORD_FILE

    folder = practice.ca_file.parent
    password_file = folder / PASSWORD_FILE
    after = f", {delay:g} s after each send" if delay else ""
    print(
        f"Practice mailbox (IMAP with STARTTLS) at 127.0.0.1:{practice.starttls}, user "
        f"{practice.user}: every code mail lands there too{after}."
    )
    print(f"Point the assistant at it (this replaces the [mailbox] settings in {config_path()}):")
    setup = (
        f"assistant mailbox setup --host 127.0.0.1 --port {practice.starttls} --tls starttls "
        f"--user {practice.user} --ca-file {shlex.quote(str(practice.ca_file))}"
    )
    print(f"  {setup}")
    print(
        f"The password it asks for is in {password_file} (not shown here). Without a system "
        f"keyring, give it to each command instead:"
    )
    print(f'  export {ENV_PASSWORD}="$(cat {shlex.quote(str(password_file))})"')
    print(f"Then read codes from it: assistant batch PROFILES --url {url} --codes mailbox")
