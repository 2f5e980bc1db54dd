"""`assistant doctor` through the real entry point: the browser, then the data folder and any
submission whose outcome is unknown (issue 11 item 6), then the mailbox (issue 19 item 5).
Doctor only looks: nothing is created or chmod-ed. Three tests start the browser; the others
run without one (exit 5), which must not stop the data folder or the mailbox from being
reported."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from clirun import run_assistant
from journalrows import FakeClock, at, new_attempt, submit
from mailserver import MailServer, free_port

from assistant.records.journal import Journal

NO_BROWSER = {"ASSISTANT_BROWSER": "/nonexistent/chromium"}
# Root ignores permission bits; without these two capabilities it obeys them like anyone.
AS_USER = (
    ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--") if os.geteuid() == 0 else ()
)


def run(
    *args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_DATA_DIR", "COLUMNS")}
    return run_assistant(*args, env={**environ, **(env or {})}, prefix=prefix)


def from_data_folder(stdout: str) -> str:
    """Doctor's report from its data folder line up to its mailbox's (the lines before depend
    on the machine; the mailbox's are checked by the tests of the mailbox)."""
    return "Data folder " + stdout.split("Data folder ", 1)[1].split("\nMailbox ", 1)[0] + "\n"


def from_mailbox(stdout: str) -> str:
    """Doctor's report from its mailbox line on (its last part)."""
    return "Mailbox " + stdout.split("\nMailbox ", 1)[1]


def mailbox_config(tmp_path: Path, server: MailServer, port: int | None = None) -> Path:
    """An XDG config folder whose assistant/config.toml points at `server` (private)."""
    home = tmp_path / "config-home"
    (home / "assistant").mkdir(parents=True, mode=0o700)
    config = home / "assistant" / "config.toml"
    config.write_text(server.config_toml(port=port), encoding="utf-8")
    config.chmod(0o600)
    return home


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A journal with one submission and one unknown outcome (attempt 2)."""
    folder = tmp_path / "data"
    with Journal.open(folder, clock=FakeClock(at("2026-10-01 14:03"))) as journal:
        submit(journal, "+16195550100")
        attempt_id = journal.begin(new_attempt("+16195550103", label="Bolt Plumbing"))
        journal.intent(attempt_id, confirmed_by="alice", review_values={"company": "Bolt"})
        journal.unknown(attempt_id, "timeout after the click")
    return folder


def test_doctor_starts_the_browser_and_lists_unknown_outcomes_with_exit_zero(data: Path) -> None:
    result = run("doctor", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    assert "Smoke test  ok: headless Chromium" in result.stdout
    assert "Playwright  1.65.2" in result.stdout
    assert from_data_folder(result.stdout) == (
        f"Data folder {data}  (mode 0700: private, writable)\n"
        f"Journal     {data}/journal.sqlite3\n"
        "            1 submission has an unknown outcome; their numbers will not be sent again "
        "until you settle them:\n"
        "              attempt 2: Bolt Plumbing (1 of 1) to fcr, confirmed 2026-10-01 14:03:00 "
        "UTC by alice: +16195550103\n"
        "                check the contact mailbox or the portal, then run 'assistant settle 2 "
        "--submitted FEEDBACK_ID' or 'assistant settle 2 --not-submitted'\n"
    )
    assert result.stderr == ""


def test_a_data_folder_others_can_read_fails_doctor_and_is_left_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    result = run("doctor", "--data-dir", str(folder))
    assert result.returncode == 8  # what fill would refuse it with: not private
    assert "Smoke test  ok: headless Chromium" in result.stdout
    assert from_data_folder(result.stdout) == (
        f"Data folder {folder}  (mode 0755: NOT private, writable)\n"
    )
    assert result.stderr == (
        f"\n{folder} can be read by other users (mode 0755); fix it with: chmod 700 {folder}\n"
    )
    assert (folder.stat().st_mode & 0o777, os.listdir(folder)) == (0o755, [])


def test_doctor_names_what_to_install_when_the_browser_is_missing(tmp_path: Path) -> None:
    env = {"ASSISTANT_BROWSER": "/nonexistent/chromium"}
    result = run("doctor", "--data-dir", str(tmp_path / "data"), env=env)
    assert result.returncode == 5
    assert "ASSISTANT_BROWSER is set to /nonexistent/chromium, which is not executable." in (
        result.stderr
    )


def test_a_missing_data_folder_is_reported_and_not_made(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "yet"
    result = run("doctor", "--data-dir", str(folder), env=NO_BROWSER)
    assert result.returncode == 5  # no browser: that alone decides the exit code here
    assert from_data_folder(result.stdout) == (
        f"Data folder {folder}  (not there yet: made private, 0700, when first needed)\n"
    )
    assert not (tmp_path / "not").exists()


def test_a_private_folder_without_a_journal_gets_none_made(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    result = run("doctor", "--data-dir", str(folder), env=NO_BROWSER)
    assert from_data_folder(result.stdout) == (
        f"Data folder {folder}  (mode 0700: private, writable)\n"
        "Journal     none yet: nothing was recorded in this data folder\n"
    )
    assert os.listdir(folder) == []


def test_a_journal_without_unknown_outcomes_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with Journal.open(folder) as journal:
        submit(journal, "+16195550100")
    result = run("doctor", "--data-dir", str(folder), env=NO_BROWSER)
    assert from_data_folder(result.stdout) == (
        f"Data folder {folder}  (mode 0700: private, writable)\n"
        f"Journal     {folder}/journal.sqlite3: no submission with an unknown outcome\n"
    )


def test_a_data_folder_that_cannot_be_written_is_reported(data: Path) -> None:
    data.chmod(0o500)
    try:
        result = run("doctor", "--data-dir", str(data), env=NO_BROWSER, prefix=AS_USER)
    finally:
        data.chmod(0o700)
    assert result.returncode == 5
    assert from_data_folder(result.stdout) == (
        f"Data folder {data}  (mode 0500: private, NOT writable)\n"
    )
    assert result.stderr.endswith(
        f"\nthe assistant cannot record anything: {data} cannot be written; make it writable "
        f"(chmod u+w {data}) or pass --data-dir with another folder\n"
    )


def test_a_data_folder_that_is_a_link_is_refused_as_the_commands_refuse_it(
    tmp_path: Path,
) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "data"
    link.symlink_to(real)
    result = run("doctor", "--data-dir", str(link), env=NO_BROWSER)
    assert from_data_folder(result.stdout) == (
        f"Data folder {link}  (a symbolic link, not a folder)\n"
    )
    assert result.stderr.endswith(
        f"\n{link} is a symbolic link to {real}; the data folder must be a real folder with its "
        "own permissions: remove the link and run again (a private folder is made in its "
        "place), or pass --data-dir with a real folder\n"
    )


# --- the mailbox ----------------------------------------------------------------------------


def test_doctor_says_when_no_mailbox_is_set_up(tmp_path: Path) -> None:
    result = run("doctor", "--data-dir", str(tmp_path / "data"), env=NO_BROWSER)
    assert from_mailbox(result.stdout) == (
        "Mailbox     not set up: codes are typed at the terminal (`assistant mailbox setup` "
        "reads them from your mailbox)\n"
    )


def test_doctor_reports_a_mailbox_that_works_and_where_its_password_is_kept(
    mail_server: MailServer, tmp_path: Path
) -> None:
    home = mailbox_config(tmp_path, mail_server)
    env = {
        **NO_BROWSER,
        "XDG_CONFIG_HOME": str(home),
        "ASSISTANT_IMAP_PASSWORD": mail_server.password,
    }
    result = run("doctor", "--data-dir", str(tmp_path / "data"), env=env)
    assert result.returncode == 5  # no browser here; the mailbox is fine
    assert from_mailbox(result.stdout) == (
        f"Mailbox     {mail_server.user} at 127.0.0.1:{mail_server.starttls} (TLS starttls, "
        f"folder INBOX), set up in {home}/assistant/config.toml\n"
        "            codes come from it with --codes mailbox\n"
        "Password    $ASSISTANT_IMAP_PASSWORD\n"
        "Reachable   yes\n"
        "Login       works (IDLE: new mail is seen at once)\n"
    )
    assert mail_server.password not in result.stdout + result.stderr


def test_doctor_exits_12_when_the_mailbox_refuses_the_login(
    mail_server: MailServer, tmp_path: Path
) -> None:
    home = mailbox_config(tmp_path, mail_server)
    env = {"XDG_CONFIG_HOME": str(home), "ASSISTANT_IMAP_PASSWORD": "not-the-password"}
    result = run("doctor", "--data-dir", str(tmp_path / "data"), env=env)
    assert result.returncode == 12, result.stderr  # the browser works and the folder can be used
    assert from_mailbox(result.stdout).splitlines()[2:] == [
        "Password    $ASSISTANT_IMAP_PASSWORD",
        "Reachable   yes",
        f"Login       FAILED: The mailbox at 127.0.0.1:{mail_server.starttls} refused the login "
        f"for {mail_server.user}: check the password (run `assistant mailbox setup` again, or "
        "set ASSISTANT_IMAP_PASSWORD).",
    ]
    assert "not-the-password" not in result.stdout + result.stderr


def test_doctor_says_there_is_no_keyring_and_no_server_and_tries_no_login(
    mail_server: MailServer, tmp_path: Path
) -> None:
    port = free_port()
    home = mailbox_config(tmp_path, mail_server, port=port)
    env = {
        **NO_BROWSER,
        "XDG_CONFIG_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    result = run("doctor", "--data-dir", str(tmp_path / "data"), env=env)
    assert from_mailbox(result.stdout).splitlines()[2:] == [
        "Password    none: this machine has no system keyring and ASSISTANT_IMAP_PASSWORD is "
        "not set; set it in the environment of the commands",
        f"Reachable   NO: cannot connect to 127.0.0.1:{port} (Connection refused)",
        "Login       not tried: the server does not answer",
    ]


def test_doctor_says_when_the_config_file_cannot_be_used(tmp_path: Path) -> None:
    home = tmp_path / "config-home"
    (home / "assistant").mkdir(parents=True, mode=0o700)
    config = home / "assistant" / "config.toml"
    config.write_text('[mailbox]\nhost = "imap.example.org"\nuser = "u"\npassword = "x"\n')
    config.chmod(0o600)
    env = {**NO_BROWSER, "XDG_CONFIG_HOME": str(home)}
    result = run("doctor", "--data-dir", str(tmp_path / "data"), env=env)
    assert from_mailbox(result.stdout) == "Mailbox     the config file cannot be used\n"
    assert result.stderr.endswith(
        f"\n{config}: mailbox.password: the password is never kept in this file; remove it and "
        "run `assistant mailbox setup` (or set ASSISTANT_IMAP_PASSWORD).\n"
    )
