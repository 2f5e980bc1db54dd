"""The pure parts of codes from the mailbox: which mail is a code mail and its code
(assistant.mailbox.codes), the config file (assistant.mailbox.config), and the choice between
the flag and the config."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.mailbox.codes import find_code, is_from, is_to
from assistant.mailbox.config import (
    MailboxSettings,
    choose_codes,
    load_config,
    save_mailbox,
)
from assistant.mailbox.source import duration

SIGNATURE = "-- \nFree Caller Registry support\n1 Example Way, Suite 500, Reston, VA 20190\n"


def mail(
    subject: str,
    body: str = "Hello,\n\n" + SIGNATURE,
    *,
    sender: str = "Free Caller Registry <no-reply@tnsi.com>",
    to: str = "it@lakeside.example.org",
    html: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return received(message)


def received(message: EmailMessage) -> EmailMessage:
    """The message as a mailbox hands it over: bytes, parsed again."""
    parsed = BytesParser(policy=policy.default).parsebytes(bytes(message))
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize(
    ("subject", "body", "code"),
    [
        ("Free Caller Registry Verification Code: [48213]", "Hello,\n\n" + SIGNATURE, "48213"),
        ("Free Caller Registry Verification Code 48213", "Hello,\n\n" + SIGNATURE, "48213"),
        ("Your verification code is 48213.", "Hello", "48213"),
        (
            "Your code",
            "Your Free Caller Registry Verification Code: [48213]\n" + SIGNATURE,
            "48213",
        ),
        ("Your code", "Verification code: 48213\n\n" + SIGNATURE, "48213"),
        # the subject's code wins over a different one in the body
        ("Free Caller Registry Verification Code: [48213]", "Verification Code: [11111]", "48213"),
    ],
    ids=["newer-subject", "older-subject", "subject-ends-with-code", "body", "body-plain", "both"],
)
def test_the_code_is_found_in_both_subject_forms_and_the_body(
    subject: str, body: str, code: str
) -> None:
    assert find_code(mail(subject, body)) == code


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Your registration", "Thank you.\n\n" + SIGNATURE),  # 20190: a ZIP code, not a code
        ("Your registration", "Call us at 20190 or quote ticket 48213."),
        ("Ticket 48213 received, we answer within 2 days", "Hello"),
        ("Free Caller Registry Verification Code: [4821]", "Hello"),  # 4 digits, not 5
        ("Free Caller Registry Verification Code: [482130]", "Hello"),  # 6 digits
        ("Reference FCRFE11282026113743406", "Hello"),  # a Feedback ID ends in digits too
        ("Your code", "Verification Code: [48213]\nVerification Code: [11111]"),  # ambiguous
    ],
    ids=["signature", "numbers-in-text", "number-mid-subject", "4-digits", "6-digits",
         "feedback-id", "two-codes"],
)  # fmt: skip
def test_a_number_that_is_not_labelled_as_the_code_is_never_taken(subject: str, body: str) -> None:
    assert find_code(mail(subject, body)) is None


def test_the_code_is_read_from_an_html_only_body_but_not_from_its_scripts() -> None:
    html = (
        "<html><head><title>Code 11111</title><script>var x = 'Verification Code: 22222';"
        "</script></head><body><p>Your Verification Code: <b>[48213]</b></p></body></html>"
    )
    message = EmailMessage()
    message["From"] = "no-reply@tnsi.com"
    message["Subject"] = "Your code"
    message.set_content(html, subtype="html")
    assert find_code(received(message)) == "48213"


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("no-reply@tnsi.com", True),
        ("Free Caller Registry <No-Reply@TNSI.com>", True),
        ("no-reply@tnsi.com.evil.example", False),
        ('"no-reply@tnsi.com" <phish@evil.example>', False),
        ("no-reply@tnsi.com <phish@evil.example>", False),
        ("other@tnsi.com", False),
        ("no-reply@tnsi.com, phish@evil.example", False),
    ],
)
def test_only_the_exact_sender_address_counts(sender: str, expected: bool) -> None:
    assert is_from(mail("x", sender=sender), "no-reply@tnsi.com") is expected


def test_the_recipient_must_be_the_contact_address_in_to_or_cc() -> None:
    assert is_to(mail("x", to="Dana <IT@lakeside.example.org>"), "it@lakeside.example.org")
    assert not is_to(mail("x", to="it@lakeside.example.org.evil"), "it@lakeside.example.org")
    assert not is_to(mail("x", to="hr@lakeside.example.org"), "it@lakeside.example.org")
    cc = mail("x", to="hr@lakeside.example.org")
    cc["Cc"] = "it@lakeside.example.org"
    assert is_to(received(cc), "it@lakeside.example.org")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_config_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("x", encoding="utf-8")
    path = write(
        tmp_path,
        'codes = "mailbox"\n[mailbox]\nhost = "imap.example.org"\nuser = "it@example.org"\n'
        'tls = "starttls"\nca_file = "ca.pem"\nsender = "codes@tnsi.com"\nfolder = "Codes"\n',
    )
    config = load_config(path)
    assert config.codes == "mailbox"
    assert config.mailbox == MailboxSettings(
        host="imap.example.org",
        port=143,
        user="it@example.org",
        tls="starttls",
        ca_file=tmp_path / "ca.pem",
        sender="codes@tnsi.com",
        folder="Codes",
    )


@pytest.mark.parametrize(
    ("section", "port", "tls"),
    [
        ("", 993, "implicit"),
        ("port = 143\n", 143, "starttls"),
        ('tls = "starttls"\n', 143, "starttls"),
    ],
)
def test_port_and_tls_default_to_each_other(
    tmp_path: Path, section: str, port: int, tls: str
) -> None:
    path = write(tmp_path, f'[mailbox]\nhost = "h"\nuser = "u"\n{section}')
    settings = load_config(path).mailbox
    assert settings is not None
    assert (settings.port, settings.tls) == (port, tls)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[mailbox]\nhost = "h"\nuser = "u"\npassword = "hunter22"\n',
            "mailbox.password: the password is never kept in this file; remove it and run "
            "`assistant mailbox setup` (or set ASSISTANT_IMAP_PASSWORD).",
        ),
        ('[mailbox]\nhost = "h"\nuser = "u"\nhots = "x"\n', "mailbox.hots: unknown setting;"),
        ('[mailbox]\nuser = "u"\n', "mailbox.host: required, as text."),
        ('[mailbox]\nhost = "h"\nuser = "u"\nport = "993"\n', "mailbox.port: must be a whole"),
        ('[mailbox]\nhost = "h"\nuser = "u"\ntls = "ssl"\n', 'mailbox.tls: must be "implicit"'),
        ('[mailbox]\nhost = "h"\nuser = "u"\nca_file = "nope.pem"\n', "mailbox.ca_file: no such"),
        ('codes = "email"\n', 'codes: must be "terminal" or "mailbox", not \'email\'.'),
        ('code = "mailbox"\n', "unknown setting 'code'; known: codes, [mailbox]."),
        ("[mailbox\n", "is not valid TOML"),
    ],
    ids=["password", "unknown-key", "no-host", "port-text", "tls", "ca-file", "codes", "typo",
         "toml"],
)  # fmt: skip
def test_a_wrong_config_file_is_refused_in_one_line_naming_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as raised:
        load_config(path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)
    assert "hunter22" not in str(raised.value)


def test_the_flag_wins_over_the_config_file_which_wins_over_the_default(tmp_path: Path) -> None:
    assert choose_codes(None, load_config(tmp_path / "none.toml")) == "terminal"
    config = load_config(write(tmp_path, 'codes = "mailbox"\n'))
    assert choose_codes(None, config) == "mailbox"
    assert choose_codes("terminal", config) == "terminal"


def test_saving_the_mailbox_keeps_the_other_settings_and_is_private(tmp_path: Path) -> None:
    path = write(tmp_path, 'codes = "mailbox"\n[mailbox]\nhost = "old"\nuser = "u"\n')
    save_mailbox(path, {"host": "imap.example.org", "port": 1143})
    assert path.read_text(encoding="utf-8") == (
        'codes = "mailbox"\n\n[mailbox]\nhost = "imap.example.org"\nuser = "u"\nport = 1143\n'
    )
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(("seconds", "text"), [(300, "5 min"), (90, "90 s"), (1.5, "1.5 s")])
def test_durations_read_as_a_person_says_them(seconds: float, text: str) -> None:
    assert duration(seconds) == text
