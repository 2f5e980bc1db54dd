"""A mail server that stalls once the IMAP session is established (issue 17, item 6): silent, or
one byte every few seconds, behind a proxy in front of the test server (tests/mailproxy.py).

No read lasts for ever, however slowly the server drips; the code source reads in a worker
thread, so the caller (in a batch, the main thread that must click the submission under review)
is asked whether to stop every few hundredths of a second and Ctrl-C ends the wait at once; and
a code that comes after a stop was asked for is never typed."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from mailproxy import MailProxy
from mailserver import MailServer
from ptyperson import PtyPerson

from assistant.errors import MailboxError, NotConfirmed
from assistant.mailbox.config import MailboxSettings
from assistant.mailbox.imap import Mailbox
from assistant.mailbox.source import MailboxCodeSource
from assistant.portals import load_portal
from assistant.portals.model import CodeGate
from assistant.sitting.code_sources import CodeRequest, TerminalCodeSource
from assistant.sitting.session import FillOptions, Interrupted, Session
from assistant.sitting.terminal import Terminal

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from assistant.browser.guarded_context import GuardedContext
    from assistant.records.recorder import Recorder

SENDER = "no-reply@tnsi.com"


def through(server: MailServer, proxy: MailProxy) -> MailboxSettings:
    return MailboxSettings(
        host="127.0.0.1",
        port=proxy.port,
        user=server.user,
        tls="implicit",
        ca_file=server.ca_file,
    )


def direct(server: MailServer) -> MailboxSettings:
    """The test server itself (STARTTLS, with IDLE)."""
    return MailboxSettings(
        host="127.0.0.1",
        port=server.starttls,
        user=server.user,
        tls="starttls",
        ca_file=server.ca_file,
    )


def code_mail(to: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Free Caller Registry <{SENDER}>"
    message["To"] = to
    message["Subject"] = "Free Caller Registry Verification Code: [48213]"
    message.set_content("Hello,\n")
    return bytes(message)


def until(condition: Callable[[], bool], seconds: float = 10.0) -> float:
    """Wait until `condition()` holds; the moment it did."""
    deadline = time.monotonic() + seconds
    while not condition():
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


@pytest.mark.parametrize("listener", ["starttls", "no_idle"])
def test_each_answer_has_a_deadline_of_its_own(mail_server: MailServer, listener: str) -> None:
    # The deadline counts from each command (and from the end of an IDLE), not from the login:
    # a session, or a wait for news, longer than the time-out goes on working. (3 s: a TLS
    # handshake with the in-process test server took over 1 s on a machine at load 11.)
    settings = replace(direct(mail_server), port=getattr(mail_server, listener))
    with Mailbox.open(settings, mail_server.password, timeout_s=3.0) as box:
        assert box.can_idle is (listener == "starttls")
        box.wait_for_news(3.5, lambda: False)  # IDLE, or a pause on the socket then a NOOP
        assert isinstance(box.search_from(SENDER, to="nobody@lakeside.example.org"), list)


def test_the_mailbox_is_asked_whether_to_stop_only_from_the_callers_thread(
    mail_server: MailServer, person: PtyPerson
) -> None:
    """In a batch, asking is what finishes the reviewed submission in the browser: never from
    the mailbox's own thread, which here waits (IDLE) for a mail that comes a second later."""
    asked_in: list[threading.Thread] = []

    def stop_requested() -> bool:
        asked_in.append(threading.current_thread())
        return False

    to = f"it-{uuid.uuid4().hex[:10]}@lakeside.example.org"
    timer = threading.Timer(1.0, lambda: mail_server.append(code_mail(to)))
    timer.start()
    person.end_input()
    source = MailboxCodeSource(
        direct(mail_server),
        mail_server.password,
        fallback=TerminalCodeSource(person.terminal),
        say=person.terminal.say,
        timeout_s=30,
    )
    assert source.code(CodeRequest(to, stop_requested=stop_requested)) == "48213"
    timer.join()
    assert len(asked_in) >= 10
    assert set(asked_in) == {threading.main_thread()}


@pytest.mark.parametrize("fault", ["stall", "drip"])
def test_a_stalled_read_leaves_the_caller_free_and_ctrl_c_ends_the_wait_at_once(
    mail_server: MailServer, person: PtyPerson, fault: str
) -> None:
    pressed = threading.Event()
    asked_in: list[threading.Thread] = []

    def stop_requested() -> bool:  # in a batch: finishes the submission under review
        asked_in.append(threading.current_thread())
        return pressed.is_set()

    with MailProxy(mail_server, [fault], interval=5.0) as proxy:
        person.end_input()  # the person is never asked: a question would fail at once
        source = MailboxCodeSource(
            through(mail_server, proxy),
            mail_server.password,
            fallback=TerminalCodeSource(person.terminal),
            say=person.terminal.say,
            timeout_s=60,
        )
        request = CodeRequest(f"it-{uuid.uuid4().hex[:10]}@lakeside.example.org")
        request = CodeRequest(request.email, stop_requested=stop_requested)
        presses: list[float] = []

        def press_once_the_read_is_held() -> None:
            assert proxy.held.wait(30)
            held = len(asked_in)
            until(lambda: len(asked_in) >= held + 10)  # asked all along while the read stalls
            presses.append(time.monotonic())
            pressed.set()

        presser = threading.Thread(target=press_once_the_read_is_held)
        presser.start()
        with pytest.raises(NotConfirmed) as raised:
            source.code(request)
        ended = time.monotonic()
        presser.join()
        assert str(raised.value) == (
            "Stopped by Ctrl-C while waiting for the code mail; nothing was submitted."
        )
        assert ended - presses[0] < 0.3
        assert set(asked_in) == {threading.main_thread()}  # never from the mailbox's thread
        # The reading given up on is cut off, not left to its time-out (20 s).
        until(lambda: proxy.open_connections() == 0, 2.0)
    assert "Type the" not in person.screen()


class _CodeAfterTheStop:
    """A code source that pays no heed to a stop: the code comes after Ctrl-C was pressed."""

    def __init__(self, pressed: threading.Event) -> None:
        self.pressed = pressed

    def code(self, request: CodeRequest) -> str | None:
        self.pressed.set()
        return "48213"


def test_a_code_that_comes_after_a_stop_is_never_typed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import assistant.browser.code_entry

    typed: list[str | None] = []

    def enter_code(
        page: object, step: str, gate: CodeGate, code: str | None, *rest: object
    ) -> assistant.browser.code_entry.CodeResult:
        typed.append(code)
        return assistant.browser.code_entry.CodeResult(True)

    monkeypatch.setattr(assistant.browser.code_entry, "enter_code", enter_code)
    pressed = threading.Event()
    portal = load_portal("fcr")
    gate = next(a for step in portal.steps for a in step.actions if isinstance(a, CodeGate))
    session = Session(
        cast("Browser", None),
        FillOptions(portal=portal),
        Terminal(),
        _CodeAfterTheStop(pressed),
        run_dir=tmp_path,
        recorder=cast("Recorder", None),
        stop_requested=pressed.is_set,
    )
    with pytest.raises(Interrupted, match=r"^Stopped by Ctrl-C; nothing was submitted\.$"):
        session._code_gate(
            cast("Page", None), cast("GuardedContext", None), "verify", gate, "ops@harbor.test"
        )
    assert typed == []


def test_a_code_read_as_the_stop_comes_is_not_used(
    monkeypatch: pytest.MonkeyPatch, person: PtyPerson, mail_server: MailServer
) -> None:
    """The mail comes in the same slice as Ctrl-C: the stop wins, and the wait ends as any
    other stopped wait does (the session would refuse the code in any case)."""
    from assistant.mailbox import source as module

    def found_at_once(self: object, request: CodeRequest, reading: object) -> module.CodeMail:
        return module.CodeMail("48213", datetime.now(UTC), 7)

    monkeypatch.setattr(module.MailboxCodeSource, "_watch", found_at_once)
    person.end_input()
    source = MailboxCodeSource(
        direct(mail_server),
        mail_server.password,
        fallback=TerminalCodeSource(person.terminal),
        say=person.terminal.say,
    )
    with pytest.raises(NotConfirmed, match=r"^Stopped by Ctrl-C while waiting for the code mail"):
        source.code(CodeRequest("it@lakeside.example.org", stop_requested=lambda: True))
    assert "Using the code" not in person.screen()
