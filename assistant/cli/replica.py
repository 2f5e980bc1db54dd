"""`assistant replica`: serve the local replica portal until Ctrl-C, for demos and clicking."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from assistant.cli.app import app
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.replica.maildrop import MailDrop


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
        help="Also deliver each code mail into this IMAP mailbox on this machine, e.g. "
        "imap://USER@127.0.0.1:1143 (imaps:// for TLS); the password comes from "
        "$ASSISTANT_REPLICA_IMAP_PASSWORD.",
    ),
    mail_delay: float = typer.Option(
        0.0, "--mail-delay", min=0, help="With --deliver-imap: seconds before each mail arrives."
    ),
    deliver_ca: Path | None = typer.Option(  # noqa: B008
        None, "--deliver-ca", help="With imaps://: trust this CA file (a test server)."
    ),
) -> None:
    """Serve a local replica of the portal until Ctrl-C.

    The replica of the Free Caller Registry listens on 127.0.0.1. --fault makes it misbehave
    as the real portal might; --variant makes it another portal the facts allow.

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
    from assistant.replica import Replica

    try:
        drop = _maildrop(deliver_imap, mail_delay, deliver_ca)
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
    print(f"Faults: {', '.join(fault) if fault else 'none'}")
    print(f"Variants: {', '.join(variant) if variant else 'none'}")
    print(f"Verification codes (the outbox): {portal.origin}/__replica/outbox")
    print(f"Submissions received: {portal.origin}/__replica/submissions")
    if drop is not None:
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
    print("Replica stopped.")


REPLICA_PASSWORD = "ASSISTANT_REPLICA_IMAP_PASSWORD"  # noqa: S105 (a variable's name)


def _maildrop(url: str | None, delay: float, ca_file: Path | None) -> MailDrop | None:
    """The mail delivery asked for, or None; ValueError (a usage error) when it is wrong."""
    from assistant.replica.maildrop import MailDrop

    if url is None:
        if delay:
            raise ValueError("--mail-delay needs --deliver-imap (the in-memory outbox is instant).")
        return None
    password = os.environ.get(REPLICA_PASSWORD, "")
    if not password:
        raise ValueError(f"--deliver-imap needs the mailbox password in ${REPLICA_PASSWORD}.")
    return MailDrop(url, password, delay=delay, ca_file=ca_file)
