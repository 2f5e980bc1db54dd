"""`MailboxCodeSource` against a real IMAP server (pymap, tests/mailserver.py) over TLS.

Each test writes to its own contact address, so the one mailbox of the session can hold every
test's mails. The person behind the fallback is a real pseudo-terminal (tests/ptyperson.py):
what they see is asserted as they would see it.
"""

from __future__ import annotations

import logging
import re
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from mailserver import MailServer, free_port
from ptyperson import PtyPerson

from assistant import log
from assistant.errors import NotConfirmed
from assistant.mailbox.config import MailboxSettings
from assistant.mailbox.imap import Mailbox
from assistant.mailbox.source import MailboxCodeSource
from assistant.sitting.code_sources import CodeRequest, TerminalCodeSource

SENDER = "no-reply@tnsi.com"
SIGNATURE = "-- \nFree Caller Registry support\n1 Example Way, Suite 500, Reston, VA 20190\n"
RECEIVED = re.compile(r"Using the code from the mailbox \(received (\d\d:\d\d:\d\d)\)\.")


def address() -> str:
    return f"it-{uuid.uuid4().hex[:10]}@lakeside.example.org"


def code_mail(
    to: str,
    code: str = "",
    *,
    subject: str | None = None,
    body: str | None = None,
    sender: str = f"Free Caller Registry <{SENDER}>",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = (
        subject if subject is not None else f"Free Caller Registry Verification Code: [{code}]"
    )
    message.set_content(body if body is not None else f"Hello,\n\n{SIGNATURE}")
    return bytes(message)


def settings(server: MailServer, **changes: object) -> MailboxSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.starttls,
        "user": server.user,
        "tls": "starttls",
        "ca_file": server.ca_file,
    }
    values.update(changes)
    return MailboxSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def person() -> Iterator[PtyPerson]:
    typing = PtyPerson()
    yield typing
    typing.close()


def source(
    server: MailServer,
    person: PtyPerson,
    *,
    timeout_s: float = 10.0,
    password: str | None = None,
    **changes: object,
) -> MailboxCodeSource:
    person.end_input()  # after what the test typed: a prompt nobody expected fails at once
    return MailboxCodeSource(
        settings(server, **changes),
        server.password if password is None else password,
        fallback=TerminalCodeSource(person.terminal),
        say=person.terminal.say,
        timeout_s=timeout_s,
    )


def later(seconds: float, action: object) -> threading.Timer:
    timer = threading.Timer(seconds, action)  # type: ignore[arg-type]
    timer.start()
    return timer


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Free Caller Registry Verification Code: [{code}]", None),
        ("Free Caller Registry Verification Code {code}", None),
        ("Your code", "Your Free Caller Registry Verification Code: [{code}]\n\n" + SIGNATURE),
    ],
    ids=["newer-subject", "older-subject", "body"],
)
def test_the_code_is_taken_from_the_mail_and_only_its_arrival_is_shown(
    mail_server: MailServer, person: PtyPerson, subject: str, body: str | None
) -> None:
    to = address()
    request = CodeRequest(to)
    mail_server.append(
        code_mail(to, subject=subject.format(code="48213"), body=body and body.format(code="48213"))
    )
    assert source(mail_server, person).code(request) == "48213"
    screen = person.screen()
    assert screen.splitlines()[0] == (
        f"Waiting for the code mail to {to[0]}***@lakeside.example.org in the mailbox (up to 10 s)."
    )
    match = RECEIVED.search(screen)
    assert match is not None
    shown = datetime.strptime(match.group(1), "%H:%M:%S").time()
    now = datetime.now().astimezone()
    assert abs(datetime.combine(now.date(), shown, now.tzinfo) - now) < timedelta(seconds=30)
    assert "48213" not in screen
    assert "Type the" not in screen  # the person was not asked


def test_the_newest_code_mail_wins(mail_server: MailServer, person: PtyPerson) -> None:
    to = address()
    request = CodeRequest(to)
    mail_server.append(code_mail(to, "11111"))
    mail_server.append(code_mail(to, "22222"), datetime.now(UTC) + timedelta(seconds=2))
    assert source(mail_server, person).code(request) == "22222"


def test_a_mail_arriving_while_waiting_is_taken(mail_server: MailServer, person: PtyPerson) -> None:
    to = address()
    request = CodeRequest(to)
    later(1.0, lambda: mail_server.append(code_mail(to, "48213")))
    started = time.monotonic()
    assert source(mail_server, person, timeout_s=30).code(request) == "48213"
    assert time.monotonic() - started < 10.0


def test_idle_wakes_at_the_servers_word_and_a_server_without_it_is_polled(
    mail_server: MailServer,
) -> None:
    with Mailbox.open(settings(mail_server), mail_server.password, timeout_s=20) as box:
        assert isinstance(box.client.sock, ssl.SSLSocket)  # STARTTLS before the login
        assert box.can_idle
        later(1.0, lambda: mail_server.append(code_mail(address(), "48213")))
        started = time.monotonic()
        box.wait_for_news(30, lambda: False)  # only new mail ends this wait before 30 s
        assert time.monotonic() - started < 10.0
    plain = settings(mail_server, port=mail_server.no_idle)
    with Mailbox.open(plain, mail_server.password, timeout_s=20) as box:
        assert not box.can_idle
        started = time.monotonic()
        box.wait_for_news(1.0, lambda: False)  # a pause on the socket, then NOOP
        assert 0.9 < time.monotonic() - started < 5.0


@pytest.mark.parametrize("listener", ["tls", "no_idle"])
def test_implicit_tls_and_a_server_without_idle_work_too(
    mail_server: MailServer, person: PtyPerson, listener: str
) -> None:
    to = address()
    request = CodeRequest(to)
    later(1.0, lambda: mail_server.append(code_mail(to, "48213")))
    started = time.monotonic()
    port = getattr(mail_server, listener)
    tls = "implicit" if listener == "tls" else "starttls"
    assert source(mail_server, person, timeout_s=30, port=port, tls=tls).code(request) == "48213"
    assert time.monotonic() - started < 8.0  # polled with backoff: 0.5, 0.8, 1.3 … s


@pytest.mark.parametrize(
    "kind",
    [
        "wrong-sender",
        "look-alike-sender",
        "older",
        "another-recipient",
        "address-inside-another",
        "signature-number",
    ],
)
def test_a_mail_that_is_not_this_requests_code_mail_is_never_taken(
    mail_server: MailServer, person: PtyPerson, kind: str
) -> None:
    to = address()
    before = datetime.now(UTC) - timedelta(minutes=3)
    request = CodeRequest(to)
    if kind == "wrong-sender":
        mail_server.append(code_mail(to, "66666", sender="Support <support@tnsi.com>"))
    elif kind == "look-alike-sender":
        mail_server.append(code_mail(to, "66666", sender=f"{SENDER} <phish@evil.example>"))
    elif kind == "older":  # received before the send click
        mail_server.append(code_mail(to, "66666"), before)
    elif kind == "another-recipient":
        mail_server.append(code_mail(address(), "66666"))
    elif kind == "address-inside-another":  # the server's TO search matches substrings
        mail_server.append(code_mail(f"hr.{to}", "66666"))
    else:  # the only 5-digit number is the signature's ZIP code
        mail_server.append(code_mail(to, subject="Your Free Caller Registry registration"))
    person.type("54321")
    # The mail is there before the first look: a short wait is enough to see it refused.
    assert source(mail_server, person, timeout_s=0.5).code(request) == "54321"
    screen = person.screen("Type the 5-digit code")
    assert (
        f"No code mail from {SENDER} reached the mailbox within 0.5 s; type the code yourself.\n"
        f"A 5-digit verification code was emailed to {to[0]}***@lakeside.example.org "
        f"(from {SENDER}).\nType the 5-digit code (or type it into the browser and just press "
        "Enter): "
    ) in screen
    assert "66666" not in screen
    assert "20190" not in screen


def test_a_late_mail_means_the_person_is_asked_after_the_timeout(
    mail_server: MailServer, person: PtyPerson
) -> None:
    to = address()
    request = CodeRequest(to)
    later(2.0, lambda: mail_server.append(code_mail(to, "48213")))
    started = time.monotonic()
    person.type("48213")  # read from the mail by the person, at the prompt
    assert source(mail_server, person, timeout_s=0.8).code(request) == "48213"
    assert 0.7 < time.monotonic() - started < 6.0
    assert "within 0.8 s; type the code yourself." in person.screen("Type the 5-digit code")


def test_a_mail_is_taken_once_so_the_next_submission_waits_for_its_own(
    mail_server: MailServer, person: PtyPerson
) -> None:
    to = address()
    person.type("33333")  # for the third submission, whose code never comes by mail
    reader = source(mail_server, person, timeout_s=20)
    mail_server.append(code_mail(to, "11111"))
    assert reader.code(CodeRequest(to)) == "11111"
    # The next submission to the same address: the first mail still looks recent enough.
    second = CodeRequest(to)
    later(0.5, lambda: mail_server.append(code_mail(to, "22222")))
    assert reader.code(second) == "22222"
    reader.timeout_s = 0.5
    assert reader.code(CodeRequest(to)) == "33333"  # nothing new: the person is asked


def test_a_code_the_page_refused_is_never_looked_up_again(
    mail_server: MailServer, person: PtyPerson
) -> None:
    to = address()
    mail_server.append(code_mail(to, "48213"))
    person.type("54321")
    refused = CodeRequest(to, attempt=2, problem="The code is not valid.")
    assert source(mail_server, person).code(refused) == "54321"
    screen = person.screen("Type the 5-digit code")
    assert "The portal did not accept the code: The code is not valid.\n" in screen
    assert "mailbox" not in screen


def test_a_server_that_is_down_is_said_plainly_and_the_person_is_asked_at_once(
    mail_server: MailServer, person: PtyPerson
) -> None:
    port = free_port()
    person.type("54321")
    started = time.monotonic()
    assert source(mail_server, person, port=port).code(CodeRequest(address())) == "54321"
    assert time.monotonic() - started < 3.0
    assert (
        f"Nothing answers at 127.0.0.1:{port} (connection refused): the mail server is down, or "
        "host and port in the config file are wrong. Type the code yourself.\n"
    ) in person.screen("Type the 5-digit code")


def test_a_wrong_password_is_said_plainly_and_never_shown(
    mail_server: MailServer, person: PtyPerson, tmp_path: Path
) -> None:
    wrong = "Wr0ng-" + mail_server.password[::-1]
    run_log = log.attach_run_log(tmp_path)
    level = logging.getLogger().level
    try:
        person.type("54321")
        reader = source(mail_server, person, password=wrong)
        assert reader.code(CodeRequest(address())) == "54321"
    finally:
        log.detach_run_log()
        logging.getLogger().setLevel(level)
    screen = person.screen("Type the 5-digit code")
    assert (
        f"The mailbox at 127.0.0.1:{mail_server.starttls} refused the login for "
        f"{mail_server.user}: check the password (run `assistant mailbox setup` again, or set "
        "ASSISTANT_IMAP_PASSWORD). Type the code yourself.\n"
    ) in screen
    assert wrong not in screen
    logged = run_log.read_text(encoding="utf-8")
    assert "refused the login" in logged  # the log says what happened …
    assert wrong not in logged  # … and never with what


def test_an_untrusted_certificate_is_said_plainly(
    mail_server: MailServer, person: PtyPerson
) -> None:
    person.type("54321")
    reader = source(mail_server, person, port=mail_server.tls, tls="implicit", ca_file=None)
    assert reader.code(CodeRequest(address())) == "54321"
    assert (
        f"The mail server at 127.0.0.1:{mail_server.tls} has a TLS certificate this computer "
        "does not trust (unable to get local issuer certificate); if it is your own server, set "
        "`ca_file` in the config file. Type the code yourself.\n"
    ) in person.screen("Type the 5-digit code")


def test_ctrl_c_stops_the_wait_with_nothing_submitted(
    mail_server: MailServer, person: PtyPerson
) -> None:
    pressed = threading.Event()
    later(1.0, pressed.set)
    request = CodeRequest(address(), stop_requested=pressed.is_set)
    started = time.monotonic()
    with pytest.raises(NotConfirmed, match="Stopped by Ctrl-C while waiting for the code mail"):
        source(mail_server, person, timeout_s=30).code(request)
    assert time.monotonic() - started < 6.0


def test_a_server_without_starttls_never_gets_the_password(
    mail_server: MailServer, person: PtyPerson
) -> None:
    person.type("54321")
    reader = source(mail_server, person, port=mail_server.no_starttls)
    assert reader.code(CodeRequest(address())) == "54321"
    assert (
        f"The mail server at 127.0.0.1:{mail_server.no_starttls} does not offer STARTTLS, so the "
        'password cannot be sent safely; use tls = "implicit" (port 993) in the config file. '
        "Type the code yourself.\n"
    ) in person.screen("Type the 5-digit code")
