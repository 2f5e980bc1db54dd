"""A batch with codes from the mailbox whose mail server stalls while the next submission waits
for its code (issue 17, item 6), in process against the wizard replica: the replica mails each
code into the test IMAP server, and the batch reads it through a proxy (tests/mailproxy.py) that
goes silent, or answers one byte every 5 s, once the next submission's IMAP session is
established. The person's `submit` to the review on the screen is clicked at once, Ctrl-C ends
the batch at once, and the submission prepared ahead does nothing more after it."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from batchrun import EMAIL, numbers_of, profile_text
from mailproxy import MailProxy
from mailserver import MailServer
from ptyperson import PtyPerson
from replicas import Replicas

from assistant.browser.step_state import Timeouts
from assistant.errors import ExitCode
from assistant.mailbox.config import MailboxSettings
from assistant.mailbox.source import MailboxCodeSource
from assistant.portals import load_portal
from assistant.profiles import load_profiles
from assistant.records.journal import Journal, State
from assistant.replica import Replica
from assistant.replica.maildrop import MailDrop
from assistant.sitting.batch import Batch
from assistant.sitting.jobs import BatchOptions, BatchReport, plan_jobs
from assistant.sitting.session import FillOptions

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FAST = Timeouts(step_ms=10_000, action_ms=8_000)
VERIFY = ("POST", "/fcr/api/verify-code")
STOPPED = "Stopped by Ctrl-C while waiting for the code mail; nothing was submitted."


@dataclass
class Sitting:
    """Two profiles (each with its own contact address), the replica mailing their codes into
    the test mailbox, and the batch reading it through the proxy: the first submission's
    connection passes, the second's (prepared during the first review) stalls."""

    portal: Replica
    proxy: MailProxy
    drop: MailDrop
    journal: Journal
    run: Batch


@contextlib.contextmanager
def sitting(
    tmp_path: Path, replica: Replicas, mail_server: MailServer, person: PtyPerson, fault: str
) -> Iterator[Sitting]:
    tag = uuid.uuid4().hex[:8]
    folder = tmp_path / "profiles"
    folder.mkdir()
    paths = []
    for n in (1, 2):
        path = folder / f"harbor-{n}.yaml"
        text = profile_text(n, numbers_of(n)).replace(EMAIL, f"ops-{tag}-{n}@harbor.example.org")
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    loaded, problems = load_profiles(paths)
    assert problems == []
    portal = replica(mailbox=mail_server)
    drop = portal.maildrop
    assert drop is not None
    with (
        MailProxy(mail_server, ["pass", fault], interval=5.0) as proxy,
        Journal.open(tmp_path / "data") as journal,
    ):
        portal_map = load_portal("fcr")
        options = BatchOptions(
            fill=FillOptions(
                portal=portal_map, url=portal.url, data_dir=tmp_path / "data", timeouts=FAST
            )
        )
        run = Batch(plan_jobs(loaded, portal_map, portal.url), options, journal, person.terminal)
        settings = MailboxSettings(
            host="127.0.0.1",
            port=proxy.port,
            user=mail_server.user,
            tls="implicit",
            ca_file=mail_server.ca_file,
        )
        # As the command sets it up: the person is asked (Ctrl-C aware) when no code comes.
        run.code_source = MailboxCodeSource(
            settings,
            mail_server.password,
            fallback=run.code_source,
            say=run.terminal.say,
            timeout_s=60,
        )
        yield Sitting(portal, proxy, drop, journal, run)


def ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def run_in_browser(run: Batch, browser: Browser) -> tuple[BatchReport, float]:
    report = run.run(lambda: contextlib.nullcontext(browser))
    return report, time.monotonic()


@pytest.mark.parametrize("fault", ["stall", "drip"])
def test_submit_is_clicked_at_once_while_the_next_waits_on_a_stalled_mailbox(
    browser: Browser, mail_server: MailServer, replica: Replicas, tmp_path: Path, fault: str
) -> None:
    moments: dict[str, float] = {}

    def submit_once_the_next_read_is_held() -> str:
        assert proxy.held.wait(60), "the second submission never read the mailbox"
        moments["typed"] = time.monotonic()
        return "submit"

    person = PtyPerson(submit_once_the_next_read_is_held)

    def watch_then_stop() -> None:
        person.screen(expect="Submitted 1 of 1. Feedback ID", settle=60)
        moments["outcome"] = time.monotonic()
        # Its turn has come: what it said while held back shows, then Ctrl-C ends the batch
        # (its mailbox read would stall for 20 s).
        person.screen(expect="Waiting for the code mail", times=2, settle=10)
        ctrl_c()

    with sitting(tmp_path, replica, mail_server, person, fault) as it:
        proxy = it.proxy
        watcher = threading.Thread(target=watch_then_stop)
        watcher.start()
        report, _ = run_in_browser(it.run, browser)
        watcher.join()
        verified = it.portal.requests().count(VERIFY)
        submitted = len(it.portal.submissions())
        attempts = {a.profile_label: a for a in it.journal.history()}
        open_contexts = len(browser.contexts)
    screen = person.screen(expect="Not submitted")
    person.close()
    # From the typed `submit` to the Feedback ID on the screen, not held by the mailbox.
    assert moments["outcome"] - moments["typed"] < 2.0
    assert submitted == 1
    assert verified == 1  # the second submission never had a code to verify
    assert [(r.label, r.state) for r in report.results] == [
        ("Harbor 1", "submitted"),
        ("Harbor 2", "stopped"),
    ]
    assert report.results[1].reason == STOPPED
    assert attempts["Harbor 1"].state is State.SUBMITTED
    assert attempts["Harbor 2"].state is State.FAILED
    assert attempts["Harbor 2"].reason == STOPPED
    assert open_contexts == 0
    # Its turn had come (the first was done): it says itself why it ends.
    assert screen.index("Submitted 1 of 1. Feedback ID") < screen.index("[2/2] Harbor 2")
    assert f"Not submitted: {STOPPED}" in screen
    assert screen.count("Using the code from the mailbox") == 1
    assert report.exit_code == ExitCode.NOT_CONFIRMED


def test_ctrl_c_while_the_next_waits_on_a_stalled_mailbox_ends_the_batch_at_once(
    browser: Browser, mail_server: MailServer, replica: Replicas, tmp_path: Path
) -> None:
    person = PtyPerson()  # reads the first review, and presses Ctrl-C
    pressed: list[float] = []

    def press_while_the_next_read_is_held() -> None:
        person.screen(expect="anything else to stop: ", settle=60)
        assert it.proxy.held.wait(60), "the second submission never read the mailbox"
        deadline = time.monotonic() + 60
        while it.drop.delivered < 2:  # the second code mail is in the mailbox
            assert time.monotonic() < deadline, "the second code mail never came"
            time.sleep(0.02)
        pressed.append(time.monotonic())
        ctrl_c()
        # The server speaks again: a read still going on would now find the code.
        it.proxy.release()

    with sitting(tmp_path, replica, mail_server, person, "stall") as it:
        presser = threading.Thread(target=press_while_the_next_read_is_held)
        presser.start()
        report, ended = run_in_browser(it.run, browser)
        presser.join()
        verified = it.portal.requests().count(VERIFY)
        submits = it.portal.submit_attempts()
        attempts = {a.profile_label: a for a in it.journal.history()}
        open_contexts = len(browser.contexts)
    screen = person.screen(expect="Not submitted")
    person.close()
    assert ended - pressed[0] < 1.5
    assert verified == 1  # the first submission's code only: no code typed for the second
    assert submits == 0
    assert report.interrupted
    assert [(r.label, r.state, r.reason) for r in report.results] == [
        ("Harbor 1", "stopped", "Stopped with Ctrl-C at the confirmation; nothing was submitted."),
        ("Harbor 2", "stopped", STOPPED),
    ]
    assert attempts["Harbor 1"].state is State.DECLINED
    assert attempts["Harbor 2"].state is State.FAILED
    assert attempts["Harbor 2"].reason == STOPPED
    assert open_contexts == 0
    assert "Not submitted: Stopped with Ctrl-C at the confirmation" in screen
    assert "[2/2]" not in screen  # its turn never came: nothing of it was shown
    assert report.exit_code == ExitCode.NOT_CONFIRMED
