"""Pages that try to get round the person's confirmation (the replica's hostile variants,
`assistant/replica/variants.py`), each met by the shipped map, unchanged, in real Chromium with
a person at a real pseudo-terminal: whatever the page does, the replica holds no registration
the person did not confirm, nothing unreviewed is sent, and the run says what happened.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from batchrun import write_profiles
from ptyperson import PtyPerson
from replicarun import batch_of, fill_lakeside
from replicas import Replicas

from assistant.browser.request_guard import REPAIR
from assistant.browser.step_state import Timeouts
from assistant.errors import ChangedAfterReview, NotConfirmed, ReadBackMismatch, RequestRefused
from assistant.records import duplicates as duplicate_guard
from assistant.records.journal import Journal, State
from assistant.replica import Replica
from assistant.sitting.session import Outcome

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

FAST = Timeouts(step_ms=10_000, action_ms=8_000)
COMPANY = "Lakeside Unified School District"


@dataclass
class Run:
    portal: Replica
    person: PtyPerson
    outcomes: list[Outcome]
    error: Exception | None
    journal: Journal

    def states(self) -> list[State]:
        return [a.state for a in self.journal.history()]

    def submit_posts(self) -> int:
        path = self.portal.names.submit_path
        return sum(1 for m, p in self.portal.requests() if p == path and m == "POST")


@pytest.fixture
def hostile(browser: Browser, replica: Replicas, tmp_path: Path) -> Iterator[Callable[..., Run]]:
    opened: list[PtyPerson] = []
    journal = Journal.open(tmp_path / "data")

    def run(variant: str, *answers: str | Callable[[], str], layout: str = "wizard") -> Run:
        portal = replica(layout, variants=(variant,))
        person = PtyPerson(*answers)
        opened.append(person)
        run_dir = tmp_path / f"run-{len(opened)}"
        run_dir.mkdir(mode=0o700)
        filled = fill_lakeside(
            browser, portal, person.terminal, journal, run_dir, tmp_path / "data"
        )
        return Run(portal, person, filled.outcomes, filled.error, journal)

    yield run
    for person in opened:
        person.close()
    journal.close()


def refused(what: str) -> str:
    return f"{what}: the portal has changed; nothing was sent. {REPAIR}."


def test_a_continue_button_that_registers_stops_the_run_before_the_review(
    hostile: Callable[..., Run],
) -> None:
    run = hostile("continue-registers", "no")
    assert isinstance(run.error, RequestRefused)
    assert str(run.error) == refused(
        'clicking "Continue to final step" tried to send the registration (its numbers and the '
        "company name), the contact email and the verification code to /fcr/submit"
    )
    assert run.error.exit_code == 4
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0
    assert "please review" not in run.person.screen()
    assert run.states() == [State.FAILED]
    assert run.journal.history()[0].reason == str(run.error)


def test_a_post_on_a_timer_while_a_click_settles_stops_the_run(
    hostile: Callable[..., Run],
) -> None:
    run = hostile("timer-post", "no")
    assert isinstance(run.error, RequestRefused)
    # The click's own request went first; the timer's second write is one more than declared.
    assert str(run.error) == refused(
        'clicking "Send verification code" tried to send POST /fcr/submit; the map declares 1 '
        "request for that click"
    )
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0
    assert "please review" not in run.person.screen()


def test_a_farewell_post_when_the_person_declines_reaches_nothing(
    hostile: Callable[..., Run],
) -> None:
    run = hostile("farewell", "no")
    assert isinstance(run.error, NotConfirmed)
    assert str(run.error) == 'You typed "no", not "submit"; nothing was submitted.'
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0  # the context is closed: its farewell got nowhere
    assert run.states() == [State.DECLINED]


def test_a_webrtc_peer_at_the_review_reaches_nothing_and_is_told(
    browser: Browser, replica: Replicas, tmp_path: Path, turn_listeners: tuple[int, list[str]]
) -> None:
    port, heard = turn_listeners
    person = PtyPerson("no")
    # The replica serves on the port the test's TURN server listens on (UDP and TCP apart).
    portal = replica(variants=("webrtc",), port=port)
    try:
        with Journal.open(tmp_path / "data") as journal:
            filled = fill_lakeside(
                browser, portal, person.terminal, journal, tmp_path, tmp_path / "d"
            )
    finally:
        person.close()
    assert isinstance(filled.error, NotConfirmed)
    guard = filled.session.last_guard
    assert str(filled.error) == (
        'You typed "no", not "submit"; nothing was submitted. Meanwhile the page tried to open '
        "a WebRTC connection, which the assistant switches off; nothing went out that way."
    )
    assert guard is not None
    assert guard.channels_tried == ["a WebRTC connection"]
    assert heard == []
    assert portal.submissions() == []


def test_values_changed_after_the_review_are_never_sent(hostile: Callable[..., Run]) -> None:
    def after_the_change() -> str:
        time.sleep(2.5)  # (test only) the person reads while the page changes the values
        return "submit"

    run = hostile("late-change", after_the_change)
    assert isinstance(run.error, ChangedAfterReview)
    assert str(run.error) == (
        "Submission 1 of 1: the page changed what you reviewed before the click (company name: "
        f'reviewed "{COMPANY}", now "{COMPANY} Holdings"; number 1: reviewed "6195550100", now '
        '"6195550199"); nothing was submitted'
    )
    assert run.error.exit_code == 4
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0
    assert run.states() == [State.FAILED]


def test_values_swapped_as_the_submit_is_clicked_are_stopped_in_the_browser(
    hostile: Callable[..., Run],
) -> None:
    run = hostile("swap-on-submit", "submit")
    assert run.error is None, run.error
    [outcome] = run.outcomes
    assert outcome.state == "failed"
    origin = run.portal.origin.removeprefix("http://")
    why = (
        f"the submit request (POST {origin}/fcr/submit) does not carry what you reviewed: it "
        f'lacks company name "{COMPANY}"; number 1 "6195550100"; it carries 6195550199, which '
        "you did not review; it was stopped in the browser, nothing was submitted"
    )
    assert outcome.message == f"Not sent: {why}. The portal has changed; run `assistant check`."
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0
    [attempt] = run.journal.history()
    assert (attempt.state, attempt.reason) == (State.FAILED, why)
    # Nothing was sent, so nothing blocks the numbers.
    assert duplicate_guard.findings(run.journal, attempt.destination, attempt.numbers) == []


def test_the_submission_prepared_during_a_review_meets_the_same_guard(
    browser: Browser, replica: Replicas, tmp_path: Path
) -> None:
    """The first submission is served calm and reaches its review; the next, prepared in its
    own context while the person reads, meets a continue button that registers."""
    paths = write_profiles(tmp_path / "profiles", count=2)
    portal = replica(variants=("continue-registers",), hostile_after=1)
    with Journal.open(tmp_path / "data") as journal:

        def when_the_next_stopped() -> str:
            deadline = time.monotonic() + 60
            while ("POST", "/fcr/api/verify-code") not in portal.requests()[3:]:
                assert time.monotonic() < deadline, "the next submission was not prepared"
                time.sleep(0.02)
            time.sleep(1.0)  # (test only) it reaches the numbers step meanwhile
            return "submit"

        person = PtyPerson(when_the_next_stopped, eof=True)  # a review it should not reach: Ctrl-D
        batch = batch_of(paths, portal, journal, person.terminal, tmp_path / "data")
        report = batch.run(lambda: contextlib.nullcontext(browser))
        states = [a.state for a in journal.history()]
    screen = person.screen(expect="Failed: clicking")
    person.close()
    assert [r.state for r in report.results] == ["submitted", "failed"]
    assert report.results[1].reason == refused(
        'clicking "Continue to final step" tried to send the registration (its numbers and the '
        "company name), the contact email and the verification code to /fcr/submit"
    )
    assert len(portal.submissions()) == 1  # the first, confirmed; nothing of the second
    assert sorted(states) == sorted([State.SUBMITTED, State.FAILED])
    assert 'Failed: clicking "Continue to final step" tried to send' in screen


def test_a_calm_page_is_sent_once_and_the_records_say_what_the_request_carried(
    hostile: Callable[..., Run],
) -> None:
    """The control for the pages above: the same map and person on the replica as it is."""
    run = hostile("captions", "submit")
    assert run.error is None, run.error
    [outcome] = run.outcomes
    assert outcome.state == "submitted"
    assert run.submit_posts() == 1
    [attempt] = run.journal.history()
    origin = run.portal.origin.removeprefix("http://")
    sent = (
        f"POST {origin}/fcr/submit carrying 4 numbers (6195550100, 6195550101, 6195550102, "
        "6195550103), every value you reviewed checked in it"
    )
    assert (attempt.state, attempt.reason) == (State.SUBMITTED, f"sent as {sent}")
    assert attempt.receipt_path is not None
    receipt = Path(attempt.receipt_path).read_text(encoding="utf-8")
    assert f"<tr><th>Request sent</th><td>{sent}</td></tr>" in receipt


def test_a_sandboxed_frame_posting_during_the_review_gets_nothing_out(
    hostile: Callable[..., Run],
) -> None:
    def after_reading() -> str:
        time.sleep(3.5)  # (test only) the frame posts 2 s after the review shows
        return "no"

    run = hostile("sandboxed-frame", after_reading)
    tried = (
        "the page tried to send the registration (its numbers and the company name), the "
        "contact email and the verification code to /fcr/submit by itself, with no button "
        "pressed"
    )
    if isinstance(run.error, RequestRefused):  # a slow machine: it posted before the review
        assert str(run.error) == refused(tried)
    else:
        assert isinstance(run.error, NotConfirmed)
        assert str(run.error) == (
            f'You typed "no", not "submit"; nothing was submitted. Meanwhile {tried}; it was '
            "refused, nothing was sent."
        )
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0


def test_form_data_changed_as_the_submit_builds_it_is_stopped_in_the_browser(
    hostile: Callable[..., Run],
) -> None:
    run = hostile("formdata-swap", "submit")
    assert run.error is None, run.error
    [outcome] = run.outcomes
    assert outcome.state == "failed"
    origin = run.portal.origin.removeprefix("http://")
    assert outcome.message == (
        f"Not sent: the submit request (POST {origin}/fcr/submit) does not carry what you "
        f'reviewed: it lacks company name "{COMPANY}"; number 1 "6195550100"; it carries '
        "6195550199, which you did not review; it was stopped in the browser, nothing was "
        "submitted. The portal has changed; run `assistant check`."
    )
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0


def test_a_feedback_id_made_up_by_the_page_is_not_taken_for_a_submission(
    hostile: Callable[..., Run],
) -> None:
    run = hostile("fake-feedback", "submit")
    assert run.error is None, run.error
    [outcome] = run.outcomes
    reason = (
        "the page showed Feedback ID FCRFE12072026000000001, but no request left the browser, "
        "so nothing was sent"
    )
    assert (outcome.state, outcome.message) == (
        "failed",
        f"Not sent: {reason}. The portal has changed; run `assistant check`.",
    )
    [attempt] = run.journal.history()
    assert (attempt.state, attempt.reason, attempt.feedback_id) == (State.FAILED, reason, None)
    assert run.submit_posts() == 0


@pytest.mark.parametrize(
    "variant", ["late-change", "swap-on-submit", "formdata-swap", "fake-feedback"]
)
def test_the_pages_that_act_at_the_submit_send_nothing_when_the_person_declines(
    hostile: Callable[..., Run], variant: str
) -> None:
    """(The others are declined in the tests above.)"""
    run = hostile(variant, "no")
    assert isinstance(run.error, NotConfirmed)
    assert str(run.error) == 'You typed "no", not "submit"; nothing was submitted.'
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0
    assert run.states() == [State.DECLINED]


def test_a_page_that_lies_to_its_own_scripts_is_reviewed_as_it_holds(
    hostile: Callable[..., Run],
) -> None:
    """The page changes the company name and number 1 as the review shows and patches its
    fields' value getter to tell scripts in its world what was typed. The assistant reads in a
    world of its own: its review shows what the fields hold, each marked as not what the
    profile says, and the run stops there without asking."""
    run = hostile("lying-page", "no")
    screen = re.sub(r"\x1b\[[0-9;]*m", "", run.person.screen())
    rows = {" ".join(line.split()) for line in screen.splitlines()}
    assert f"│ business │ company name │ {COMPANY} │ {COMPANY} Holdings │ ≠ │" in rows
    assert "│ numbers │ number 1 │ +16195550100 │ 6195550199 │ ≠ │" in rows
    assert "≠ The page differs from the profile in: company name, number 1" in rows
    assert isinstance(run.error, ReadBackMismatch)
    assert str(run.error) == (
        "Submission 1 of 1 (4 numbers): the page no longer holds what was filled (company name, "
        "number 1); nothing was submitted."
    )
    assert "anything else to stop" not in screen  # the confirmation was never asked
    assert run.portal.submissions() == []
    assert run.submit_posts() == 0
    assert run.states() == [State.FAILED]
