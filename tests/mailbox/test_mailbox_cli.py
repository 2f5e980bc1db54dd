"""The real commands around the mailbox: `assistant mailbox setup|test`, `fill`/`batch`
choosing where codes come from, and `assistant replica --deliver-imap --mail-delay`, against
the session's real IMAP server (tests/mailserver.py)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clirun import ROOT, run_assistant
from mailserver import MailServer, free_port
from person import Person
from test_mailbox_source import code_mail

from assistant.errors import ExitCode
from assistant.mailbox.config import MailboxSettings
from assistant.mailbox.source import MailboxCodeSource
from assistant.sitting.code_sources import CodeRequest, TerminalCodeSource
from assistant.sitting.terminal import Terminal

TESTS = str(Path(__file__).resolve().parents[1])


def config_home(tmp_path: Path, text: str) -> Path:
    """An XDG config folder whose assistant/config.toml holds `text` (`0600` in a `0700`
    folder, whatever the umask: a file others may change is refused)."""
    home = tmp_path / "config-home"
    (home / "assistant").mkdir(parents=True, exist_ok=True)
    (home / "assistant").chmod(0o700)
    (home / "assistant" / "config.toml").write_text(text, encoding="utf-8")
    (home / "assistant" / "config.toml").chmod(0o600)
    return home


def env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "XDG_CONFIG_HOME": str(home), **extra}


def test_mailbox_test_logs_in_and_says_when_the_newest_code_mail_came_never_the_code(
    mail_server: MailServer, tmp_path: Path
) -> None:
    to = f"it-{uuid.uuid4().hex[:8]}@lakeside.example.org"
    arrived = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)  # the newest
    mail_server.append(code_mail(to, "48213"), arrived)
    home = config_home(tmp_path, mail_server.config_toml())
    result = run_assistant(
        "mailbox", "test", env=env(home, ASSISTANT_IMAP_PASSWORD=mail_server.password)
    )
    assert result.returncode == ExitCode.OK, result.stderr
    when = arrived.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert result.stdout == (
        f"Logged in to 127.0.0.1:{mail_server.starttls} as {mail_server.user} (TLS starttls; "
        "IDLE: new mail is seen at once).\n"
        f"The newest code mail from no-reply@tnsi.com to i***@lakeside.example.org arrived "
        f"{when}; its code is not shown.\n"
    )
    assert "48213" not in result.stdout + result.stderr


@pytest.mark.parametrize("problem", ["wrong-password", "server-down", "no-password", "not-set-up"])
def test_mailbox_test_says_what_is_wrong_in_one_line_and_exits_12(
    mail_server: MailServer, tmp_path: Path, problem: str
) -> None:
    wrong = f"Wr0ng-{uuid.uuid4().hex[:6]}"
    port = free_port() if problem == "server-down" else mail_server.starttls
    text = "" if problem == "not-set-up" else mail_server.config_toml(port=port)
    home = config_home(tmp_path, text)
    extra = {} if problem in ("no-password", "not-set-up") else {"ASSISTANT_IMAP_PASSWORD": wrong}
    result = run_assistant(
        "mailbox",
        "test",
        env=env(home, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", **extra),
    )
    assert result.returncode == ExitCode.MAILBOX
    where = f"127.0.0.1:{port}"
    expected = {
        "wrong-password": f"The mailbox at {where} refused the login for {mail_server.user}: "
        "check the password (run `assistant mailbox setup` again, or set "
        "ASSISTANT_IMAP_PASSWORD).",
        "server-down": f"Nothing answers at {where} (connection refused): the mail server is "
        "down, or host and port in the config file are wrong.",
        "no-password": f"No password is stored for {mail_server.user} at 127.0.0.1: run "
        "`assistant mailbox setup`, or set ASSISTANT_IMAP_PASSWORD.",
        "not-set-up": f"No mailbox is set up in {home}/assistant/config.toml: run `assistant "
        'mailbox setup --host HOST --user USER` (see docs/mailbox.md, "Codes from your mailbox").',
    }[problem]
    assert (result.stdout, result.stderr) == ("", f"Error: {expected}\n")
    assert wrong not in result.stderr


def _listening() -> socket.socket:
    """A mail server's port that answers nothing: it only records who connects."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(60)  # a guard for the one test that waits for a connection
    return listener


def _loose_config(tmp_path: Path, port: int, loose: str) -> tuple[Path, Path]:
    text = f'[mailbox]\nhost = "127.0.0.1"\nport = {port}\nuser = "it@lakeside.example.org"\n'
    home = config_home(tmp_path, text)
    folder, path = home / "assistant", home / "assistant" / "config.toml"
    if loose == "folder":
        folder.chmod(0o777)
    elif loose == "file":
        path.chmod(0o666)
    return home, path


@pytest.mark.parametrize("loose", ["folder", "file"])
def test_a_config_file_others_could_change_is_refused_before_any_connection(
    tmp_path: Path, loose: str
) -> None:
    """Issue 17: with the folder 0777 (or the file 0666) another user pointed `mailbox test` at
    a server of theirs, which received the password."""
    password = f"Pw-{uuid.uuid4().hex[:8]}"
    with _listening() as listener:
        home, path = _loose_config(tmp_path, listener.getsockname()[1], loose)
        result = run_assistant("mailbox", "test", env=env(home, ASSISTANT_IMAP_PASSWORD=password))
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):  # nobody knocked
            listener.accept()
    folder = path.parent
    expected = {
        "folder": f"{folder} can be changed by other users (mode 0777), who could replace "
        "config.toml in it, which says which server is given your mailbox password; fix it "
        f"with: chmod 700 {folder}",
        "file": f"{path} can be changed by other users (mode 0666), and it says which server "
        f"is given your mailbox password; fix it with: chmod 600 {path}",
    }[loose]
    assert (result.returncode, result.stdout, result.stderr) == (
        ExitCode.UNSAFE_DATA,
        "",
        f"Error: {expected}\n",
    )
    assert password not in result.stderr


def test_the_same_config_kept_private_does_connect(tmp_path: Path) -> None:
    """The control of the test above: its listener does see the connection that is made."""
    with _listening() as listener:
        home, _ = _loose_config(tmp_path, listener.getsockname()[1], "neither")
        command = [sys.executable, "-m", "assistant", "mailbox", "test"]
        with subprocess.Popen(
            command,
            env=env(home, ASSISTANT_IMAP_PASSWORD="x" * 8),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            connection, _ = listener.accept()
            connection.close()  # no TLS: the login fails at once
            _, stderr = process.communicate(timeout=60)
    assert process.returncode == ExitCode.MAILBOX, stderr


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
@pytest.mark.parametrize("owned", ["folder", "file"])
def test_a_config_file_of_another_user_is_refused(tmp_path: Path, owned: str) -> None:
    from assistant.errors import UnsafeDataDir
    from assistant.mailbox.config import load_config

    _, path = _loose_config(tmp_path, 993, "neither")
    mine = path.parent if owned == "folder" else path
    os.chown(mine, 65534, 65534)
    with pytest.raises(UnsafeDataDir) as caught:
        load_config(path)
    stake = "who could replace config.toml in it, which" if owned == "folder" else "and it"
    assert str(caught.value) == (
        f"{mine} belongs to another user (uid 65534), {stake} says which server is given your "
        f"mailbox password; move it aside (mv {mine} {mine}.not-mine), then run again"
    )


def test_setup_writes_nothing_into_a_folder_others_may_change(tmp_path: Path) -> None:
    home = tmp_path / "config-home"
    folder = home / "assistant"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    result = run_assistant("mailbox", "setup", "--host", "h", "--user", "u", env=env(home))
    assert (result.returncode, result.stdout, result.stderr) == (
        ExitCode.UNSAFE_DATA,
        "",
        f"Error: {folder} can be changed by other users (mode 0777), who could replace "
        "config.toml in it, which says which server is given your mailbox password; fix it "
        f"with: chmod 700 {folder}\n",
    )
    assert list(folder.iterdir()) == []


def test_mailbox_setup_writes_the_settings_and_keeps_the_password_unseen_in_the_keyring(
    mail_server: MailServer, tmp_path: Path
) -> None:
    home = tmp_path / "config-home"
    keyring_env = {
        "PYTHON_KEYRING_BACKEND": "keyring_file.FileKeyring",
        "PYTHONPATH": TESTS,
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }
    setup = ["mailbox", "setup", "--host", "127.0.0.1", "--port", str(mail_server.starttls)]
    setup += [
        "--user",
        mail_server.user,
        "--tls",
        "starttls",
        "--ca-file",
        str(mail_server.ca_file),
    ]
    with Person(*setup, env=env(home, **keyring_env), timeout=30) as person:
        person.expect(r"Mailbox settings written to (\S+)\.")
        person.answer(
            re.escape(f"Password for {mail_server.user} at 127.0.0.1 (not shown as you type): "),
            mail_server.password,
        )
        person.expect(r"The password is stored in the system keyring \(FileKeyring\)\.")
        person.expect("Check it with: assistant mailbox test")
        assert person.wait() == ExitCode.OK
    transcript = person.screen  # everything shown, from the first byte
    assert "(not shown as you type): \nThe password is stored" in transcript
    assert mail_server.password not in transcript  # not echoed as typed
    config = home / "assistant" / "config.toml"
    assert config.read_text(encoding="utf-8") == (
        f'[mailbox]\nhost = "127.0.0.1"\nuser = "{mail_server.user}"\n'
        f'port = {mail_server.starttls}\ntls = "starttls"\nca_file = "{mail_server.ca_file}"\n'
    )
    assert config.stat().st_mode & 0o777 == 0o600
    assert mail_server.password not in config.read_text(encoding="utf-8")
    # The next command finds the password in the keyring (none in the environment).
    result = run_assistant("mailbox", "test", env=env(home, **keyring_env))
    assert result.returncode == ExitCode.OK, result.stderr
    assert result.stdout.startswith(f"Logged in to 127.0.0.1:{mail_server.starttls} as ")


def test_mailbox_setup_on_a_machine_without_a_keyring_says_so_before_asking_the_password(
    mail_server: MailServer, tmp_path: Path
) -> None:
    home = config_home(tmp_path, mail_server.config_toml())
    no_keyring = env(home, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    with Person("mailbox", "setup", env=no_keyring, timeout=30) as person:
        status = person.wait()  # nothing is asked: the person types nothing
        shown = person.screen
    assert status == ExitCode.MAILBOX
    assert shown.strip() == (
        "Error: This machine has no system keyring to keep the password in; set "
        "ASSISTANT_IMAP_PASSWORD in the environment of the commands instead. Nothing was "
        "asked or stored."
    )


def test_mailbox_setup_without_a_keyring_but_with_the_variable_writes_the_settings(
    mail_server: MailServer, tmp_path: Path
) -> None:
    home = tmp_path / "config-home"
    no_keyring = env(
        home,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        ASSISTANT_IMAP_PASSWORD=mail_server.password,
    )
    setup = ["mailbox", "setup", "--host", "127.0.0.1", "--user", mail_server.user]
    with Person(*setup, env=no_keyring, timeout=30) as person:
        status = person.wait()
        shown = person.screen
    config = home / "assistant" / "config.toml"
    assert status == ExitCode.OK
    assert shown.replace("\r\n", "\n") == (
        f"Mailbox settings written to {config}.\n"
        "This machine has no system keyring: the password comes from ASSISTANT_IMAP_PASSWORD, "
        "which is set, so nothing was asked or stored.\n"
        "Check it with: assistant mailbox test\n"
    )
    assert mail_server.password not in config.read_text(encoding="utf-8")


def test_mailbox_setup_without_a_terminal_asks_nothing(
    mail_server: MailServer, tmp_path: Path
) -> None:
    home = config_home(tmp_path, mail_server.config_toml())
    with_keyring = env(
        home,
        PYTHON_KEYRING_BACKEND="keyring_file.FileKeyring",
        PYTHONPATH=TESTS,
        TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
    )
    result = run_assistant("mailbox", "setup", env=with_keyring)
    assert result.returncode == ExitCode.MAILBOX
    assert result.stderr == (
        "Error: Setup asks for the password at a terminal, and input is not one; run it in a "
        "terminal, or set ASSISTANT_IMAP_PASSWORD instead.\n"
    )


def test_mailbox_setup_refuses_a_bad_setting_and_leaves_the_file_alone(tmp_path: Path) -> None:
    home = config_home(tmp_path, 'codes = "mailbox"\n')
    result = run_assistant(
        "mailbox", "setup", "--host", "h", "--user", "u", "--tls", "ssl", env=env(home)
    )
    assert result.returncode == ExitCode.USAGE
    config = home / "assistant" / "config.toml"
    assert result.stderr == (
        f'Error: {config}: mailbox.tls: must be "implicit" or "starttls", not \'ssl\'.\n'
    )
    assert config.read_text(encoding="utf-8") == 'codes = "mailbox"\n'


def test_fill_reads_codes_from_the_config_file_and_the_flag_wins(tmp_path: Path) -> None:
    home = config_home(tmp_path, 'codes = "mailbox"\n')
    profile = "profiles/lakeside-closures.yaml"
    chosen = run_assistant("fill", profile, env=env(home), cwd=ROOT)
    assert chosen.returncode == ExitCode.MAILBOX
    assert chosen.stderr.startswith("Error: No mailbox is set up in ")
    overridden = run_assistant("fill", profile, "--codes", "terminal", env=env(home), cwd=ROOT)
    assert overridden.returncode == ExitCode.NOT_CONFIRMED
    assert overridden.stderr.startswith("Error: Input is not a terminal")


@pytest.mark.parametrize("scheme", ["imap", "imaps"])
def test_the_replica_delivers_each_code_into_the_mailbox_after_the_delay(
    mail_server: MailServer, scheme: str
) -> None:
    port = mail_server.starttls if scheme == "imap" else mail_server.tls
    url = f"{scheme}://{mail_server.user}@127.0.0.1:{port}"
    trust = ["--deliver-ca", str(mail_server.ca_file)] if scheme == "imaps" else []
    replica = ["replica", "--port", "0", "--deliver-imap", url, "--mail-delay", "1", *trust]
    password = {"ASSISTANT_REPLICA_IMAP_PASSWORD": mail_server.password}
    with Person(*replica, env=password, timeout=30) as person:
        started = person.expect(
            r"Replica portal \(wizard layout\) at (http://127\.0\.0\.1:\d+)/fcr/"
        )
        origin = started.group(1)
        person.expect(re.escape(f"Code mails also delivered to {url}, 1 s after each send"))
        to = f"it-{uuid.uuid4().hex[:8]}@lakeside.example.org"
        request = CodeRequest(to)
        sent = time.monotonic()
        send = urllib.request.Request(  # noqa: S310 (the replica on 127.0.0.1)
            f"{origin}/fcr/api/send-code", data=f"email={to}".encode(), method="POST"
        )
        with urllib.request.urlopen(send, timeout=10) as answer:  # noqa: S310
            assert json.loads(answer.read())["ok"] is True
        settings = MailboxSettings(
            "127.0.0.1", mail_server.starttls, mail_server.user, "starttls", mail_server.ca_file
        )
        terminal = Terminal(open(os.devnull), open(os.devnull, "w"))  # noqa: SIM115
        reader = MailboxCodeSource(
            settings,
            mail_server.password,
            fallback=TerminalCodeSource(terminal),
            say=lambda _: None,
            timeout_s=20,
        )
        with urllib.request.urlopen(f"{origin}/__replica/outbox", timeout=10) as outbox:  # noqa: S310
            [mail] = [m for m in json.loads(outbox.read()) if m["to"] == to]
        code = reader.code(request)
        assert time.monotonic() - sent >= 1.0  # not before the delay
        assert code == mail["code"]
        terminal.input.close()
        terminal.output.close()
        person.ctrl_c()
        person.expect("Replica stopped.")
        person.wait()


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        (
            ["--mail-delay", "2"],
            "",
            "--mail-delay needs --mailbox or --deliver-imap (the in-memory outbox is instant).",
        ),
        (
            ["--mailbox", "--deliver-imap", "imap://u@127.0.0.1:143"],
            "x",
            "--mailbox and --deliver-imap cannot be used together: pick one mailbox.",
        ),
        (
            ["--deliver-imap", "imap://u@mail.example.org:143"],
            "x",
            "The replica delivers only to a mailbox on this machine: imap://u@mail.example.org:143",
        ),
        (
            ["--deliver-imap", "imap://u@127.0.0.1:143"],
            "",
            "--deliver-imap needs the mailbox password in $ASSISTANT_REPLICA_IMAP_PASSWORD.",
        ),
    ],
    ids=["delay-alone", "two-mailboxes", "not-local", "no-password"],
)
def test_replica_mail_options_that_cannot_work_exit_2(
    options: list[str], password: str, message: str
) -> None:
    environment = {**os.environ, "ASSISTANT_REPLICA_IMAP_PASSWORD": password}
    result = run_assistant("replica", "--port", "0", *options, env=environment)
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == f"Error: {message}\n"
