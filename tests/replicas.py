"""Replica portals for a test: the `replica` fixture (tests/conftest.py) is a `Replicas`.

    def test_x(replica: Replicas) -> None:
        portal = replica(faults=("slow",))             # the wizard layout, a fault
        mailed = replica(mailbox=mail_server, mail_delay=0.3)  # codes into a real mailbox too

Each portal is started at once and stopped at the test's end (or earlier by `portal.stop()`,
e.g. to take the portal away in the middle of a run). Each keeps its submissions and mails in
a folder of its own unless `data_dir` names one (e.g. to start a second portal on the first
one's records). The tests of the replica itself construct `Replica` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.replica import Replica
from assistant.replica.maildrop import MailDrop

if TYPE_CHECKING:
    from mailserver import MailServer


class Replicas:
    """Starts replica portals (`assistant.replica.Replica`) and stops them all in `stop_all`;
    `folder()` gives each a fresh data folder."""

    def __init__(self, folder: Callable[[], Path]) -> None:
        self._folder = folder
        self.started: list[Replica] = []

    def __call__(
        self,
        layout: str = "wizard",
        faults: Iterable[str] = (),
        *,
        variants: Iterable[str] = (),
        data_dir: Path | None = None,
        port: int = 0,
        code_ttl: float = 600.0,
        hang_seconds: float = 20.0,
        hostile_after: int = 0,
        mailbox: MailServer | None = None,
        mail_delay: float = 0.0,
    ) -> Replica:
        """A started replica of `layout` with these faults and variants (the names of
        `Replica`'s parameters). With `mailbox`, each code mail is also delivered into that
        real IMAP server (over STARTTLS, as `assistant replica --deliver-imap` does),
        `mail_delay` seconds after the send."""
        maildrop = None
        if mailbox is not None:
            url = f"imap://{mailbox.user}@127.0.0.1:{mailbox.starttls}"
            maildrop = MailDrop(url, mailbox.password, delay=mail_delay)
        portal = Replica(
            layout,
            faults,
            data_dir if data_dir is not None else self._folder(),
            port,
            variants=variants,
            code_ttl=code_ttl,
            hang_seconds=hang_seconds,
            maildrop=maildrop,
            hostile_after=hostile_after,
        )
        self.started.append(portal.start())
        return portal

    def stop_all(self) -> None:
        """Stop every portal started (stopping one already stopped does nothing)."""
        for portal in self.started:
            portal.stop()
