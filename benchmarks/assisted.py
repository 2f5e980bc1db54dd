"""The assistant's filler, driven in-process the way `assistant fill` drives it.

One `Session.run_submission` per run, in a fresh fenced context of an already running browser,
with the code taken from the replica's outbox. The clock starts when the session says the
portal accepted the code and stops when the review's values have been read back (its
recorder's `filled`, called right after the read-back and before the review is printed; it
records into a journal in a throwaway data folder). The confirmation is then declined,
so nothing is ever submitted; `run_marks` checks that the replica received no submit.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import NotConfirmed
from assistant.sitting.code_sources import CodeRequest
from assistant.sitting.terminal import Terminal
from benchmarks.calls import CallCounter

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from assistant.portals.model import PortalMap
    from assistant.portals.plan import Plan
    from assistant.profiles.model import Profile
    from assistant.replica import Replica
    from assistant.sitting.session import Session


@dataclass
class Marks:
    """Moments of one run (perf_counter seconds), by name; a call counter runs between the
    code accepted and the review read back, when one is given."""

    at: dict[str, float] = field(default_factory=dict)
    code_given: bool = False
    counter: CallCounter | None = None

    def mark(self, name: str) -> None:
        """Remember the first time `name` happened."""
        self.at.setdefault(name, time.perf_counter())
        if self.counter is not None:
            if name == "code accepted":
                self.counter.start()
            elif name == "review read back":
                self.counter.stop()


class _Terminal(Terminal):
    """The person's terminal: it always answers "no" at the confirmation (a decline)."""

    def __init__(self, marks: Marks) -> None:
        super().__init__(input=io.StringIO(), output=io.StringIO())
        self.marks = marks

    def is_tty(self) -> bool:
        # Stands in for the person's terminal so the session goes as far as the prompt.
        return True

    def say(self, text: str) -> None:
        if self.marks.code_given:
            self.marks.mark("code accepted")  # the first thing said after the code went in
        super().say(text)

    def ask(self, prompt: str, *, cancel: threading.Event | None = None) -> str | None:
        self.marks.mark("prompt")
        self.output.write(prompt)
        return "no"


class _OutboxCode:
    """The code from the replica's outbox, as `assistant demo` reads it."""

    def __init__(self, replica: Replica, marks: Marks) -> None:
        self.replica = replica
        self.marks = marks

    def code(self, request: CodeRequest) -> str | None:
        self.marks.code_given = True
        return self.replica.latest_code(request.email)


def _mark_filled(session: Session, marks: Marks) -> None:
    """Mark "review read back" when the session tells its own recorder the form is filled
    (right after the review's read-back, before the review is printed)."""
    recorder = session.recorder
    filled: Callable[..., object] = recorder.filled

    def marked(*args: object, **kwargs: object) -> object:
        marks.mark("review read back")
        return filled(*args, **kwargs)

    setattr(recorder, "filled", marked)  # noqa: B010 (an instance attribute, on purpose)


def prepare(replica: Replica, profile: Profile) -> tuple[PortalMap, Plan]:
    """The shipped wizard map and the profile's plan against the replica."""
    from assistant.portals.loader import load_portal
    from assistant.portals.plan import build_plan

    portal = load_portal("fcr")
    return portal, build_plan(profile, portal, start_url=replica.url)


def run_marks(
    browser: Browser,
    replica: Replica,
    profile: Profile,
    portal: PortalMap,
    plan: Plan,
    counter: CallCounter | None = None,
) -> Marks:
    """One submission up to the declined confirmation; the moments it went through."""
    from assistant.records.journal import Journal
    from assistant.records.journal.recorder import JournalRecorder
    from assistant.sitting.session import FillOptions, Session

    marks = Marks(counter=counter)
    attempts_before = replica.submit_attempts()
    with tempfile.TemporaryDirectory() as tmp, Journal.open(tmp) as journal:
        run_dir = Path(tmp)
        session = Session(
            browser,
            FillOptions(portal=portal, url=replica.url, headless=True, data_dir=run_dir),
            _Terminal(marks),
            _OutboxCode(replica, marks),
            run_dir=run_dir,
            recorder=JournalRecorder(journal),
        )
        _mark_filled(session, marks)
        try:
            session.run_submission(profile, plan.submissions[0])
        except NotConfirmed:
            pass
        else:
            raise RuntimeError("the benchmark session was not declined")
    if replica.submit_attempts() != attempts_before:
        raise RuntimeError("the benchmark session sent a submit request")
    missing = {"code accepted", "review read back"} - marks.at.keys()
    if missing:
        raise RuntimeError(f"the session never reached: {', '.join(sorted(missing))}")
    return marks


def run_once(
    browser: Browser, replica: Replica, profile: Profile, portal: PortalMap, plan: Plan
) -> float:
    """Seconds from code accepted to the review's values read back."""
    marks = run_marks(browser, replica, profile, portal, plan)
    return marks.at["review read back"] - marks.at["code accepted"]
