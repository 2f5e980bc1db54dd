"""A long batch: N replica submissions filled to the review and declined, in one browser.

Runs the same core as `assistant batch` (`assistant.sitting.batch.Batch.run`) in process, against a
wizard replica, with a scripted person at a real pseudo-terminal (`pty_person`): a thread reads
what the assistant prints, types the replica's newest code at each code prompt and "no" at each
confirmation (so nothing is ever submitted; the replica's submit counter is checked). Reports
seconds per submission and the peak resident memory of this Python process plus every process
it started (the Playwright driver, Chromium and its renderers; summed from /proc) at the 10th
and at the last review: the ratio shows whether memory grows with the batch (fresh context per
submission, one browser).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.pty_person import at_terminal

if TYPE_CHECKING:
    from assistant.replica import Replica

SUBMISSIONS = 50
EMAIL = "ops@harbor.example.org"
CODE_PROMPT = b"Type the 5-digit code: "
CONFIRM_PROMPT = b'Type "submit" to send'


def _profile(n: int) -> str:
    return (
        f"label: Bench {n}\n"
        f"company: {{name: Bench Clinic {n}, website: https://harbor.example.org,"
        ' address: {line1: 1 Dock St, city: San Diego, state: California, zip: "92101"}}\n'
        f"contact: {{name: Robin Hale, phone: (619) 555-0199, email: {EMAIL}}}\n"
        "calling: {category: Healthcare, monthly_calls: 500, service_provider: Bandwidth}\n"
        "display_name: HARBOR CLINIC\n"
        f"numbers:\n  - (858) 555-{n:04d}\n"
    )


def rss_kib(root: int) -> int:
    """Resident memory (KiB) of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


@dataclass
class _Person:
    """Answers the assistant at its terminal: codes from the replica, "no" to all."""

    replica: Replica
    measure_at: tuple[int, ...]
    reviews: int = 0
    memory: dict[int, int] = field(default_factory=dict)
    review_times: list[float] = field(default_factory=list)

    def code(self) -> str:
        return self.replica.latest_code(EMAIL)

    def decline(self) -> str:
        self.reviews += 1
        self.review_times.append(time.perf_counter())
        if self.reviews in self.measure_at:
            self.memory[self.reviews] = rss_kib(os.getpid())
        return "no"


@dataclass(frozen=True, slots=True)
class Measured:
    """What one long batch gave."""

    submissions: int
    seconds: float
    memory_kib: dict[int, int]
    submits_sent: int
    declined: int


def measure(count: int = SUBMISSIONS) -> Measured:
    """Run a batch of `count` one-number profiles to the review, declining each."""
    from assistant.browser import launch
    from assistant.portals import load_portal
    from assistant.profiles import load_profiles
    from assistant.records.journal import Journal
    from assistant.replica import Replica
    from assistant.sitting.batch import Batch
    from assistant.sitting.jobs import BatchOptions, plan_jobs
    from assistant.sitting.session import FillOptions

    with tempfile.TemporaryDirectory() as tmp, Replica(layout="wizard") as replica:
        folder = Path(tmp) / "profiles"
        folder.mkdir()
        for n in range(1, count + 1):
            (folder / f"bench-{n:03d}.yaml").write_text(_profile(n), encoding="utf-8")
        loaded, problems = load_profiles([folder])
        if problems:
            raise RuntimeError(f"benchmark profiles invalid: {problems[0]}")
        portal = load_portal("fcr")
        person = _Person(replica, measure_at=(10, count))
        answers = {CODE_PROMPT: person.code, CONFIRM_PROMPT: person.decline}
        data = Path(tmp) / "data"
        data.mkdir(mode=0o700)
        options = BatchOptions(fill=FillOptions(portal=portal, url=replica.url, data_dir=data))
        info = launch.find_browser()
        with (
            at_terminal(answers) as (_, terminal),
            Journal.open(data) as journal,
            launch.running_browser(info, headless=True) as b,
        ):
            run = Batch(plan_jobs(loaded, portal, replica.url), options, journal, terminal)
            start = time.perf_counter()
            report = run.run(lambda: contextlib.nullcontext(b))
            seconds = time.perf_counter() - start
        return Measured(
            submissions=count,
            seconds=seconds,
            memory_kib=dict(person.memory),
            submits_sent=replica.submit_attempts(),
            declined=report.count("declined"),
        )


def run(count: int = SUBMISSIONS) -> str:
    """The benchmark's table as text."""
    m = measure(count)
    if m.submits_sent:
        raise RuntimeError("the batch benchmark sent a submit request")
    at10 = m.memory_kib.get(10, 0)
    last = m.memory_kib.get(m.submissions, 0)
    ratio = last / at10 if at10 else float("nan")
    lines = [
        f"batch: {m.submissions} replica submissions filled to the review and declined "
        "(one browser, a fresh context each)",
        f"  declined {m.declined} of {m.submissions}; submit requests sent: {m.submits_sent}",
        f"  {m.seconds:.1f} s in all, {m.seconds / m.submissions:.2f} s per submission",
        f"  memory (this process + browser processes, RSS): {at10 / 1024:.0f} MiB at review 10, "
        f"{last / 1024:.0f} MiB at review {m.submissions}: ratio {ratio:.2f} "
        f"({'flat' if ratio < 1.25 else 'GROWS with the batch'})",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else SUBMISSIONS))
