"""Redaction: contact email, contact phone (every spelling) and the code never reach a log or the
terminal, except in the review table (and, by design, the journal's review values and the HTML
receipt). The last test runs the real `assistant fill` end to end and greps everything it left.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import PROFILE
from mailserver import MailServer
from person import Person
from replicas import Replicas

from assistant import log
from assistant.errors import ExitCode
from assistant.sitting.terminal import Terminal

EMAIL = "it@lakeside.example.org"
PHONE = "+16195550142"
SPELLINGS = (
    PHONE,
    "16195550142",
    "6195550142",
    "619-555-0142",
    "(619) 555-0142",
    "(619)555-0142",
    "619.555.0142",
    "619 555 0142",
    "+1 619 555 0142",
    "+1 (619) 555-0142",
)


@pytest.fixture
def run_log(tmp_path: Path) -> Iterator[Path]:
    level = logging.getLogger().level
    path = log.attach_run_log(tmp_path)
    yield path
    log.detach_run_log()
    logging.getLogger().setLevel(level)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_the_contact_phone_is_masked(spelling: str) -> None:
    log.register_secret(PHONE)
    assert re.sub(r"\D", "", spelling).endswith("6195550142")  # (the list is of this phone)
    assert "0142" not in log.redact(f"call {spelling} now")
    assert log.redact(f"call {spelling} now").startswith("call ")


def test_the_email_is_masked_in_any_case_and_url_encoded() -> None:
    log.register_secret(EMAIL)
    text = f"{EMAIL} IT@Lakeside.Example.org ?e=it%40lakeside.example.org"
    assert log.redact(text) == "[masked] [masked] ?e=[masked]"


def test_the_code_is_masked_but_never_inside_a_longer_number() -> None:
    log.register_secret("11282")
    assert log.redact("code 11282, code:11282.") == "code [masked], code:[masked]."
    # A Feedback ID that happens to contain the code's digits stays whole: people copy it.
    assert log.redact("Feedback ID: FCRFE11282026113743406") == (
        "Feedback ID: FCRFE11282026113743406"
    )


def test_log_records_their_arguments_and_tracebacks_are_masked(run_log: Path) -> None:
    log.register_secret(EMAIL, PHONE, "48213")
    logger = log.get_logger("test")
    logger.warning("to %s at %s", EMAIL, "(619) 555-0142")
    try:
        raise ValueError(f"code 48213 refused for {EMAIL}")
    except ValueError:
        logger.error("failed", exc_info=True)
    logging.getLogger("tenacity").warning("retrying %s", "619-555-0142")  # a library's logger
    text = run_log.read_text(encoding="utf-8")
    assert "to [masked] at [masked]" in text
    assert "ValueError: code [masked] refused for [masked]" in text
    assert "WARNING tenacity: retrying [masked]" in text
    assert not re.search(r"48213|lakeside\.example|0142", text)
    assert run_log.stat().st_mode & 0o777 == 0o600


def test_the_terminal_masks_everything_but_the_review_table() -> None:
    from assistant.browser.step_state import ReadBack
    from assistant.sitting.gates import Review, render_review

    log.register_secret(EMAIL, PHONE)
    out = io.StringIO()
    terminal = Terminal(io.StringIO(), out)
    terminal.say(f"Sent to {EMAIL} and 6195550142")
    row = ReadBack("business", "contact phone", "#p", PHONE, "6195550142", "6195550142", True)
    render_review(Review("Submission 1 of 1", "fcr", (row,), Path("/run/s1.png")), terminal)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Sent to [masked] and [masked]"
    assert [line for line in lines if "6195550142" in line] == [
        next(line for line in lines if "contact phone" in line)
    ]


def secrets_in(text: str, code: str) -> list[str]:
    """Every contact spelling or the code found in `text`."""
    found = [s for s in (*SPELLINGS, EMAIL, "it%40lakeside.example.org") if s in text]
    found += re.findall(rf"(?<!\d){code}(?!\d)", text)
    return found


@pytest.mark.browser
def test_a_whole_fill_leaves_contact_details_and_the_code_only_in_the_review(
    tmp_path: Path, replica: Replicas
) -> None:
    """The done-when test: the real command at a terminal, then a grep of everything."""
    data = tmp_path / "data"
    portal = replica()
    fill = ("--verbose", "fill", PROFILE, "--url", portal.url, "--headless")
    with Person(*fill, data=data) as person:
        person.expect("Type the 5-digit code: ")
        code = portal.latest_code(EMAIL)
        person.type(code)
        person.answer(r"anything else to stop: ", "submit")
        assert person.wait() == ExitCode.OK, person.screen
    assert len(portal.submissions()) == 1
    screen = person.screen
    # The terminal: only the review table's rows (and the person's own typing of the code,
    # echoed by the terminal) hold them.
    leaking = [
        line
        for line in screen.splitlines()
        if secrets_in(line, code)
        and not line.startswith("│ ")
        and line != f"Type the 5-digit code: {code}"
    ]
    assert leaking == []
    review_rows = [line for line in screen.splitlines() if secrets_in(line, code)]
    assert [row.split("│")[2].strip() for row in review_rows[1:]] == [
        "contact email",
        "contact phone",
    ]
    assert "i***@lakeside.example.org" in screen  # the code prompt's partly masked address
    # Every file the run left, except the journal and the receipt (which keep the reviewed
    # values by design) and the pictures and traces (binary; private, 0600).
    files = [
        p
        for p in data.rglob("*")
        if p.is_file()
        and not p.name.startswith("journal.sqlite3")
        and p.parent.name != "receipts"
        and p.suffix not in (".png", ".jpg", ".zip")
    ]
    assert [p.name for p in files if p.parent.name != "locks"] == ["run.log"]
    # The profile's run lock (pid, start time, command, profile path), checked below too.
    assert [p.suffix for p in files if p.parent.name == "locks"] == [".lock"]
    assert list(data.rglob("*.zip")) == []  # no trace unless --trace
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert text.strip(), f"{path} is empty: nothing was checked"
        assert secrets_in(text, code) == [], path
    # The allowed places do hold them: the check above would have seen a leak.
    receipts = list((data / "receipts").glob("*.html"))
    assert EMAIL in receipts[0].read_text(encoding="utf-8")
    assert EMAIL.encode() in (data / "journal.sqlite3").read_bytes()


@pytest.mark.browser
def test_a_fill_with_codes_from_the_mailbox_needs_only_submit_and_leaves_no_code_or_password(
    tmp_path: Path, mail_server: MailServer, replica: Replicas
) -> None:
    """Issue 12's end-to-end run: the real `assistant fill --codes mailbox` at a terminal, the
    replica mailing the code into a real IMAP server a second after the click; the person types
    only `submit`. Then a grep of everything the run left for the code, the password and the
    mail's text."""
    data = tmp_path / "data"
    home = tmp_path / "config-home"
    (home / "assistant").mkdir(parents=True)
    (home / "assistant" / "config.toml").write_text(mail_server.config_toml(), encoding="utf-8")
    environment = {"XDG_CONFIG_HOME": str(home), "ASSISTANT_IMAP_PASSWORD": mail_server.password}
    portal = replica(mailbox=mail_server, mail_delay=1.0)
    fill = ("--verbose", "fill", PROFILE, "--url", portal.url, "--headless", "--codes", "mailbox")
    with Person(*fill, data=data, env=environment) as person:
        person.expect(
            r"Waiting for the code mail to i\*\*\*@lakeside\.example\.org in the mailbox "
            r"\(up to 5 min\)\."
        )
        person.expect(r"Using the code from the mailbox \(received \d\d:\d\d:\d\d\)\.")
        person.expect("The portal accepted the code.")
        person.answer(r"anything else to stop: ", "submit")  # the only thing the person types
        person.expect(r"Submitted 1 of 1\. Feedback ID: (FCRFE\d{17})")
        assert person.wait() == ExitCode.OK, person.screen
    [record] = portal.submissions()
    [mail] = portal.outbox()  # one code was sent, and it came through the mailbox
    code = str(mail["code"])
    assert portal.maildrop is not None
    assert portal.maildrop.delivered == 1
    screen = person.screen
    assert record["feedback_id"] in screen
    assert "Type the 5-digit code" not in screen
    assert [line for line in screen.splitlines() if secrets_in(line, code)] == [
        line
        for line in screen.splitlines()
        if line.startswith("│ ") and ("contact email" in line or "contact phone" in line)
    ]
    mail_text = ("Example Way", "Verification Code:", "Type it on the page")
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "run.log" for p in files)
    for path in files:
        blob = path.read_bytes().decode("utf-8", errors="replace")
        assert re.search(rf"(?<!\d){code}(?!\d)", blob) is None, path
        assert mail_server.password not in blob, path
        assert not [text for text in mail_text if text in blob], path
        assert code not in str(path.relative_to(data)), path  # nor in a screenshot's name
    assert mail_server.password not in screen
    assert not [text for text in mail_text if text in screen]
