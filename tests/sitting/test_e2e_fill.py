"""End to end, in process: real Chromium (one per test session) against the replica portal.

Each test fills a profile through `Session` (one submission after the other, stopping at the
first that raises) with a person at a real pseudo-terminal, recording into a journal, and
asserts what the replica received, what the person saw and what the journal holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from ptyperson import PtyPerson
from replicas import Replicas

from assistant.browser import guarded_context
from assistant.browser.request_guard import REPAIR
from assistant.browser.step_state import Timeouts
from assistant.errors import ElementMissing, NotConfirmed, PortalMismatch, ReadBackMismatch
from assistant.portals import load_portal
from assistant.portals.plan import Plan, build_plan
from assistant.profiles import load_profile
from assistant.profiles.model import Profile
from assistant.records.journal import Journal
from assistant.records.journal.recorder import JournalRecorder
from assistant.replica import Replica
from assistant.replica.catalog import category_options
from assistant.sitting.code_sources import OutboxCodeSource
from assistant.sitting.session import FillOptions, Outcome, Session

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LAKESIDE = load_profile(ROOT / "profiles" / "lakeside-closures.yaml").profile
COUNTY = load_profile(ROOT / "profiles" / "county-weather.yaml").profile
FAST = Timeouts(step_ms=10_000, action_ms=8_000)
# For a field that never comes: the fill waits this long for it before saying so.
SHORT_WAIT = Timeouts(step_ms=2_000, action_ms=8_000)


@dataclass
class Run:
    """One fill: what the replica got, what the person saw, how it ended."""

    portal: Replica
    person: PtyPerson
    session: Session
    outcomes: list[Outcome]
    error: Exception | None
    run_dir: Path
    journal: Journal

    @property
    def screen(self) -> str:
        return self.person.screen()

    def states(self, part: int = 1) -> list[str]:
        """The journal trail of submission `part` of this run."""
        [attempt] = [a for a in self.journal.history() if a.part == part]
        return [state for _, state, _ in self.journal.events(attempt.id)]


def run_plan(session: Session, profile: Profile, plan: Plan) -> list[Outcome]:
    """Each submission in turn until one raises or does not end submitted."""
    outcomes: list[Outcome] = []
    for submission in plan.submissions:
        outcomes.append(session.run_submission(profile, submission))
        if outcomes[-1].state != "submitted":
            break
    return outcomes


@pytest.fixture
def fill_run(browser: Browser, replica: Replicas, tmp_path: Path) -> Iterator[Any]:
    opened: list[PtyPerson] = []
    journal = Journal.open(tmp_path / "data")

    def run(
        profile: Profile = LAKESIDE,
        *,
        layout: str = "wizard",
        faults: tuple[str, ...] = (),
        typed: tuple[str, ...] = ("submit",),
        eof: bool = False,
        keep_page: bool = False,
        hang_seconds: float = 20.0,
        submit_timeout_s: float | None = None,
        timeouts: Timeouts = FAST,
    ) -> Run:
        portal = replica(layout, faults, hang_seconds=hang_seconds)
        person = PtyPerson(*typed, eof=eof)
        opened.append(person)
        portal_map = load_portal("fcr" if layout == "wizard" else "fcr-classic")
        options = FillOptions(
            portal=portal_map,
            url=portal.url,
            headless=True,
            data_dir=tmp_path / "data",
            timeouts=timeouts,
            submit_timeout_s=submit_timeout_s,
        )
        run_dir = tmp_path / f"run-{len(opened)}"
        run_dir.mkdir(mode=0o700)
        session = Session(
            browser,
            options,
            person.terminal,
            OutboxCodeSource(portal),
            run_dir=run_dir,
            recorder=JournalRecorder(journal),
        )
        if keep_page:
            session_close = guarded_context.GuardedContext.close
            guarded_context.GuardedContext.close = lambda self: None  # type: ignore[method-assign]
        outcomes: list[Outcome] = []
        error: Exception | None = None
        try:
            outcomes = run_plan(session, profile, build_plan(profile, portal_map, portal.url))
        except Exception as caught:  # the test asserts on it
            error = caught
        finally:
            if keep_page:
                guarded_context.GuardedContext.close = session_close  # type: ignore[method-assign]
        return Run(portal, person, session, outcomes, error, run_dir, journal)

    yield run
    for person in opened:
        person.close()
    journal.close()


def _category_value(layout: str, label: str) -> str:
    return {lab: val for val, lab in category_options(layout, renamed=False)}[label]


def test_wizard_confirmed_sends_exactly_the_profile_in_wizard_format(fill_run: Any) -> None:
    run = fill_run()
    assert run.error is None, run.error
    [record] = run.portal.submissions()
    fields = record["fields"]
    assert fields["enterprise_contact_email"] == "it@lakeside.example.org"
    assert fields["enterprise_company_name"] == "Lakeside Unified School District"
    assert fields["enterprise_company_address_line_1"] == "100 Main St"
    assert fields["enterprise_company_address_line_2"] == "Suite 200"
    assert fields["enterprise_company_address_city"] == "Lakeside"
    assert fields["enterprise_company_address_state"] == "California"
    assert fields["enterprise_company_address_zip"] == "92040"
    assert fields["enterprise_company_url"] == "https://lakeside.example.org"
    assert fields["enterprise_contact_name"] == "Dana Reyes"
    assert fields["enterprise_contact_phone"] == "6195550142"
    assert fields["enterprise_category"] == _category_value("wizard", "Education")
    assert fields["enterprise_calls_per_month"] == "10,001 - 100,000"
    assert fields["enterprise_service_provider"] == "Bandwidth"
    phones = [fields[f"enterprise_phone_{i}"] for i in range(4)]
    assert phones == ["6195550100", "6195550101", "6195550102", "6195550103"]
    assert fields.get("enterprise_phone_4", "") == ""
    assert run.portal.submit_attempts() == 1
    feedback = record["feedback_id"]
    assert run.outcomes == [
        Outcome(1, 1, "submitted", f"Submitted 1 of 1. Feedback ID: {feedback}", feedback)
    ]
    screen = run.person.screen(expect="Feedback ID")
    assert f"Submitted 1 of 1. Feedback ID: {feedback}" in screen
    assert "Submission 1 of 1 (4 numbers) — please review" in screen
    assert run.states() == ["started", "filled", "intent", "submitted"]
    [attempt] = run.journal.history()
    assert attempt.feedback_id == feedback
    assert attempt.screenshots == (str(run.run_dir / "lakeside-usd-closure-alerts-s1-review.png"),)
    sent = {v["field"]: v["sent"] for v in attempt.review_values}
    assert sent["state"] == "California"
    assert sent["company name"] == "Lakeside Unified School District"
    receipt = Path(attempt.receipt_path or "")
    assert receipt.name == f"{feedback}.html"
    assert receipt.stat().st_mode & 0o777 == 0o600
    html = receipt.read_text()
    assert "Lakeside Unified School District" in html
    assert "data:image/png;base64," in html
    assert (
        run.run_dir / "lakeside-usd-closure-alerts-s1-review.png"
    ).stat().st_mode & 0o777 == 0o600


def test_classic_confirmed_sends_the_profile_in_classic_format(fill_run: Any) -> None:
    run = fill_run(layout="classic")
    assert run.error is None, run.error
    [record] = run.portal.submissions()
    fields = record["fields"]
    assert fields["enterprise_company_address_state"] == "CA"
    assert fields["enterprise_category"] == "education"
    assert fields["call_count"] == "12000"
    assert fields["enterprise_contact_phone"] == "6195550142"
    assert fields["enterprise_contact_email"] == "it@lakeside.example.org"
    assert fields["additional_feedback"] == LAKESIDE.calling.notes
    assert [fields[f"enterprise_phone_{i}"] for i in range(4)] == [
        "6195550100",
        "6195550101",
        "6195550102",
        "6195550103",
    ]
    assert [fields[f"enterprise_displayName_{i}"] for i in range(4)] == [
        "LAKESIDE USD",
        "LAKESIDE USD",
        "LAKESIDE NURSE",
        "LAKESIDE USD",
    ]
    assert run.outcomes[0].feedback_id == record["feedback_id"]


def test_45_numbers_are_sent_as_20_20_and_5_each_reviewed(fill_run: Any) -> None:
    run = fill_run(COUNTY, typed=("submit", "submit", "submit"))
    assert run.error is None, run.error
    records = run.portal.submissions()
    sent = [
        [v for k, v in sorted(r["fields"].items()) if k.startswith("enterprise_phone_") and v]
        for r in records
    ]
    assert [len(s) for s in sent] == [20, 20, 5]
    all_sent = sorted(n for group in sent for n in group)
    assert all_sent == sorted(n.national for n in COUNTY.numbers)
    screen = run.person.screen(expect="Feedback ID", times=3)
    for title in ("1 of 3 (20 numbers)", "2 of 3 (20 numbers)", "3 of 3 (5 numbers)"):
        assert f"Submission {title} — please review" in screen
    assert [o.feedback_id for o in run.outcomes] == [r["feedback_id"] for r in records]


@pytest.mark.parametrize(
    ("typed", "eof", "message"),
    [
        (("no",), False, 'You typed "no", not "submit"; nothing was submitted.'),
        (
            (),
            True,
            "Stopped with Ctrl-D (end of input) at the confirmation; nothing was submitted.",
        ),
    ],
)
def test_declined_or_end_of_input_sends_nothing(
    fill_run: Any, typed: tuple[str, ...], eof: bool, message: str
) -> None:
    run = fill_run(typed=typed, eof=eof)
    assert isinstance(run.error, NotConfirmed)
    assert str(run.error) == message
    assert run.portal.submit_attempts() == 0
    assert run.portal.submissions() == []
    assert run.states() == ["started", "filled", "declined"]


@pytest.mark.parametrize("changed", [False, True], ids=["still", "changed-before-the-review"])
def test_the_review_screenshot_is_of_the_page_as_reviewed(
    fill_run: Any, monkeypatch: pytest.MonkeyPatch, changed: bool
) -> None:
    """Each step is photographed as it settles after its writes, once. The review's picture
    (taken as its own step settled) is kept only if the review's read-back finds the page as
    it was; a page that changed before the review was read is photographed again."""
    from assistant.browser import fields, screenshots

    pictures: list[tuple[bool, bytes]] = []
    real_screenshot = screenshots.screenshot

    def screenshot(page: Any, mask: Any = (), *, quick: bool = False) -> bytes:
        pictures.append((quick, real_screenshot(page, mask, quick=quick)))
        return pictures[-1][1]

    monkeypatch.setattr(screenshots, "screenshot", screenshot)
    if changed:
        real_read_back = fields.read_back_counted

        def read_back_counted(page: Any, states: Any) -> Any:
            page.evaluate("document.body.append('A notice the page showed late')")
            return real_read_back(page, states)

        monkeypatch.setattr(fields, "read_back_counted", read_back_counted)
    run = fill_run()
    assert run.error is None, run.error
    steps = sorted(p.name for p in run.run_dir.glob("*.jpg"))
    assert steps == [
        f"lakeside-usd-closure-alerts-s1-0{n}.jpg" for n in ("1-email", "3-business", "4-numbers")
    ]
    reviewed = [True, True, True, False] + ([False] if changed else [])
    assert [quick for quick, _ in pictures] == [*reviewed, False]  # the last: the result page
    review = run.run_dir / "lakeside-usd-closure-alerts-s1-review.png"
    assert review.read_bytes() == pictures[len(reviewed) - 1][1]
    assert sorted(p.name for p in run.run_dir.glob("*.png")) == [
        "lakeside-usd-closure-alerts-s1-result.png",
        review.name,
    ]
    [attempt] = run.journal.history()
    assert attempt.screenshots == (str(review),)


def test_stdin_not_a_terminal_sends_nothing(
    browser: Browser, replica: Replicas, tmp_path: Path
) -> None:
    import io

    from assistant.sitting.terminal import Terminal

    portal = replica()
    with Journal.open(tmp_path / "data") as journal:
        out = io.StringIO()
        portal_map = load_portal("fcr")
        options = FillOptions(portal=portal_map, url=portal.url, timeouts=FAST)
        session = Session(
            browser,
            options,
            Terminal(io.StringIO("submit\n"), out),
            OutboxCodeSource(portal),
            run_dir=tmp_path,
            recorder=JournalRecorder(journal),
        )
        with pytest.raises(NotConfirmed, match=r"^Input is not a terminal"):
            run_plan(session, LAKESIDE, build_plan(LAKESIDE, portal_map, portal.url))
        assert portal.submit_attempts() == 0
        assert "please review" in out.getvalue()


def test_masked_phone_is_typed_key_by_key_and_compared_by_digits(fill_run: Any) -> None:
    run = fill_run(faults=("masked-phone",))
    assert run.error is None, run.error
    [record] = run.portal.submissions()
    assert record["fields"]["enterprise_contact_phone"] == "619-555-0142"
    review = [line for line in run.screen.splitlines() if "contact phone" in line]
    assert "619-555-0142" in review[0]
    assert "✓" in review[0]


def test_a_form_that_resets_once_is_filled_again(fill_run: Any) -> None:
    run = fill_run(faults=("rerender",))
    assert run.error is None, run.error
    [record] = run.portal.submissions()
    assert record["fields"]["enterprise_company_name"] == "Lakeside Unified School District"
    assert record["fields"]["enterprise_calls_per_month"] == "10,001 - 100,000"


def test_a_form_that_resets_twice_stops_with_a_diff(fill_run: Any) -> None:
    run = fill_run(faults=("rerender-twice",))
    assert isinstance(run.error, ReadBackMismatch)
    message = str(run.error)
    assert message.startswith(
        "business step: the form reset itself a second time; stopped before the review. "
        "Differences: company name: wanted 'Lakeside Unified School District', page shows ''"
    )
    assert "please review" not in run.screen
    assert run.portal.submit_attempts() == 0


def _business_values(run: Run) -> list[str]:
    assert run.session.last_guard is not None
    page = run.session.last_guard.page
    values = [
        page.locator(f'[id="{i}"]').first.input_value()
        for i in ("enterprise_company_name", "enterprise_contact_name", "enterprise_company_url")
    ]
    run.session.last_guard.close()
    return values


def test_a_missing_field_stops_before_anything_is_typed_in_its_step(fill_run: Any) -> None:
    run = fill_run(faults=("missing-field",), keep_page=True, timeouts=SHORT_WAIT)
    assert isinstance(run.error, ElementMissing)
    assert str(run.error) == (
        'business step: field "city" (#enterprise_company_address_city): not found on the '
        "page; to repair the map, run `assistant learn --portal fcr --url "
        f"{run.portal.url} --profile PROFILE`"
    )
    assert _business_values(run) == ["", "", ""]
    assert run.portal.submit_attempts() == 0


def test_a_doubled_field_stops_naming_it(fill_run: Any) -> None:
    run = fill_run(faults=("duplicate-field",), keep_page=True)
    assert str(run.error) == (
        'business step: field "company name" (#enterprise_company_name): found 2 times; '
        "the map cannot tell which one to fill; to repair the map, run `assistant learn "
        f"--portal fcr --url {run.portal.url} --profile PROFILE`"
    )
    assert _business_values(run) == ["", "", ""]


def test_a_renamed_option_stops_listing_the_options_found(fill_run: Any) -> None:
    run = fill_run(faults=("renamed-option",), keep_page=True)
    assert isinstance(run.error, PortalMismatch)
    assert str(run.error).startswith(
        'business step: field "category" (#enterprise_category): no option matches '
        '"Education"; options found: Attorney / Law, Collections, Schools / Education, '
    )
    assert _business_values(run) == ["", "", ""]


def test_an_unknown_category_stops_the_classic_form_before_typing(fill_run: Any) -> None:
    profile = LAKESIDE.model_copy(
        update={"calling": LAKESIDE.calling.model_copy(update={"category": "Basket weaving"})}
    )
    run = fill_run(profile, layout="classic", keep_page=True)
    assert str(run.error).startswith(
        'form step: field "category" (#enterprise_category): no option matches '
        '"Basket weaving"; options found: Attorney / Law, '
    )
    assert _business_values(run) == ["", "", ""]
    assert run.portal.outbox() == []  # the code was never even sent


def test_requests_to_other_hosts_and_popups_are_blocked(fill_run: Any) -> None:
    run = fill_run(faults=("offsite-request",))
    assert run.error is None, run.error
    assert run.session.last_guard is not None
    assert "127.0.0.2" in run.session.last_guard.blocked_hosts
    assert len(run.portal.submissions()) == 1


def test_a_hanging_submit_is_clicked_once_and_reported_unknown(fill_run: Any) -> None:
    run = fill_run(faults=("submit-hang",), hang_seconds=8, submit_timeout_s=2)
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


def test_a_submit_answered_500_is_failed_and_not_resent(fill_run: Any) -> None:
    run = fill_run(faults=("submit-500",))
    assert run.portal.submit_attempts() == 1
    assert run.outcomes[0].state == "failed"
    assert run.outcomes[0].message == (
        "Failed: the portal said 'An unexpected error occurred and your registration was not "
        "saved.' (HTTP 500); the submission was not resent."
    )


@pytest.mark.parametrize("fault", ["503-twice", "first-load-fails"])
def test_transient_page_load_failures_are_retried(fill_run: Any, fault: str) -> None:
    run = fill_run(faults=(fault,))
    assert run.error is None, run.error
    assert len(run.portal.submissions()) == 1
    loads = [p for m, p in run.portal.requests() if m == "GET" and p == "/fcr/"]
    assert len(loads) == (3 if fault == "503-twice" else 2)


@pytest.mark.parametrize("layout", ["wizard", "classic"])
def test_a_code_the_portal_failed_to_send_is_asked_for_again(
    fill_run: Any, layout: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="assistant")
    run = fill_run(layout=layout, faults=("send-code-503",))
    assert run.error is None, run.error
    sends = [p for m, p in run.portal.requests() if m == "POST" and p == "/fcr/api/send-code"]
    assert len(sends) == 2  # the 503, then the one that mailed the code
    assert len(run.portal.outbox()) == 1
    assert len(run.portal.submissions()) == 1
    [retry] = [r.getMessage() for r in caplog.records if "clicking again" in r.getMessage()]
    # (caplog holds the record as the first handler left it: masked when the assistant's own
    # redacting handler ran before it; the run's own log always masks the address, see
    # test_failures_portal's test of the contact email forced into a log line)
    assert re.search(
        r" did not work: the page says 'We could not send the code to "
        r"(\[masked\]|it@lakeside\.example\.org) right now\. Please try again\.'; clicking "
        r"again \(2 of 3\)\.$",
        retry,
    )


def test_the_guard_blocks_submits_before_confirmation(fill_run: Any) -> None:
    run = fill_run(typed=("no",), keep_page=True)
    assert isinstance(run.error, NotConfirmed)
    guard = run.session.last_guard
    assert guard is not None
    page = guard.page
    # At the review, with the terms ticked: a page script posts, then a stray Enter key.
    with page.expect_event("requestfailed"):
        page.evaluate("fetch('/fcr/submit', {method: 'POST', body: 'x=1'}).catch(() => null)")
    with page.expect_event("requestfailed"):
        page.locator("#enableCheckbox").press("Enter")
    guard.close()
    assert run.portal.submit_attempts() == 0
    assert run.portal.submissions() == []
    origin = run.portal.origin.removeprefix("http://")
    assert guard.blocked_writes == [f"POST {origin}/fcr/submit"] * 2


def test_the_guard_blocks_a_script_submitting_the_form(browser: Browser, replica: Replicas) -> None:
    portal = replica()
    # A map that names its submit request: blocked by name too (and counted as such).
    guard = guarded_context.GuardedContext(
        browser, ["127.0.0.1"], guarded_context.SubmitRule("POST", "**/fcr/submit")
    )
    try:
        guard.page.goto(portal.url)
        guard.page.locator("#registration-form").wait_for(state="attached")
        with guard.page.expect_event("requestfailed"):
            guard.page.evaluate("document.getElementById('registration-form').submit()")
    finally:
        guard.close()
    assert portal.submit_attempts() == 0
    assert guard.blocked_writes == [f"POST {portal.origin.removeprefix('http://')}/fcr/submit"]
    assert guard.guard.violation == (
        "the page tried to send a POST request to /fcr/submit by itself, with no button "
        f"pressed: the portal has changed; nothing was sent. {REPAIR}."
    )
