"""Issue 10, item 13: every attempt leaves a row, however early it stops.

A submission that never reached its review (a form re-rendering twice, a renamed option, a
missing field, a code refused five times, Ctrl-C) used to leave nothing in the journal, so
`history` ("every attempt") did not show it. Each is run here in process (the session's one
browser) against the replica, and must leave a `started` row closed `failed` with the reason
the person was given, which `history` shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from ptyperson import PtyPerson
from replicas import Replicas

from assistant.browser import step_state
from assistant.cli import main
from assistant.errors import (
    AssistantError,
    DuplicateSubmission,
    NotConfirmed,
    PortalError,
    PortalMismatch,
    ReadBackMismatch,
)
from assistant.portals import load_portal
from assistant.portals.plan import build_plan
from assistant.profiles import load_profile
from assistant.records.journal import Journal, State
from assistant.records.journal.recorder import JournalRecorder
from assistant.records.recorder import Reviewed
from assistant.replica import Replica
from assistant.sitting.code_sources import CodeRequest, OutboxCodeSource
from assistant.sitting.session import FillOptions, Interrupted, Session

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = load_profile(ROOT / "profiles" / "lakeside-closures.yaml").profile
FAST = step_state.Timeouts(step_ms=10_000, action_ms=8_000)
# For a field that never comes: the fill waits this long for it before saying so.
SHORT_WAIT = step_state.Timeouts(step_ms=2_000, action_ms=8_000)


class WrongCode:
    """A person who keeps typing a code the portal refuses."""

    def __init__(self) -> None:
        self.asked = 0

    def code(self, request: CodeRequest) -> str | None:
        self.asked += 1
        return "00000"


class CtrlCAfter:
    """Ctrl-C pressed after `n` checks of the stop switch (between two actions)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self) -> bool:
        self.n -= 1
        return self.n < 0


def _run(
    browser: Browser,
    replica: Replicas,
    tmp_path: Path,
    *,
    faults: tuple[str, ...] = (),
    code_source: Callable[[Replica], object] = OutboxCodeSource,
    stop: Callable[[], bool] = lambda: False,
) -> tuple[BaseException, Journal, Replica]:
    """One submission of the Lakeside profile that must stop before its review."""
    portal = replica(faults=faults)
    person = PtyPerson()
    journal = Journal.open(tmp_path / "data")
    portal_map = load_portal("fcr")
    options = FillOptions(
        portal=portal_map,
        url=portal.url,
        data_dir=tmp_path / "data",
        timeouts=SHORT_WAIT if "missing-field" in faults else FAST,
    )
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    session = Session(
        browser,
        options,
        person.terminal,
        code_source(portal),  # type: ignore[arg-type]
        run_dir=run_dir,
        recorder=JournalRecorder(journal),
        stop_requested=stop,
    )
    [submission] = build_plan(LAKESIDE, portal_map, portal.url).submissions
    try:
        with pytest.raises((AssistantError, KeyboardInterrupt)) as caught:
            session.run_submission(LAKESIDE, submission)
        assert "please review" not in person.screen()
        assert portal.submit_attempts() == 0
    finally:
        person.close()
    return caught.value, journal, portal


def _history_json(data: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["history", "--json", "--data-dir", str(data)])
    assert exited.value.code in (0, None)
    shown: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return shown


@pytest.mark.parametrize(
    ("faults", "error_type", "reason_starts"),
    [
        (
            ("rerender-twice",),
            ReadBackMismatch,
            "business step: the form reset itself a second time; stopped before the review.",
        ),
        (
            ("renamed-option",),
            PortalMismatch,
            'business step: field "category" (#enterprise_category): no option matches "Education"',
        ),
        (
            ("missing-field",),
            PortalMismatch,
            'business step: field "city" (#enterprise_company_address_city): ',
        ),
    ],
)
def test_a_portal_that_stops_the_run_before_the_review_leaves_a_failed_attempt(
    browser: Browser,
    replica: Replicas,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    faults: tuple[str, ...],
    error_type: type[Exception],
    reason_starts: str,
) -> None:
    error, journal, _ = _run(browser, replica, tmp_path, faults=faults)
    assert isinstance(error, error_type)
    assert str(error).startswith(reason_starts), str(error)
    with journal:
        [attempt] = journal.history()
        trail = [state for _, state, _ in journal.events(attempt.id)]
    assert (attempt.state, attempt.reason) == (State.FAILED, str(error))
    assert trail == ["started", "failed"]
    assert attempt.numbers == tuple(n.number for n in LAKESIDE.numbers)
    [shown] = _history_json(tmp_path / "data", capsys)
    assert (shown["state"], shown["reason"]) == ("failed", str(error))


def test_a_code_refused_five_times_leaves_a_failed_attempt(
    browser: Browser, replica: Replicas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = WrongCode()
    error, journal, _ = _run(browser, replica, tmp_path, code_source=lambda _: wrong)
    assert wrong.asked == 5
    assert type(error) is PortalError
    # Each refusal is the page's own words, shown again after every click: none of the five
    # waits out the step's time-out as if the page had said nothing.
    assert str(error) == (
        "The portal refused the code 5 times (The verification code is not correct. Check the "
        "email and try again.); nothing was submitted."
    )
    with journal:
        [attempt] = journal.history()
    assert (attempt.state, attempt.reason) == (State.FAILED, str(error))
    [shown] = _history_json(tmp_path / "data", capsys)
    assert (shown["state"], shown["reason"]) == ("failed", str(error))


def test_ctrl_c_before_the_review_leaves_a_failed_attempt(
    browser: Browser, replica: Replicas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error, journal, _ = _run(browser, replica, tmp_path, stop=CtrlCAfter(3))
    assert isinstance(error, Interrupted)
    assert isinstance(error, NotConfirmed)
    with journal:
        [attempt] = journal.history()
    assert (attempt.state, attempt.reason) == (
        State.FAILED,
        "Stopped by Ctrl-C; nothing was submitted.",
    )
    [shown] = _history_json(tmp_path / "data", capsys)
    assert shown["reason"] == "Stopped by Ctrl-C; nothing was submitted."


def test_numbers_the_guard_refuses_open_no_attempt(browser: Browser, tmp_path: Path) -> None:
    """The row comes right after the guard: a submission it refuses never started."""
    person = PtyPerson()
    with Journal.open(tmp_path / "data") as journal:
        recorder = JournalRecorder(journal)
        portal_map = load_portal("fcr")
        url = "http://127.0.0.1:9/fcr/"  # never opened
        [submission] = build_plan(LAKESIDE, portal_map, url).submissions
        session = Session(
            browser,
            FillOptions(portal=portal_map, url=url, data_dir=tmp_path / "data"),
            person.terminal,
            WrongCode(),
            run_dir=tmp_path,
            recorder=recorder,
        )
        earlier = session._record(submission)
        recorder.started(earlier)
        recorder.filled(earlier)
        recorder.intent(earlier, Reviewed((), ()))  # then the process died: outcome unknown
        with pytest.raises(DuplicateSubmission):
            session.run_submission(LAKESIDE, submission)
        assert [a.state for a in journal.history()] == [State.INTENT]
    person.close()
