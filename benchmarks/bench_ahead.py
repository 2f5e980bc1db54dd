"""The person's side of a batch with codes from the mailbox (issue 12 item 4): how long they wait
between typing `submit` and the next review, with the next submission prepared during the
review (ahead) against one after the other (sequential), and how many keys they press.

Runs the batch core (`assistant.sitting.batch.Batch.run`) in process against a wizard replica that
mails each code into a real IMAP server (pymap, as in the tests: tests/mailserver.py) `MAIL_S`
seconds after it is asked for; codes come from that mailbox (`MailboxCodeSource`). A scripted
person at a real pseudo-terminal (`pty_person`) reads each review for `READ_S` seconds (longer
than the mail takes: the case the target is about) and types `submit`; any code question is
answered from the replica and counted. Sequential is the same code source without its `through`
(so the batch cannot prepare ahead). Target: under half a second between reviews, ahead.
"""

from __future__ import annotations

import contextlib
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.pty_person import at_terminal

if TYPE_CHECKING:
    from assistant.replica import Replica
    from assistant.sitting.code_sources import CodeRequest, CodeSource

SUBMISSIONS = 10
MAIL_S = 5.0  # the replica's mail delay
READ_S = 8.0  # how long the person reads each review
TARGET_S = 0.5
CODE_PROMPT = b"Type the 5-digit code: "
CONFIRM_PROMPT = b"anything else to stop: "
TESTS = Path(__file__).resolve().parent.parent / "tests"


def _profile(n: int, email: str) -> str:
    return (
        f"label: Ahead {n}\n"
        f"company: {{name: Ahead Clinic {n}, website: https://harbor.example.org,"
        ' address: {line1: 1 Dock St, city: San Diego, state: California, zip: "92101"}}\n'
        f"contact: {{name: Robin Hale, phone: (619) 555-0199, email: {email}}}\n"
        "calling: {category: Healthcare, monthly_calls: 500, service_provider: Bandwidth}\n"
        "display_name: HARBOR CLINIC\n"
        f"numbers:\n  - (858) 555-{n:04d}\n  - (858) 556-{n:04d}\n"
    )


@dataclass
class _Person:
    """At the terminal: reads each review `READ_S` s, then types `submit`; a code asked for
    is typed from the replica (and counted)."""

    replica: Replica
    email: str
    shown: list[float] = field(default_factory=list)  # when each confirmation showed
    answered: list[float] = field(default_factory=list)  # when `submit` was typed
    codes_asked: int = 0

    def code(self) -> str:
        self.codes_asked += 1
        return self.replica.latest_code(self.email)

    def submit(self) -> str:
        self.shown.append(time.perf_counter())
        threading.Event().wait(READ_S)  # the person's reading time
        self.answered.append(time.perf_counter())
        return "submit"


class _OneAfterTheOther:
    """The mailbox without `through`: the batch then prepares nothing ahead."""

    def __init__(self, source: CodeSource) -> None:
        self.source = source

    def code(self, request: CodeRequest) -> str | None:
        return self.source.code(request)


@dataclass(frozen=True, slots=True)
class Measured:
    """One batch: the waits between `submit` and the next review, keys, what was sent."""

    mode: str
    gaps: tuple[float, ...]
    seconds: float
    keys_per_submission: float
    codes_asked: int
    submitted: int


def measure(ahead: bool, count: int = SUBMISSIONS) -> Measured:
    """Run one batch of `count` one-submission profiles, every review confirmed."""
    sys.path.insert(0, str(TESTS))
    from mailserver import start_mail_server

    from assistant.browser import launch
    from assistant.mailbox.config import MailboxSettings
    from assistant.mailbox.source import MailboxCodeSource
    from assistant.portals import load_portal
    from assistant.profiles import load_profiles
    from assistant.records.journal import Journal
    from assistant.replica import Replica
    from assistant.replica.maildrop import MailDrop
    from assistant.sitting.batch import Batch
    from assistant.sitting.code_sources import TerminalCodeSource
    from assistant.sitting.jobs import BatchOptions, plan_jobs
    from assistant.sitting.session import FillOptions

    email = f"ops-{secrets.token_hex(4)}@harbor.example.org"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "mail").mkdir()
        server = start_mail_server(Path(tmp) / "mail", secrets.token_urlsafe(12))
        try:
            drop = MailDrop(
                f"imap://{server.user}@127.0.0.1:{server.starttls}", server.password, delay=MAIL_S
            )
            with Replica(layout="wizard", maildrop=drop) as replica:
                folder = Path(tmp) / "profiles"
                folder.mkdir()
                for n in range(1, count + 1):
                    (folder / f"ahead-{n:02d}.yaml").write_text(_profile(n, email), "utf-8")
                loaded, problems = load_profiles([folder])
                if problems:
                    raise RuntimeError(f"benchmark profiles invalid: {problems[0]}")
                portal = load_portal("fcr")
                person = _Person(replica, email)
                answers = {CODE_PROMPT: person.code, CONFIRM_PROMPT: person.submit}
                settings = MailboxSettings(
                    "127.0.0.1", server.starttls, server.user, "starttls", server.ca_file
                )
                data = Path(tmp) / "data"
                data.mkdir(mode=0o700)
                options = BatchOptions(
                    fill=FillOptions(portal=portal, url=replica.url, data_dir=data)
                )
                info = launch.find_browser()
                with (
                    at_terminal(answers) as (typist, terminal),
                    Journal.open(data) as journal,
                    launch.running_browser(info, headless=True) as launched,
                ):
                    mailbox = MailboxCodeSource(
                        settings,
                        server.password,
                        fallback=TerminalCodeSource(terminal),
                        say=terminal.say,
                        timeout_s=60,
                    )
                    source: CodeSource = mailbox if ahead else _OneAfterTheOther(mailbox)
                    jobs = plan_jobs(loaded, portal, replica.url)
                    run = Batch(jobs, options, journal, terminal, source)
                    start = time.perf_counter()
                    report = run.run(lambda: contextlib.nullcontext(launched))
                    seconds = time.perf_counter() - start
                submitted = len(replica.submissions())
        finally:
            server.stop()
    if report.count("submitted") != count:
        raise RuntimeError(f"the {'ahead' if ahead else 'sequential'} batch did not submit all")
    gaps = tuple(
        shown - answered for answered, shown in zip(person.answered, person.shown[1:], strict=False)
    )
    return Measured(
        "prepared ahead" if ahead else "sequential",
        gaps,
        seconds,
        typist.keys / count,
        person.codes_asked,
        submitted,
    )


def run(count: int = SUBMISSIONS) -> str:
    """The benchmark's table as text."""
    rows = [measure(ahead=False, count=count), measure(ahead=True, count=count)]
    lines = [
        f"ahead: the person's side of a {count}-submission batch, codes from a real IMAP "
        f"mailbox (mail {MAIL_S:g} s after the send), each review read {READ_S:g} s, then "
        "`submit`",
        f"{'':17}{'gaps':>5} {'median s':>9} {'worst s':>8} {'batch s':>8} "
        f"{'keys/sub':>9} {'codes typed':>12}",
    ]
    for m in rows:
        lines.append(
            f"{m.mode:17}{len(m.gaps):>5} {statistics.median(m.gaps):9.3f} "
            f"{max(m.gaps):8.3f} {m.seconds:8.1f} {m.keys_per_submission:9.1f} "
            f"{m.codes_asked:>12}"
        )
    sequential, ahead = rows
    worst = max(ahead.gaps)
    lines.append(
        f"between `submit` and the next review: {statistics.median(sequential.gaps):.2f} s "
        f"sequential, {statistics.median(ahead.gaps):.2f} s prepared ahead (median); "
        f"worst ahead {worst:.2f} s (target < {TARGET_S:g} s: "
        f"{'met' if worst < TARGET_S else 'NOT met'})"
    )
    lines.append(
        f"keystrokes per submission: {ahead.keys_per_submission:g} (`submit` + Enter); "
        f"submissions the replica holds: {sequential.submitted} and {ahead.submitted}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else SUBMISSIONS))
