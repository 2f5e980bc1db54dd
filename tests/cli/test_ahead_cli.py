"""The real `assistant batch` in a pseudo-terminal with codes from the mailbox (issue 12): the
replica mails each code into the session's real IMAP server 0.3 s after it is asked for,
and the person does nothing but read and type `submit` (or decline one)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from batchrun import EMAIL, drive, profile_text
from mailserver import MailServer
from replicas import Replicas

from assistant.errors import ExitCode

# Three profiles, five submissions: 25 numbers (20 + 5), 30 (20 + 10), 2.
SIZES = (25, 2)


def _profiles(folder: Path, tag: str) -> tuple[list[str], list[list[str]]]:
    """The two profiles (each with its own contact address) and, per submission in order,
    the numbers the portal's form should receive (10 digits)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, expected = [], []
    for n, size in enumerate(SIZES, start=1):
        numbers = [f"(619) 555-{n}{i:03d}" for i in range(size)]
        digits = [f"619555{n}{i:03d}" for i in range(size)]
        path = folder / f"harbor-{n}.yaml"
        text = profile_text(n, numbers).replace(EMAIL, f"ops-{tag}-{n}@harbor.example.org")
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
        expected += [digits[i : i + 20] for i in range(0, size, 20)]
    return paths, expected


def _run_batch(
    mail_server: MailServer, replica: Replicas, tmp_path: Path, answers: list[str]
) -> tuple[str, int | None, list[tuple[str, str]], list[list[str]], list[list[str]]]:
    """`assistant batch` over the two profiles, answering the n-th review with `answers[n]`
    and failing at any question for a code. Returns what was shown, the exit status, the
    reviews asked about (profile, part), and the numbers the replica received per submission
    against those expected."""
    tag = uuid.uuid4().hex[:8]
    paths, expected = _profiles(tmp_path / "profiles", tag)
    config = tmp_path / "config-home"
    (config / "assistant").mkdir(parents=True)
    (config / "assistant" / "config.toml").write_text(mail_server.config_toml(), "utf-8")
    portal = replica(mailbox=mail_server, mail_delay=0.3)
    options = ["--url", portal.url, "--headless", "--codes", "mailbox", "--code-timeout", "60"]
    run = drive(
        ["batch", *paths, *options, "--data-dir", str(tmp_path / "data")],
        None,  # a question for a code fails the test
        answers=tuple(answers),
        env={"XDG_CONFIG_HOME": str(config), "ASSISTANT_IMAP_PASSWORD": mail_server.password},
        timeout=120,
    )
    received = [
        [v for k, v in s["fields"].items() if k.startswith("enterprise_phone_") and v]
        for s in portal.submissions()
    ]
    return run.output, run.exitstatus, run.reviews, received, expected


def test_a_batch_with_codes_from_the_mailbox_asks_the_person_only_to_type_submit(
    mail_server: MailServer, replica: Replicas, tmp_path: Path
) -> None:
    screen, status, reviews, received, expected = _run_batch(
        mail_server, replica, tmp_path, ["submit"] * 3
    )
    assert status == ExitCode.OK, screen
    assert reviews == [("Harbor 1", "1"), ("Harbor 1", "2"), ("Harbor 2", "1")]
    assert received == expected
    assert screen.count("Using the code from the mailbox (received ") == 3
    assert len(re.findall(r"Feedback ID: FCRFE\d{17}", screen)) == 3
    assert "3 submitted, 0 declined" in screen


def test_declining_the_second_review_still_offers_the_third(
    mail_server: MailServer, replica: Replicas, tmp_path: Path
) -> None:
    screen, status, reviews, received, expected = _run_batch(
        mail_server, replica, tmp_path, ["submit", "no", "submit"]
    )
    assert status == ExitCode.NOT_CONFIRMED, screen
    assert reviews == [("Harbor 1", "1"), ("Harbor 1", "2"), ("Harbor 2", "1")]
    assert received == [expected[0], expected[2]]
    assert 'Not submitted: You typed "no", not "submit"; nothing was submitted.' in screen
    assert "2 submitted, 1 declined" in screen
