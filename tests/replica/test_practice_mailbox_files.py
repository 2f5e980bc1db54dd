"""The practice mailbox of `assistant replica --mailbox` keeps its certificate authority and
password for the next start, so the `mailbox setup` made for it stays valid (issue 19 item 5)."""

from __future__ import annotations

from pathlib import Path

from assistant.replica.mailserver import (
    _still_valid,
    make_certificates,
    practice_mailbox,
    practice_password,
)


def test_the_password_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = practice_password(tmp_path)
    assert len(first) >= 20
    assert practice_password(tmp_path) == first
    assert (tmp_path / "password").stat().st_mode & 0o777 == 0o600


def test_a_certificate_that_ends_within_a_day_is_not_kept(tmp_path: Path) -> None:
    (tmp_path / "year").mkdir()
    (tmp_path / "day").mkdir()
    assert _still_valid(make_certificates(tmp_path / "year", days=365)[1])
    assert not _still_valid(make_certificates(tmp_path / "day", days=1)[1])
    assert not _still_valid(tmp_path / "missing.pem")


def test_a_second_start_uses_the_same_authority_and_password(tmp_path: Path) -> None:
    folder = tmp_path / "mailbox"
    first = practice_mailbox(folder, port=0)
    try:
        ca, password = first.ca_file.read_bytes(), first.password
    finally:
        first.stop()
    second = practice_mailbox(folder, port=0)
    try:
        assert (second.ca_file.read_bytes(), second.password) == (ca, password)
        assert (second.tls, second.no_idle, second.no_starttls) == (0, 0, 0)  # one listener
    finally:
        second.stop()
    assert folder.stat().st_mode & 0o777 == 0o700
