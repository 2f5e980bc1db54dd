"""`assistant replica --mailbox` (issue 19 item 5): the replica starts its own practice mailbox,
prints the `mailbox setup` line that points at it and the file that holds its password, and a
batch then reads every code from it: a person types the setup line, pastes the password once,
and types nothing but `submit` after that."""

from __future__ import annotations

import json
import re
import shlex
import socket
from pathlib import Path

from batchrun import drive, write_profiles
from clirun import run_assistant
from person import Person

from assistant.errors import ExitCode

TESTS = str(Path(__file__).resolve().parents[1])


def test_the_replicas_own_mailbox_delivers_the_codes_of_a_batch(tmp_path: Path) -> None:
    data = tmp_path / "replica"
    home = tmp_path / "config-home"
    keyring = {
        "XDG_CONFIG_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring_file.FileKeyring",
        "PYTHONPATH": TESTS,
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }
    replica = ["replica", "--port", "0", "--mailbox", "--mailbox-port", "0", "--data", str(data)]
    with Person(*replica, env=keyring, timeout=60) as server:
        url = server.expect(r"Replica portal \(wizard layout\) at (http://127\.0\.0\.1:\d+/fcr/)")
        port = server.expect(
            r"Practice mailbox \(IMAP with STARTTLS\) at 127\.0\.0\.1:(\d+), user "
            r"practice@replica\.invalid: every code mail lands there too\."
        ).group(1)
        server.expect(
            re.escape(
                "Point the assistant at it (this replaces the [mailbox] settings in "
                f"{home}/assistant/config.toml):"
            )
        )
        setup = server.expect(r"  (assistant mailbox setup [^\r\n]+)\r?\n").group(1)
        password_file = data / "mailbox" / "password"
        server.expect("Press Ctrl-C to stop.")
        assert server.screen.split("\n")[-6:-2] == [
            f"The password it asks for is in {password_file} (not shown here). Without a "
            "system keyring, give it to each command instead:",
            f'  export ASSISTANT_IMAP_PASSWORD="$(cat {password_file})"',
            f"Then read codes from it: assistant batch PROFILES --url {url.group(1)} "
            "--codes mailbox",
            f"Kept on disk in {data}: submissions.jsonl, outbox.jsonl",
        ]
        ca_file = data / "mailbox" / "ca.pem"
        assert setup == (
            f"assistant mailbox setup --host 127.0.0.1 --port {port} --tls starttls --user "
            f"practice@replica.invalid --ca-file {ca_file}"
        )
        password = password_file.read_text(encoding="utf-8").strip()
        assert password_file.stat().st_mode & 0o777 == 0o600
        assert password not in server.screen  # the file is named, its content never shown

        # The person runs the line as printed, and pastes the password from the file.
        with Person(*shlex.split(setup)[1:], env=keyring, timeout=30) as person:
            person.answer(r"\(not shown as you type\): ", password)
            person.expect(r"The password is stored in the system keyring \(FileKeyring\)\.")
            assert person.wait() == ExitCode.OK

        profiles = [str(path) for path in write_profiles(tmp_path / "profiles", count=2)]
        options = ["--url", url.group(1), "--headless", "--codes", "mailbox"]
        run = drive(
            ["batch", *profiles, *options, "--data-dir", str(tmp_path / "data")],
            None,  # a question for a code fails the test: every code comes from the mailbox
            env=keyring,
            timeout=120,
        )
        assert run.exitstatus == ExitCode.OK, run.output
        assert run.reviews == [("Harbor 1", "1"), ("Harbor 2", "1")]
        assert run.output.count("Using the code from the mailbox (received ") == 2
        assert "2 submitted, 0 declined" in run.output
        server.ctrl_c()
        server.expect("Replica stopped.")
        assert server.wait() == 0
    submissions = [
        json.loads(line) for line in (data / "submissions.jsonl").read_text().splitlines()
    ]
    assert len(submissions) == 2


def test_a_practice_mailbox_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_assistant(
            "replica", "--port", "0", "--mailbox", "--mailbox-port", str(port),
            "--data", str(tmp_path),
        )  # fmt: skip
    assert result.returncode == ExitCode.USAGE
    assert result.stderr == (
        f"Error: Cannot start the practice mailbox: 127.0.0.1:{port} is in use (Address already "
        "in use); try another --mailbox-port.\n"
    )
    assert result.stdout == ""


def test_without_data_its_files_are_kept_private_in_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    replica = ["replica", "--port", "0", "--mailbox", "--mailbox-port", "0"]
    with Person(*replica, env={"ASSISTANT_DATA_DIR": str(data)}, timeout=60) as server:
        server.expect("Press Ctrl-C to stop.")
        server.ctrl_c()
        server.expect("Replica stopped.")
        assert server.wait() == 0
    folder = data / "practice-mailbox"
    assert f"--ca-file {folder / 'ca.pem'}\n" in server.screen
    assert (
        f"The password it asks for is in {folder / 'password'} (not shown here)." in server.screen
    )
    assert (data.stat().st_mode & 0o777, folder.stat().st_mode & 0o777) == (0o700, 0o700)
    assert sorted(path.name for path in folder.iterdir()) == [
        "ca.pem", "password", "server.key", "server.log", "server.pem"
    ]  # fmt: skip
