"""The next submission prepared while the person reviews this one (issue 12 item 3), in process
against the wizard replica with codes from its outbox (they come without the person): the next
review is ready when the person answers, reviews stay in order and alone on the screen, a
declined review does not stop the next, Ctrl-C stops both contexts with nothing clicked, and a
failure while preparing the next is told at its own turn."""

from __future__ import annotations

import contextlib
import copy
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from batchrun import numbers_of, profile_text, write_profiles
from ptyperson import PtyPerson
from replicarun import batch_of
from replicas import Replicas

from assistant.browser.step_state import Timeouts
from assistant.errors import ExitCode
from assistant.portals import load_portal
from assistant.profiles import load_profiles
from assistant.records.journal import Journal, State
from assistant.replica import Replica
from assistant.sitting.batch import Batch
from assistant.sitting.code_sources import (
    CodeRequest,
    OutboxCodeSource,
    TerminalCodeSource,
    UnattendedCodeSource,
)
from assistant.sitting.jobs import BatchOptions, plan_jobs
from assistant.sitting.session import FillOptions
from assistant.sitting.terminal import Terminal

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from assistant.sitting.code_sources import CodeSource

FAST = Timeouts(step_ms=10_000, action_ms=8_000)
SEND = "/fcr/api/send-code"
VERIFY = "/fcr/api/verify-code"


def _batch(
    tmp_path: Path,
    portal: Replica,
    journal: Journal,
    person: PtyPerson,
    paths: list[Path],
    source: CodeSource | None = None,
) -> Batch:
    return batch_of(paths, portal, journal, person.terminal, tmp_path / "data", source)


def _order(requests: list[tuple[str, str]], portal: Replica) -> list[str]:
    """The replica's POSTs as `send` and `submit`, in the order they came."""
    named = {SEND: "send", portal.names.submit_path: "submit"}
    return [named[path] for method, path in requests if method == "POST" and path in named]


def _submit_after(portal: Replica, codes: int) -> Callable[[], str]:
    """A person who reads the review until the replica has accepted `codes` codes in all."""

    def answer() -> str:
        deadline = time.monotonic() + 60
        while portal.requests().count(("POST", VERIFY)) < codes:
            assert time.monotonic() < deadline, "the next submission was not prepared"
            time.sleep(0.02)
        return "submit"

    return answer


def _sent_numbers(portal: Replica) -> list[list[str]]:
    """The numbers of every submission the replica accepted, in order, as its form had them."""
    return [
        [v for k, v in s["fields"].items() if k.startswith("enterprise_phone_") and v]
        for s in portal.submissions()
    ]


def test_the_next_review_is_ready_when_the_person_answers_and_reviews_stay_in_order(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    paths = write_profiles(tmp_path / "profiles", count=3)
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        # The person reads each review until the next submission's code has been accepted.
        person = PtyPerson(_submit_after(portal, 2), _submit_after(portal, 3), "submit")
        run = _batch(tmp_path, portal, journal, person, paths)
        report = run.run(lambda: contextlib.nullcontext(browser))
        order = _order(portal.requests(), portal)
        sent = _sent_numbers(portal)
        attempts = journal.history()
    screen = person.screen(expect="Submitted 1 of 1", times=3)
    person.close()
    assert [r.state for r in report.results] == ["submitted"] * 3
    assert report.exit_code == ExitCode.OK
    # Each next code was asked for while the one before waited for its answer, and only
    # after that one's code was accepted (it was at its review).
    assert order == ["send", "send", "submit", "send", "submit", "submit"]
    assert sent == [
        ["6195550100", "6195550101"],
        ["6195550200", "6195550201"],
        ["6195550300", "6195550301"],
    ]
    assert sorted((a.profile_label, a.state) for a in attempts) == [
        ("Harbor 1", State.SUBMITTED),
        ("Harbor 2", State.SUBMITTED),
        ("Harbor 3", State.SUBMITTED),
    ]
    # Nothing of the next one shows between a review and its answer; its header and what it
    # said while being prepared follow the outcome of the one before, in order.
    for n in (1, 2):
        review = screen.index(f"Harbor Clinic {n}")
        answered = screen.index(f"send Harbor {n}, submission 1 of 1 (2 numbers), anything else")
        result = screen.index("Submitted 1 of 1. Feedback ID", answered)
        header = screen.index(f"[{n + 1}/3] Harbor {n + 1} (submission 1 of 1)")
        opening = screen.index("Submission 1 of 1 (2 numbers): opening", header)
        assert review < answered < result < header < opening
        assert f"[{n + 1}/3]" not in screen[review:answered]
    assert screen.count("please review") == 3


def test_a_declined_review_is_followed_by_the_next_one_prepared_during_it(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    paths = write_profiles(tmp_path / "profiles", count=3)
    person = PtyPerson("submit", "no", "submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, paths)
        report = run.run(lambda: contextlib.nullcontext(browser))
        sent = _sent_numbers(portal)
        attempts = {a.profile_label: a for a in journal.history()}
    screen = person.screen(expect="Summary", settle=1)
    person.close()
    assert [r.state for r in report.results] == ["submitted", "declined", "submitted"]
    assert sent == [["6195550100", "6195550101"], ["6195550300", "6195550301"]]
    assert attempts["Harbor 2"].state is State.DECLINED
    assert attempts["Harbor 2"].reason == 'You typed "no", not "submit"; nothing was submitted.'
    declined = screen.index('Not submitted: You typed "no"')
    assert declined < screen.index("[3/3] Harbor 3") < screen.rindex("please review")
    assert report.exit_code == ExitCode.NOT_CONFIRMED


@pytest.mark.parametrize("when", ["while-the-next-is-filled", "once-the-next-is-ready"])
def test_ctrl_c_at_a_review_stops_both_contexts_and_nothing_is_clicked(
    browser: Browser, tmp_path: Path, replica: Replicas, when: str
) -> None:
    paths = write_profiles(tmp_path / "profiles", count=3)
    person = PtyPerson()
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, paths)

        def next_is_there() -> bool:
            if when == "while-the-next-is-filled":
                return _order(portal.requests(), portal).count("send") >= 2
            # Its review screenshot is taken once it is filled and read back.
            return any((tmp_path / "data" / "runs").glob("*/harbor-2-s1-review.png"))

        def press_ctrl_c() -> None:
            # The first review waits for its answer; the second is prepared meanwhile.
            person.screen(expect="anything else to stop: ", settle=60)
            deadline = time.monotonic() + 60
            while not next_is_there():
                assert time.monotonic() < deadline
                time.sleep(0.02)
            os.kill(os.getpid(), signal.SIGINT)

        presser = threading.Thread(target=press_ctrl_c)
        presser.start()
        report = run.run(lambda: contextlib.nullcontext(browser))
        presser.join()
        attempts = {a.profile_label: a for a in journal.history()}
        submits = portal.submit_attempts()
        open_contexts = len(browser.contexts)
    screen = person.screen(expect="Not submitted")
    person.close()
    assert submits == 0
    assert open_contexts == 0  # both contexts closed
    assert report.interrupted
    assert [(r.label, r.state) for r in report.results] == [
        ("Harbor 1", "stopped"),
        ("Harbor 2", "stopped"),
        ("Harbor 3", "not started"),
    ]
    assert report.results[0].reason == (
        "Stopped with Ctrl-C at the confirmation; nothing was submitted."
    )
    assert report.results[2].reason == "stopped by Ctrl-C"
    # Both rows closed, neither with an intent: nothing can be clicked for them later.
    assert attempts["Harbor 1"].state is State.DECLINED
    assert attempts["Harbor 2"].state is State.FAILED
    if when == "once-the-next-is-ready":
        why = (
            "prepared during the review before it, stopped by Ctrl-C before its own review; "
            "nothing was submitted"
        )
        assert report.results[1].reason == why
        assert attempts["Harbor 2"].reason == why
    assert "nothing was submitted" in (attempts["Harbor 2"].reason or "")
    assert "Harbor 3" not in attempts
    assert "Not submitted: Stopped with Ctrl-C at the confirmation" in screen
    assert "[2/3]" not in screen  # its turn never came: it was never shown
    assert report.exit_code == ExitCode.NOT_CONFIRMED


def test_a_failure_while_preparing_the_next_is_told_at_its_own_turn(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    paths = write_profiles(tmp_path / "profiles", count=3)
    paths[1].write_text(
        profile_text(2, numbers_of(2)).replace("category: Healthcare", "category: Helth Care"),
        encoding="utf-8",
    )
    person = PtyPerson("submit", "submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, paths)
        report = run.run(lambda: contextlib.nullcontext(browser))
        sent = _sent_numbers(portal)
    screen = person.screen(expect="Summary", settle=1)
    person.close()
    assert [r.state for r in report.results] == ["submitted", "failed", "submitted"]
    assert sent == [["6195550100", "6195550101"], ["6195550300", "6195550301"]]
    # The first review was answered undisturbed; the failure comes after its outcome.
    first_answer = screen.index("send Harbor 1, submission 1 of 1 (2 numbers), anything else")
    failed = screen.index('Failed: business step: field "category"')
    assert first_answer < screen.index("Submitted 1 of 1") < screen.index("[2/3] Harbor 2")
    assert screen.index("[2/3] Harbor 2") < failed < screen.index("[3/3] Harbor 3")
    assert screen.count("did you mean Healthcare?") == 1
    assert report.exit_code == ExitCode.PORTAL


class _MailboxWithoutTheSecondMail:
    """Codes without the person, as the mailbox gives them, except that the second code mail
    never comes: then, like the mailbox, it says so and asks the person (its fallback)."""

    def __init__(self, portal: Replica, terminal: Terminal, asking: threading.Event) -> None:
        self.portal = portal
        self.terminal = terminal
        self.calls = [0]  # shared by every view of it
        self.asking = asking  # set when it turns to the person

    def through(self, terminal: Terminal) -> _MailboxWithoutTheSecondMail:
        view = copy.copy(self)
        view.terminal = terminal
        return view

    def code(self, request: CodeRequest) -> str | None:
        self.calls[0] += 1
        if self.calls[0] == 2:
            self.terminal.say("No code mail reached the mailbox within 5 min; type it yourself.")
            self.asking.set()
            return TerminalCodeSource(self.terminal).code(request)
        return self.portal.latest_code(request.email)


def test_a_code_the_mailbox_does_not_give_is_asked_for_only_at_its_turn(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    paths = write_profiles(tmp_path / "profiles", count=2)
    asking = threading.Event()

    def once_the_next_asks() -> str:
        # The person reads the first review until the second submission turns to them.
        assert asking.wait(60), "the second submission never asked for its code"
        return "submit"

    portal = replica()
    person = PtyPerson(
        once_the_next_asks, lambda: portal.latest_code("ops@harbor.example.org"), "no"
    )
    source = _MailboxWithoutTheSecondMail(portal, person.terminal, asking)
    assert isinstance(source, UnattendedCodeSource)
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, paths, source)
        report = run.run(lambda: contextlib.nullcontext(browser))
    screen = person.screen(expect="Not submitted")
    person.close()
    assert [r.state for r in report.results] == ["submitted", "declined"]
    # The question for the second code waits until the first submission is done: the first
    # review's answer, its outcome, the second's header, why it asks, then the question.
    answer = screen.index("send Harbor 1, submission 1 of 1 (2 numbers), anything else")
    outcome = screen.index("Submitted 1 of 1. Feedback ID")
    header = screen.index("[2/2] Harbor 2 (submission 1 of 1)")
    why = screen.index("No code mail reached the mailbox within 5 min")
    question = screen.index("Type the 5-digit code: ")
    assert answer < outcome < header < why < question < screen.rindex("please review")


def test_a_submission_sharing_a_number_with_the_one_under_review_waits_for_its_outcome(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    """Prepared during the review, Harbor 2 would pass the duplicate guard before Harbor 1's
    outcome exists; so it is not prepared ahead, and once Harbor 1 is submitted the guard
    refuses it before any code is sent for it. (Loading both profiles together refuses the
    shared number outright; loaded one by one, as here, the batch must still hold.)"""
    paths = write_profiles(tmp_path / "profiles", count=2)
    shared = [numbers_of(1)[0], numbers_of(2)[1]]  # (619) 555-0100 is in both
    paths[1].write_text(profile_text(2, shared), encoding="utf-8")
    person = PtyPerson("submit", "submit")
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        loaded = [load_profiles([path])[0][0] for path in paths]
        portal_map = load_portal("fcr")
        fill_options = FillOptions(
            portal=portal_map, url=portal.url, data_dir=tmp_path / "data", timeouts=FAST
        )
        run = Batch(
            plan_jobs(loaded, portal_map, portal.url),
            BatchOptions(fill=fill_options),
            journal,
            person.terminal,
            OutboxCodeSource(portal),
        )
        report = run.run(lambda: contextlib.nullcontext(browser))
        order = _order(portal.requests(), portal)
        sent = _sent_numbers(portal)
    screen = person.screen(expect="Summary", settle=1)
    person.close()
    assert order == ["send", "submit"]  # no code was ever sent for Harbor 2
    assert sent == [["6195550100", "6195550101"]]
    assert [(r.label, r.state) for r in report.results] == [
        ("Harbor 1", "submitted"),
        ("Harbor 2", "skipped"),
    ]
    assert re.fullmatch(
        r"\+16195550100 was submitted to fcr on \d{4}-\d\d-\d\d as FCRFE\d{17}; "
        r"pass --resubmit to send it again",
        report.results[1].reason,
    )
    assert screen.count("please review") == 1


@pytest.mark.parametrize("profiles", [1, 2])
def test_a_terminal_that_fails_at_the_question_leaves_no_row_or_context_open(
    browser: Browser,
    tmp_path: Path,
    replica: Replicas,
    monkeypatch: pytest.MonkeyPatch,
    profiles: int,
) -> None:
    """The question itself fails (the terminal went away): nothing is clicked, and every row
    and context is closed, the next prepared one's too."""
    import assistant.sitting.gates

    paths = write_profiles(tmp_path / "profiles", count=profiles)

    def terminal_gone(*args: object, **kwargs: object) -> None:
        deadline = time.monotonic() + 60
        runs = tmp_path / "data" / "runs"
        while profiles == 2 and not any(runs.glob("*/harbor-2-s1-review.png")):
            assert time.monotonic() < deadline, "the next submission was not prepared"
            time.sleep(0.02)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(assistant.sitting.gates, "confirm_submit", terminal_gone)
    person = PtyPerson()
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = _batch(tmp_path, portal, journal, person, paths)
        with pytest.raises(OSError, match="Input/output error"):
            run.run(lambda: contextlib.nullcontext(browser))
        attempts = journal.history()
        submits = portal.submit_attempts()
        open_contexts = len(browser.contexts)
    person.close()
    assert submits == 0
    assert open_contexts == 0
    assert len(attempts) == profiles
    assert all(a.state is State.FAILED for a in attempts), attempts


def test_warnings_of_the_next_submission_wait_for_its_turn(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    """The next page loads from another host while the person reads this review: the warning
    that it was blocked shows after this review's outcome, under the next one's header."""
    import logging

    from assistant import log

    paths = write_profiles(tmp_path / "profiles", count=2)
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    portal = replica(faults=("offsite-request",))
    with Journal.open(tmp_path / "data") as journal:
        person = PtyPerson(_submit_after(portal, 2), "submit")
        log.setup()  # as the command does: warnings to the terminal
        try:
            for handler in log.console_handlers():
                assert isinstance(handler, logging.StreamHandler)
                handler.setStream(person.terminal.output)
            run = _batch(tmp_path, portal, journal, person, paths)
            report = run.run(lambda: contextlib.nullcontext(browser))
        finally:
            root.handlers[:], root.level = before
    screen = person.screen(expect="Submitted 1 of 1", times=2)
    person.close()
    assert [r.state for r in report.results] == ["submitted", "submitted"]
    blocked = "Blocked a request to 127.0.0.2: not a host of this portal."

    def warned(start: int, end: int) -> int:
        return screen[start:end].count(blocked)

    # Every page of this portal loads from 127.0.0.2 (an image and a popup), the page after a
    # submit too.
    first_header = screen.index("[1/2] Harbor 1 (submission 1 of 1)")
    first_review = screen.index("please review", first_header)
    first_question = screen.index("send Harbor 1, submission 1 of 1 (2 numbers), anything else")
    header = screen.index("[2/2] Harbor 2 (submission 1 of 1)")
    review = screen.index("please review", header)
    question = screen.index("send Harbor 2, submission 1 of 1 (2 numbers), anything else")
    assert first_question < screen.index("Submitted 1 of 1. Feedback ID", first_question) < header
    # A first page's warnings: all of them come while it is filled, before its review.
    loaded = warned(first_header, first_review)
    assert loaded > 0
    # The second page loaded during the first review; all its warnings show in its own turn,
    # under its header, and none between a review and its question.
    assert warned(header, review) == loaded
    assert warned(first_review, first_question) == 0
    assert warned(review, question) == 0
    # Between the first question and the second header, only the first submission's own page
    # after its submit (how many of its requests start before its context closes varies).
    assert warned(first_question, header) <= loaded


def test_ctrl_c_ends_a_question_asked_in_a_thread_at_once() -> None:
    """Ctrl-C at a review asked in a thread ends it at the key, not at the main thread's next
    action (which may be a page that takes its time to load)."""
    from assistant.sitting.stopping import PromptWatch, StopSwitch

    person = PtyPerson()
    switch = StopSwitch()
    watch = PromptWatch(person.terminal, switch)
    cancel = threading.Event()
    ended: list[BaseException] = []

    def ask() -> None:
        try:
            watch.ask("Type something: ", cancel=cancel)
        except BaseException as error:
            ended.append(error)

    asker = threading.Thread(target=ask)
    asker.start()
    person.screen(expect="Type something: ", settle=10)
    switch(signal.SIGINT, None)  # what the handler does when the key is pressed
    asker.join(10)
    person.close()
    assert not asker.is_alive()
    assert [type(e) for e in ended] == [KeyboardInterrupt]


# -- issue 17 item 7: a question that is slow to end after Ctrl-C -------------------------------


def test_a_question_that_ignores_ctrl_c_is_no_answer_even_if_submit_comes_later() -> None:
    """Ctrl-C asks the question to end; one that does not end within the wait (a terminal that
    ignores `cancel`) finishes the submission as not confirmed, and the "submit" it reads
    afterwards is never taken as the answer."""
    from assistant.errors import Stopped
    from assistant.sitting.ahead import _CANCEL_WAIT_S, Turn

    typed = threading.Event()
    asked = threading.Event()
    read = threading.Event()
    seen_cancel: list[bool] = []

    def ask(cancel: threading.Event) -> BaseException | None:
        asked.set()
        assert typed.wait(30)  # deaf to `cancel`: only a typed line ends it
        seen_cancel.append(cancel.is_set())
        read.set()
        return None  # "submit"

    finished: list[BaseException | None] = []
    turn = Turn(ask, finished.append, stop_requested=lambda: True)
    assert asked.wait(10)
    started = time.monotonic()
    turn.pump()  # Ctrl-C was pressed: the question is asked to end, and does not
    waited = time.monotonic() - started
    assert waited >= _CANCEL_WAIT_S
    assert turn.done
    [answer] = finished
    assert isinstance(answer, Stopped)
    assert str(answer) == "Stopped with Ctrl-C at the confirmation; nothing was submitted."
    typed.set()  # the person types "submit" after all
    assert read.wait(10)
    turn.wait()
    turn.pump()
    assert seen_cancel == [True]
    assert len(finished) == 1  # finished once, not confirmed


class _DeafToCancel(Terminal):
    """A terminal whose question goes on reading after Ctrl-C (it ignores `cancel`)."""

    def ask(self, prompt: str, *, cancel: threading.Event | None = None) -> str | None:
        return super().ask(prompt)


def test_ctrl_c_at_a_review_whose_question_ignores_it_clicks_nothing(
    browser: Browser, tmp_path: Path, replica: Replicas
) -> None:
    """Ctrl-C while the next submission is prepared, at a terminal that goes on reading: the
    review is not confirmed (its row declined, never an intent), and the "submit" typed a
    moment later is not taken."""
    paths = write_profiles(tmp_path / "profiles", count=2)
    person = PtyPerson()
    deaf = _DeafToCancel(person.terminal.input, person.terminal.output)
    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        run = batch_of(paths, portal, journal, deaf, tmp_path / "data")

        def press_ctrl_c_then_type_submit() -> None:
            person.screen(expect="anything else to stop: ", settle=60)
            deadline = time.monotonic() + 60
            while _order(portal.requests(), portal).count("send") < 2:  # the next is begun
                assert time.monotonic() < deadline
                time.sleep(0.02)
            os.kill(os.getpid(), signal.SIGINT)
            person.screen(expect="Not submitted: Stopped with Ctrl-C", settle=30)
            person.type("submit")

        presser = threading.Thread(target=press_ctrl_c_then_type_submit)
        presser.start()
        report = run.run(lambda: contextlib.nullcontext(browser))
        presser.join()
        attempts = {a.profile_label: a for a in journal.history()}
        trail = [state for _, state, _ in journal.events(attempts["Harbor 1"].id)]
        submits = portal.submit_attempts()
    person.close()
    assert submits == 0
    assert trail == ["started", "filled", "declined"]  # never an intent
    assert attempts["Harbor 1"].reason == (
        "Stopped with Ctrl-C at the confirmation; nothing was submitted."
    )
    assert attempts["Harbor 2"].state is State.FAILED
    assert [(r.label, r.state) for r in report.results] == [
        ("Harbor 1", "stopped"),
        ("Harbor 2", "stopped"),
    ]
    assert report.interrupted
    assert report.exit_code == ExitCode.NOT_CONFIRMED
