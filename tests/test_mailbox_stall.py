"""A mail server that stalls once the IMAP session is established (issue 17, item 6): silent, or
one byte every few seconds, behind a proxy in front of the test server (tests/mailproxy.py).

No read lasts for ever, however slowly the server drips."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from mailproxy import MailProxy
from mailserver import MailServer
from ptyperson import PtyPerson

from assistant.errors import MailboxError
from assistant.mailbox.config import MailboxSettings
from assistant.mailbox.imap import Mailbox

if TYPE_CHECKING:
    pass

SENDER = "no-reply@tnsi.com"


def through(server: MailServer, proxy: MailProxy) -> MailboxSettings:
    return MailboxSettings(
        host="127.0.0.1",
        port=proxy.port,
        user=server.user,
        tls="implicit",
        ca_file=server.ca_file,
    )


def until(condition: object, seconds: float = 10.0) -> float:
    """Wait until `condition()` holds; the moment it did."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.01)
    return time.monotonic()


@pytest.fixture
def person() -> Iterator[PtyPerson]:
    typing = PtyPerson()
    yield typing
    typing.close()


@pytest.mark.parametrize("fault", ["stall", "drip"])
def test_no_answer_is_waited_for_past_its_deadline_however_slowly_it_comes(
    mail_server: MailServer, fault: str
) -> None:
    # A byte every 0.3 s never lets a 1.5 s receive time out: only the answer's deadline ends it.
    with MailProxy(mail_server, [fault], interval=0.3) as proxy:
        box = Mailbox.open(through(mail_server, proxy), mail_server.password, timeout_s=1.5)
        started = time.monotonic()
        with pytest.raises(MailboxError) as raised:
            box.search_from(SENDER)
        took = time.monotonic() - started
        assert str(raised.value) == f"The mail server at 127.0.0.1:{proxy.port} stopped answering."
        assert 1.4 < took < 2.5
        started = time.monotonic()
        box.close()  # no LOGOUT that would wait on the same server again
        assert time.monotonic() - started < 0.5
        until(lambda: proxy.open_connections() == 0, 2.0)
