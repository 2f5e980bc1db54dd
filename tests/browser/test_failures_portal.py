"""Reliability items 8-15 and 18 (/work/shared/reliability.md): a misbehaving portal, in process.

Real Chromium (the session's one browser) drives the replica portal, or a page of the test's own
on loopback; a person at a real pseudo-terminal reviews. Each test asserts what the person saw,
what the replica received, what the journal holds and what the run's private log says.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from localsite import QuietHandler, serve
from ptyperson import PtyPerson
from replicas import Replicas

from assistant import log
from assistant.browser import driver, fields, guarded_context, launch, loading, step_state
from assistant.errors import (
    DuplicateSubmission,
    ExitCode,
    NotConfirmed,
    PortalError,
    PortalMismatch,
    ReadBackMismatch,
)
from assistant.portals import load_portal
from assistant.portals.model import Target
from assistant.portals.plan import PlannedField, PlannedStep, build_plan
from assistant.profiles import load_profile
from assistant.profiles.model import Profile
from assistant.records.journal import Journal, State
from assistant.records.journal.recorder import JournalRecorder
from assistant.records.recorder import SubmissionRecord
from assistant.replica import Replica
from assistant.sitting.code_sources import OutboxCodeSource, TerminalCodeSource
from assistant.sitting.session import FillOptions, Outcome, Session

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = load_profile(ROOT / "profiles" / "lakeside-closures.yaml").profile
COUNTY = load_profile(ROOT / "profiles" / "county-weather.yaml").profile
FAST = step_state.Timeouts(step_ms=10_000, action_ms=8_000)
PHONE = LAKESIDE.contact.phone  # +16195550142
EMAIL = LAKESIDE.contact.email


@dataclass
class Flow:
    """One fill: what the replica got, what the person saw, the journal, the run's log."""

    portal: Replica
    person: PtyPerson
    session: Session
    outcomes: list[Outcome]
    error: Exception | None
    run_dir: Path
    journal: Journal

    def states(self, part: int = 1) -> list[str]:
        """The journal trail of submission `part` of the newest attempt for it."""
        attempts = [a for a in self.journal.history() if a.part == part]
        return [state for _, state, _ in self.journal.events(attempts[0].id)]

    @property
    def log(self) -> str:
        return (self.run_dir / log.RUN_LOG).read_text(encoding="utf-8")


Run = Callable[..., Flow]


@pytest.fixture
def flow(browser: Browser, replica: Replicas, tmp_path: Path) -> Iterator[Run]:
    """`flow(faults=(...), typed=("submit",), ...)`: one in-process run through the journal.

    The codes come from the replica's outbox; with `typed_codes=True` the person types them
    at the code prompt (among `typed`).

    Other keywords (`trace=True`, `mask_contact=True`) go to `FillOptions`.
    """
    opened: list[PtyPerson] = []
    journal = Journal.open(tmp_path / "data")
    level = logging.getLogger().level

    def run(
        profile: Profile = LAKESIDE,
        *,
        faults: tuple[str, ...] = (),
        typed: tuple[str, ...] = ("submit",),
        portal: Replica | None = None,
        hang_seconds: float = 20.0,
        submit_timeout_s: float | None = None,
        load_attempts: int = loading.DEFAULT_LOAD_ATTEMPTS,
        recorder: Callable[[Journal], JournalRecorder] = JournalRecorder,
        typed_codes: bool = False,
        timeouts: step_state.Timeouts = FAST,
        **extra: Any,
    ) -> Flow:
        if portal is None:
            portal = replica(faults=faults, hang_seconds=hang_seconds)
        person = PtyPerson(*typed)
        opened.append(person)
        portal_map = load_portal("fcr")
        options = FillOptions(
            portal=portal_map,
            url=portal.url,
            headless=True,
            data_dir=tmp_path / "data",
            timeouts=timeouts,
            submit_timeout_s=submit_timeout_s,
            load_attempts=load_attempts,
            **extra,
        )
        run_dir = tmp_path / f"run-{len(opened)}"
        run_dir.mkdir(mode=0o700)
        log.attach_run_log(run_dir)
        session = Session(
            browser,
            options,
            person.terminal,
            TerminalCodeSource(person.terminal) if typed_codes else OutboxCodeSource(portal),
            run_dir=run_dir,
            recorder=recorder(journal),
        )
        outcomes: list[Outcome] = []
        error: Exception | None = None
        try:
            for submission in build_plan(profile, portal_map, portal.url).submissions:
                outcomes.append(session.run_submission(profile, submission))
                if outcomes[-1].state != "submitted":
                    break
        except Exception as caught:  # the test asserts on it
            error = caught
        return Flow(portal, person, session, outcomes, error, run_dir, journal)

    yield run
    log.detach_run_log()
    logging.getLogger().setLevel(level)
    journal.close()
    for person in opened:
        person.close()


def settle_hint(attempt_id: int, numbers: str) -> str:
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return (
        f"{numbers} have an unknown outcome (attempt {attempt_id}, sent to fcr on {today}): "
        f"settle it with 'assistant settle {attempt_id} --submitted FEEDBACK_ID' or "
        f"'assistant settle {attempt_id} --not-submitted'"
    )


def page_loads(portal: Replica) -> int:
    return len([p for m, p in portal.requests() if m == "GET" and p == "/fcr/"])


def test_item_08_a_page_answering_503_twice_is_retried_and_the_run_goes_on(flow: Run) -> None:
    run = flow(faults=("503-twice",))
    assert run.error is None, run.error
    assert page_loads(run.portal) == 3
    [record] = run.portal.submissions()
    assert run.outcomes[0].feedback_id == record["feedback_id"]
    assert run.states() == ["started", "filled", "intent", "submitted"]
    retries = [line for line in run.log.splitlines() if "Loading the portal failed" in line]
    assert [line.split(": ", 1)[1] for line in retries] == [
        "Loading the portal failed (the portal answered HTTP 503); retrying (attempt 2 of 4).",
        "Loading the portal failed (the portal answered HTTP 503); retrying (attempt 3 of 4).",
    ]


def test_item_09_the_network_dropping_mid_run_stops_cleanly_after_bounded_retries(
    flow: Run, replica: Replicas
) -> None:
    portal = replica()

    class DropAfterFirst(JournalRecorder):
        """The portal's server goes away right after the first submission's outcome."""

        def submitted(self, record: SubmissionRecord, feedback_id: str, sent: str = "") -> None:
            super().submitted(record, feedback_id, sent)
            portal.stop()

    run = flow(
        COUNTY, portal=portal, typed=("submit",) * 3, load_attempts=3, recorder=DropAfterFirst
    )
    assert isinstance(run.error, PortalError)
    assert run.error.exit_code == ExitCode.PORTAL
    assert str(run.error) == (
        "The portal did not load after 3 attempts (Page.goto: net::ERR_CONNECTION_REFUSED at "
        f"{portal.url}); check the connection or try again later."
    )
    retries = [line.split(": ", 1)[1] for line in run.log.splitlines() if "retrying" in line]
    assert retries == [
        f"Loading the portal failed (Page.goto: net::ERR_CONNECTION_REFUSED at {portal.url}); "
        f"retrying (attempt {n} of 3)."
        for n in (2, 3)
    ]
    # Nothing half-submitted: the first submission went through whole, the second never opened.
    [record] = portal.submissions()
    sent = sorted(v for k, v in record["fields"].items() if k.startswith("enterprise_phone_") and v)
    assert sent == sorted(n.national for n in COUNTY.numbers[:20])
    assert portal.submit_attempts() == 1
    # The second never reached its review, and its row says why (issue 10, item 13).
    first = ", ".join(n.national for n in COUNTY.numbers[:20])
    what = f"POST {portal.origin.removeprefix('http://')}/fcr/submit carrying 20 numbers"
    assert [(a.part, a.state, a.reason) for a in run.journal.history()] == [
        (2, "failed", str(run.error)),
        (1, "submitted", f"sent as {what} ({first}), every value you reviewed checked in it"),
    ]
    screen = run.person.screen(expect="Submission 2 of 3")
    assert screen.count("please review") == 1


def test_item_10_a_hanging_submit_is_clicked_once_unknown_and_a_rerun_refuses(
    flow: Run,
) -> None:
    run = flow(faults=("submit-hang",), hang_seconds=6, submit_timeout_s=2)
    assert run.error is None, run.error
    assert run.portal.submit_attempts() == 1
    assert [m for m, p in run.portal.requests() if p == "/fcr/submit"] == ["POST"]
    [outcome] = run.outcomes
    assert outcome.state == "unknown"
    assert re.fullmatch(
        r"Outcome unknown: no answer to the submit within 2 s \(waited 2\.\d s\)\. "
        r"Check the portal or the email; do not resend\.",
        outcome.message,
    )
    assert run.states() == ["started", "filled", "intent", "unknown"]
    [attempt] = run.journal.unsettled()
    # A rerun of the same profile refuses before anything opens, naming how to settle it.
    again = flow(portal=run.portal)
    assert isinstance(again.error, DuplicateSubmission)
    assert again.error.exit_code == ExitCode.DUPLICATE
    assert str(again.error) == settle_hint(attempt.id, f"{len(attempt.numbers)} numbers")
    assert run.portal.submit_attempts() == 1
    assert page_loads(run.portal) == 1
    assert [a.state for a in run.journal.history()] == ["unknown"]


def test_item_11_a_submit_answered_500_is_failed_and_never_resent(flow: Run) -> None:
    run = flow(faults=("submit-500",))
    assert run.error is None, run.error
    assert run.outcomes == [
        Outcome(
            1,
            1,
            "failed",
            "Failed: the portal said 'An unexpected error occurred and your registration was not "
            "saved.' (HTTP 500); the submission was not resent.",
        )
    ]
    assert run.portal.submit_attempts() == 1
    assert [m for m, p in run.portal.requests() if p == "/fcr/submit"] == ["POST"]
    assert run.portal.submissions() == []
    assert run.states() == ["started", "filled", "intent", "failed"]
    [attempt] = run.journal.history()
    assert attempt.reason == (
        "the portal said 'An unexpected error occurred and your registration was not saved.' "
        "(HTTP 500)"
    )
    assert run.journal.unsettled() == []  # failed is settled: a later run may try again


WIPING_INPUT = """
<label for=phone>Contact phone</label><input id=phone>
<script>
  // Keeps nothing: every value, typed or filled, is wiped at once.
  document.getElementById('phone').addEventListener('input', e => { e.target.value = ''; });
</script>
"""


def test_item_12_a_masked_phone_is_typed_or_the_run_stops_naming_the_field(
    flow: Run, page: Page
) -> None:
    run = flow(faults=("masked-phone",))
    assert run.error is None, run.error
    [record] = run.portal.submissions()
    assert record["fields"]["enterprise_contact_phone"] == "619-555-0142"
    review = [line for line in run.person.screen().splitlines() if "contact phone" in line]
    assert "619-555-0142" in review[0]
    assert "✓" in review[0]
    assert (
        'business step: field "contact phone" (#enterprise_contact_phone): the page did not '
        "keep the filled value; typing it key by key." in run.log
    )
    # A field that keeps nothing even when typed: the run stops before the review.
    log.register_secret(PHONE)
    page.set_content(WIPING_INPUT)
    step = PlannedStep(
        name="business",
        wait_for="#phone",
        actions=[
            PlannedField(
                step="business",
                field="contact phone",
                target=Target.of(id="phone"),
                write="text",
                format="phone_digits",
                match="value",
                value="6195550142",
                profile_value=PHONE,
                optional=False,
            )
        ],
    )
    with pytest.raises(ReadBackMismatch) as caught:
        fields.fill_step(page, step, FAST)
    assert str(caught.value) == (
        "business step: field \"contact phone\" (#phone): the page shows '' after typing "
        "'[masked]'; stopped before the review"
    )


def test_item_13_a_form_resetting_once_is_refilled_twice_stops_with_a_diff(flow: Run) -> None:
    once = flow(faults=("rerender",))
    assert once.error is None, once.error
    [record] = once.portal.submissions()
    assert record["fields"]["enterprise_company_name"] == "Lakeside Unified School District"
    assert re.search(
        r"business step: the page reset \d+ value\(s\) after they were written", once.log
    )
    once.portal.stop()
    # (the same numbers again: --resubmit, since the first run submitted them)
    twice = flow(faults=("rerender-twice",), recorder=lambda j: JournalRecorder(j, resubmit=True))
    assert isinstance(twice.error, ReadBackMismatch)
    assert str(twice.error).startswith(
        "business step: the form reset itself a second time; stopped before the review. "
        "Differences: company name: wanted 'Lakeside Unified School District', page shows ''"
    )
    assert "please review" not in twice.person.screen()
    assert twice.portal.submit_attempts() == 0
    assert twice.portal.submissions() == []


def test_item_14_two_elements_for_one_field_stop_the_run_naming_it(flow: Run) -> None:
    run = flow(faults=("duplicate-field",))
    assert isinstance(run.error, PortalMismatch)
    assert run.error.exit_code == ExitCode.PORTAL
    assert str(run.error) == (
        'business step: field "company name" (#enterprise_company_name): found 2 times; '
        "the map cannot tell which one to fill; to repair the map, run `assistant learn "
        f"--portal fcr --url {run.portal.url} --profile PROFILE`"
    )
    assert run.portal.submit_attempts() == 0
    assert "please review" not in run.person.screen()
    # The check comes before any typing in the step: it never got as far as its screenshot.
    assert not (run.run_dir / "lakeside-usd-closure-alerts-s1-03-business.jpg").exists()
    assert (run.run_dir / "lakeside-usd-closure-alerts-s1-01-email.jpg").exists()


def _server(address: str, port: int = 0, far: str = "") -> tuple[http.server.HTTPServer, list[str]]:
    """A server on `address` that lists the paths it is asked for. With `far`, /away redirects
    there and /hop redirects to /away (the same host first); anything else is a small page."""
    hits: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if far and self.path in ("/away", "/hop"):
                self.send_response(302)
                self.send_header("Location", far if self.path == "/away" else "/away")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>landed</p>")

    return serve(Handler, address, port), hits


def test_item_15_requests_popups_and_redirects_off_the_portal_are_blocked_and_logged(
    flow: Run,
    browser: Browser,
    replica: Replicas,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failures: list[tuple[str, str | None]] = []
    popups: list[Page] = []
    closed: list[bool] = []  # of each popup, whether it was closed when its context closed
    error_cls, timeout_cls = driver.playwright_errors()

    class Watched(guarded_context.GuardedContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.context.on("requestfailed", lambda r: failures.append((r.url, r.failure)))
            self.context.on("page", lambda popup: popups.append(popup))

        def close(self) -> None:
            for popup in popups:
                if not popup.is_closed():  # (one opened a moment ago may be closing now)
                    with contextlib.suppress(error_cls, timeout_cls):
                        popup.wait_for_event("close", timeout=5_000)
                closed.append(popup.is_closed())
            super().close()

    monkeypatch.setattr(guarded_context, "GuardedContext", Watched)
    portal = replica(faults=("offsite-request",))
    # The other host the page reaches for (127.0.0.2, the replica's port), listening: a
    # request the guard let through would show here.
    offsite, offsite_hits = _server("127.0.0.2", portal.port)
    try:
        run = flow(portal=portal)
    finally:
        offsite.shutdown()
    assert run.error is None, run.error
    guard = run.session.last_guard
    assert guard is not None
    assert offsite_hits == []
    assert "127.0.0.2" in guard.blocked_hosts
    pixels = [f for u, f in failures if u == f"http://127.0.0.2:{portal.port}/track.gif"]
    assert pixels  # refused by the guard (not by the network): ERR_BLOCKED_BY_CLIENT
    assert all(str(f).startswith("net::ERR_BLOCKED_BY_CLIENT") for f in pixels)
    # The page gets no popup at all: window.open answers null and a link aimed at a new
    # window stays in its page (assistant/js/channels.js).
    assert popups == []
    assert guard.closed_popups == []
    assert closed == []
    assert "Blocked a request to 127.0.0.2: not a host of this portal." in run.log
    assert len(run.portal.submissions()) == 1  # the run itself went on

    # A redirect to another host, directly or after a same-host hop, is refused before it is
    # followed (the browser follows redirects without asking the route handler again).
    far, far_hits = _server("127.0.0.2")
    near, near_hits = _server("127.0.0.1", far=f"http://127.0.0.2:{far.server_address[1]}/landed")
    fenced = guarded_context.GuardedContext(
        browser, ["127.0.0.1"], guarded_context.SubmitRule("POST", "**/submit")
    )
    try:
        # A page the context gets by other means (a popup that opened anyway) is closed at
        # once, not only logged.
        extra = fenced.context.new_page()
        if not extra.is_closed():
            extra.wait_for_event("close", timeout=5_000)
        assert extra.is_closed()
        assert fenced.closed_popups == ["about:blank"]
        assert "Closed a popup the portal opened (about:blank)." in caplog.messages
        base = f"http://127.0.0.1:{near.server_address[1]}"
        for path in ("/away", "/hop"):
            # Refused when the browser is sent to /away's target: that navigation fails (and
            # with it the goto of /away itself, hence the suppress).
            with (
                fenced.page.expect_event(
                    "requestfailed", predicate=lambda r: r.url == f"{base}/away", timeout=10_000
                ) as refused,
                contextlib.suppress(error_cls),
            ):
                fenced.page.goto(base + path, wait_until="commit")
            assert str(refused.value.failure).startswith("net::ERR_BLOCKED_BY_CLIENT")
    finally:
        fenced.close()
        for server in (far, near):
            server.shutdown()
    assert near_hits == ["/away", "/hop", "/away"]
    assert far_hits == []  # the redirect was refused: its target never asked
    assert fenced.blocked_hosts == ["127.0.0.2", "127.0.0.2"]
    assert "Blocked a redirect to 127.0.0.2: not a host of this portal." in run.log


def test_item_18_a_secret_forced_into_an_error_is_masked_in_logs(
    page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli import main

    code = "48213"
    digits = "6195550142"
    log.register_secret(EMAIL, PHONE, code)
    run_log = log.attach_run_log(tmp_path)
    logger = log.get_logger("test")
    try:
        # 1. Playwright's own error quotes the value typed, in its call log.
        page.set_content("<input id=enterprise_contact_phone disabled>")
        error_cls, _ = driver.playwright_errors()
        with pytest.raises(error_cls) as raw:
            page.locator("#enterprise_contact_phone").fill(digits, timeout=1500)
        assert f'fill("{digits}")' in str(raw.value)  # the leak this test is about
        logger.warning("Filling failed: %s", raw.value)
        try:
            raise RuntimeError("while filling") from raw.value
        except RuntimeError:
            logger.debug("With its traceback", exc_info=True)
        # 2. The filler's own error, which the CLI prints and the journal keeps as a reason.
        step = PlannedStep(
            name="business",
            wait_for="#enterprise_contact_phone",
            actions=[
                PlannedField(
                    step="business",
                    field="contact phone",
                    target=Target.of(id="enterprise_contact_phone"),
                    write="text",
                    format="phone_digits",
                    match="value",
                    value=digits,
                    profile_value=PHONE,
                    optional=False,
                )
            ],
        )
        with pytest.raises(PortalError) as caught:
            fields.fill_step(page, step, step_state.Timeouts(step_ms=2_000, action_ms=300))
        assert str(caught.value) == (
            'business step: writing "contact phone" failed (Locator.fill: Timeout 300ms '
            "exceeded.); nothing was submitted"
        )
        # 3. A retried page load (tenacity) whose error quotes a URL with the contact in it.
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()  # nothing listens there now: connection refused
        with pytest.raises(PortalError) as refused:
            loading.load_page(
                page,
                f"http://127.0.0.1:{port}/?contact={EMAIL}&tel=({digits[:3]}) 555-0142",
                attempts=2,
            )
        assert EMAIL not in str(refused.value)
        assert "[masked]" in str(refused.value)

        # 4. An unexpected exception with the code in it, through the command line.
        def broken() -> str:
            raise RuntimeError(f"code {code} for {EMAIL} at +1 619-555-0142")

        monkeypatch.setattr(launch, "playwright_version", broken)
        with pytest.raises(SystemExit) as exited:
            main(["doctor"])
        assert exited.value.code == ExitCode.INVALID
        err = capsys.readouterr().err
        assert err.endswith(
            "Error: unexpected RuntimeError: code [masked] for [masked] at +1 [masked] "
            "(a bug; run again with --verbose for the details)\n"
        )
    finally:
        log.detach_run_log()
    text = run_log.read_text(encoding="utf-8")
    assert "Filling failed: Locator.fill: Timeout 300ms exceeded." in text
    assert 'fill("[masked]")' in text
    assert "Loading the portal failed" in text
    assert "contact=[masked]" in text
    for secret in (code, digits, EMAIL, "619-555-0142", "(619) 555-0142", PHONE):
        assert secret not in text
        assert secret not in err
    assert run_log.stat().st_mode & 0o777 == 0o600


# -- issue 10 item 14: tests that can see what they promise -----------------------------------


def test_the_submit_is_clicked_once_even_when_the_answer_is_slow_and_the_button_still_there(
    flow: Run,
) -> None:
    # The answer takes 6 s; the page (and its submit button) stays as it was meanwhile, so a
    # second click would send a second POST: exactly one reaches the portal.
    run = flow(faults=("submit-hang",), hang_seconds=6, submit_timeout_s=2)
    assert run.error is None, run.error
    assert [m for m, p in run.portal.requests() if p == "/fcr/submit"] == ["POST"]
    assert run.portal.submit_attempts() == 1
    assert run.outcomes[0].state == "unknown"


def test_an_answer_slower_than_the_click_may_take_is_still_awaited_to_the_submit_timeout(
    flow: Run,
) -> None:
    # Issue 10 item 4: the click's own time-out (2 s here) is not the wait for the answer.
    run = flow(
        faults=("submit-hang",),
        hang_seconds=3.5,
        submit_timeout_s=30,
        timeouts=step_state.Timeouts(step_ms=FAST.step_ms, action_ms=2_000),
    )
    assert run.error is None, run.error
    [record] = run.portal.submissions()
    assert run.outcomes[0].state == "submitted"
    assert run.outcomes[0].feedback_id == record["feedback_id"]


def test_an_answer_without_a_feedback_id_is_unknown_and_a_bare_4xx_is_failed(flow: Run) -> None:
    quiet = flow(faults=("submit-no-id",), submit_timeout_s=1.5)
    assert quiet.error is None, quiet.error
    [outcome] = quiet.outcomes
    assert outcome.state == "unknown"
    assert re.fullmatch(
        r"Outcome unknown: the portal answered HTTP 200 but showed neither a Feedback ID nor "
        r"an error within 1\.5 s \(waited 1\.\d s\)\. Check the portal or the email; do not "
        r"resend\.",
        outcome.message,
    )
    assert len(quiet.portal.submissions()) == 1  # it was accepted: only a person can tell
    quiet.portal.stop()
    refused = flow(faults=("submit-400",))
    assert refused.error is None, refused.error
    assert refused.outcomes[0].state == "failed"
    assert refused.outcomes[0].message == (
        "Failed: the portal answered HTTP 400 and showed no Feedback ID; the submission was not "
        "resent."
    )
    assert refused.portal.submissions() == []


def test_a_value_the_page_changes_after_the_last_step_is_refused_at_the_review(
    flow: Run,
) -> None:
    run = flow(faults=("review-drift",))
    assert isinstance(run.error, ReadBackMismatch)
    assert str(run.error) == (
        "Submission 1 of 1 (4 numbers): the page no longer holds what was filled (company "
        "name); nothing was submitted."
    )
    screen = run.person.screen()
    assert "Lakeside Unified School District Holdings" in screen  # what the page holds, marked
    assert "≠ The page differs from the profile in: company name" in screen
    assert 'Type "submit"' not in screen
    assert run.portal.submit_attempts() == 0


def test_the_contact_email_forced_into_a_log_line_is_masked(flow: Run) -> None:
    # The page's error names the address; the retry warning quotes the page.
    run = flow(faults=("send-code-503",))
    assert run.error is None, run.error
    [line] = [line for line in run.log.splitlines() if "clicking again" in line]
    assert "We could not send the code to [masked] right now. Please try again." in line
    assert EMAIL not in run.log
    assert EMAIL.replace("@", "%40") not in run.log


# -- issue 17 item 7: the guards of the submit click and of its outcome ------------------------


CLICK_ERROR = "Locator.click: Target page, context or browser has been closed"


def test_a_browser_error_at_the_submit_click_is_unknown_clicked_once_and_never_retried(
    flow: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Invariant 3: the click is made and the portal takes the registration, then the browser
    reports an error: the outcome cannot be known, so it is recorded `unknown`, the person is
    told not to resend, and the button is never clicked again."""
    from playwright.sync_api import Error, Locator

    real_click = Locator.click
    submit_clicks: list[str] = []

    def click(self: Locator, *args: Any, **kwargs: Any) -> None:
        if "submitButton" not in repr(self):
            return real_click(self, *args, **kwargs)
        submit_clicks.append(repr(self))
        # The error comes once the portal has answered the request this click sent.
        with self.page.expect_response(lambda r: r.request.method == "POST"):
            real_click(self, *args, **kwargs)
        raise Error(CLICK_ERROR)

    monkeypatch.setattr(Locator, "click", click)
    run = flow()
    assert run.error is None, run.error
    assert len(submit_clicks) == 1
    assert run.portal.submit_attempts() == 1
    assert [m for m, p in run.portal.requests() if p == "/fcr/submit"] == ["POST"]
    assert len(run.portal.submissions()) == 1  # the portal has it; only a person can tell
    message = (
        f"Outcome unknown: the submit click failed ({CLICK_ERROR}). Check the portal or the "
        "email; do not resend."
    )
    assert run.outcomes == [Outcome(1, 1, "unknown", message)]
    assert message in run.person.screen(expect="do not resend")
    assert run.states() == ["started", "filled", "intent", "unknown"]
    [attempt] = run.journal.unsettled()
    assert attempt.reason == f"the submit click failed ({CLICK_ERROR})"


OLD_ID = "FCRFE01022025101010123"
# A portal that greets the person with their previous registration's Feedback ID on every
# page, before the submit and on the page that answers it alike.
SHOWS_AN_OLD_ID = f"""
document.addEventListener("DOMContentLoaded", () => {{
  const note = document.createElement("p");
  note.textContent = "Welcome back. Your previous registration: Feedback ID {OLD_ID}";
  document.body.appendChild(note);
}});
"""


def test_a_feedback_id_on_the_page_before_the_click_is_not_this_submissions(
    flow: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    class ShowsAnOldId(guarded_context.GuardedContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.context.add_init_script(script=SHOWS_AN_OLD_ID)

    from assistant.browser import outcome as outcome_module

    real_before_click = outcome_module.before_click
    shown_before: list[str] = []

    def before_click(page: Page, success: Any) -> Any:
        shown_before.append(page.inner_text("body"))
        return real_before_click(page, success)

    monkeypatch.setattr(guarded_context, "GuardedContext", ShowsAnOldId)
    monkeypatch.setattr(outcome_module, "before_click", before_click)
    run = flow(faults=("submit-no-id",), submit_timeout_s=3)
    assert run.error is None, run.error
    [text] = shown_before
    assert f"Feedback ID {OLD_ID}" in text  # on the page right before the click
    screen = run.person.screen(expect="do not resend")
    [outcome] = run.outcomes
    assert (outcome.state, outcome.feedback_id) == ("unknown", None)
    assert re.fullmatch(
        r"Outcome unknown: the portal answered HTTP 200 but showed neither a Feedback ID nor "
        r"an error within 3 s \(waited 3\.\d s\)\. Check the portal or the email; do not "
        r"resend\.",
        outcome.message,
    )
    assert OLD_ID not in screen
    assert run.states() == ["started", "filled", "intent", "unknown"]
    [attempt] = run.journal.unsettled()
    assert attempt.feedback_id is None
    assert len(run.portal.submissions()) == 1


# The page echoes the code it refuses ("The code 12345 is not correct."), as portals do.
ECHOES_A_REFUSED_CODE = """
const realFetch = window.fetch;
window.fetch = async function (input, init) {
  const response = await realFetch.call(this, input, init);
  if (!String(input).includes("verify-code") || response.ok) return response;
  await response.text(); // (read whole: the request is over)
  const said = { ok: false, error: "The code " + JSON.parse(init.body).code + " is not correct." };
  return new Response(JSON.stringify(said), {
    status: response.status,
    headers: { "Content-Type": "application/json" },
  });
};
"""


def test_a_code_typed_at_the_prompt_is_masked_wherever_it_is_repeated(
    flow: Run, replica: Replicas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The codes the person types are secrets from the moment they are typed: a page that
    repeats a refused one has it masked in what the assistant says and logs."""

    class EchoesTheCode(guarded_context.GuardedContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.context.add_init_script(script=ECHOES_A_REFUSED_CODE)

    monkeypatch.setattr(guarded_context, "GuardedContext", EchoesTheCode)
    portal = replica()
    typed: list[str] = []

    def wrong_code() -> str:  # any code but the one mailed
        typed.append(f"{(int(portal.latest_code(EMAIL)) + 1) % 100_000:05d}")
        return typed[-1]

    def right_code() -> str:
        typed.append(portal.latest_code(EMAIL))
        return typed[-1]

    run = flow(portal=portal, typed=(wrong_code, right_code, "no"), typed_codes=True)
    assert isinstance(run.error, NotConfirmed), run.error
    wrong, right = typed
    screen = run.person.screen()
    assert "The portal did not accept the code: The code [masked] is not correct." in screen
    # Each code shows once: as the person typed it (the terminal's own echo), never again.
    assert screen.count(wrong) == 1
    assert screen.count(right) == 1
    assert f"Type the 5-digit code: {wrong}\n" in screen
    for code in (wrong, right):
        assert code not in run.log
        assert code not in str(run.error)
    assert [a.state for a in run.journal.history()] == [State.DECLINED]
