"""One run of `assistant fill`: every submission of a plan, filled, reviewed, confirmed, sent.

For each submission: a fresh, fenced browser context (`browser.GuardedContext`); the start page
loaded with bounded retries; each step waited for, checked, filled and read back
(`assistant.fill`), with a screenshot into the run's private folder; the code asked through a
`CodeSource`; the review shown and the confirmation read from the terminal
(`assistant.gates`); then the intent recorded durably, exactly one submit click, and its outcome
recorded. A submission that is declined, fails or ends unknown stops the run: the next one is
not started.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assistant import browser, fill, gates, log
from assistant.errors import NotConfirmed, PortalError, ReadBackMismatch
from assistant.paths import data_dir, private_dir, write_private
from assistant.plan import Plan, SubmissionPlan
from assistant.portals.formats import Option
from assistant.portals.model import (
    ClickAction,
    CodeGate,
    PortalMap,
    ReviewGate,
    SubmitAction,
    Success,
)
from assistant.profiles.model import Profile
from assistant.recorder import JsonRecorder, Recorder, SubmissionRecord

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

logger = log.get_logger(__name__)

MAX_CODE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class FillOptions:
    """How to run: which map, where the portal is, how long to wait."""

    portal: PortalMap
    url: str | None = None  # another start URL (e.g. the replica); its host is then the only one
    headless: bool = True
    data_dir: Path | None = None
    timeouts: fill.Timeouts = field(default_factory=fill.Timeouts)
    submit_timeout_s: float | None = None  # default: the map's success.timeout_s
    load_attempts: int = browser.DEFAULT_LOAD_ATTEMPTS

    @property
    def start_url(self) -> str:
        """Where the browser starts."""
        return self.url or self.portal.start_url

    @property
    def allowed_hosts(self) -> list[str]:
        """The hosts the browser may talk to: the `--url`'s host, else the map's."""
        if self.url:
            from urllib.parse import urlsplit

            return [urlsplit(self.url).hostname or ""]
        return list(self.portal.allowed_hosts)


@dataclass(frozen=True, slots=True)
class Source:
    """Where the profile came from (for the records)."""

    path: str = ""
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one submission ended."""

    index: int
    count: int
    state: Literal["submitted", "failed", "unknown"]
    message: str
    feedback_id: str | None = None


def new_run_dir(label: str, override: Path | None = None) -> Path:
    """A fresh private folder `data_dir()/runs/<UTC stamp>-<label slug>/` (0700)."""
    runs = private_dir(data_dir(override) / "runs")
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "run"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = runs / f"{stamp}-{slug}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = runs / f"{stamp}-{slug}-{suffix}"
    return private_dir(path)


class Session:
    """Runs the submissions of one plan in one browser; see the module docstring."""

    def __init__(
        self,
        launched: Browser,
        options: FillOptions,
        terminal: gates.Terminal,
        code_source: gates.CodeSource,
        *,
        run_dir: Path,
        recorder: Recorder | None = None,
        source: Source = Source(),
    ) -> None:
        self.browser = launched
        self.options = options
        self.terminal = terminal
        self.code_source = code_source
        self.run_dir = run_dir
        self.recorder: Recorder = recorder or JsonRecorder(run_dir)
        self.source = source
        self.last_guard: browser.GuardedContext | None = None

    def run(self, profile: Profile, plan: Plan) -> list[Outcome]:
        """Fill, review and (when confirmed) submit each submission in turn.

        Raises `NotConfirmed`, `PortalMismatch`, `ReadBackMismatch` or `PortalError` as soon as
        a submission cannot go on; returns the outcomes of the submissions clicked.
        """
        log.register_secret(profile.contact.email, profile.contact.phone)
        outcomes: list[Outcome] = []
        for submission in plan.submissions:
            outcome = self.run_submission(profile, submission)
            outcomes.append(outcome)
            if outcome.state != "submitted":
                break
        return outcomes

    def _record(self, submission: SubmissionPlan) -> SubmissionRecord:
        return SubmissionRecord(
            label=submission.label,
            profile_path=self.source.path,
            profile_sha256=self.source.sha256,
            portal=submission.portal,
            index=submission.index,
            count=submission.count,
            numbers=submission.numbers,
            run_dir=str(self.run_dir),
        )

    def _shot(self, page: Page, name: str) -> Path:
        return write_private(self.run_dir / f"{name}.png", browser.screenshot(page))

    def run_submission(self, profile: Profile, submission: SubmissionPlan) -> Outcome:
        """One submission from a fresh context to its outcome (see `run`)."""
        portal = self.options.portal
        record = self._record(submission)
        self.recorder.check(record)
        rule = browser.SubmitRule(
            portal.submit_action().request.method, portal.submit_action().request.url
        )
        guard = browser.GuardedContext(self.browser, self.options.allowed_hosts, rule)
        self.last_guard = guard
        page = guard.page
        timeouts = self.options.timeouts
        prefix = f"s{submission.index}"
        try:
            self.terminal.say(f"{submission.title}: opening {self.options.start_url}")
            browser.load_page(page, self.options.start_url, attempts=self.options.load_attempts)
            chosen: dict[str, dict[str, Option]] = {}
            for number, step in enumerate(submission.steps, start=1):
                fill.wait_for_step(page, step, portal.ready, timeouts)
                if step.fields():
                    chosen[step.name], _ = fill.fill_step(page, step, portal.ready, timeouts)
                    self._shot(page, f"{prefix}-{number:02d}-{step.name}")
                for action in step.actions:
                    if isinstance(action, ClickAction):
                        fill.click(page, step.name, action, timeouts)
                    elif isinstance(action, CodeGate):
                        self._code_gate(page, step.name, action, profile.contact.email)
                    elif isinstance(action, ReviewGate):
                        self._review(page, submission, chosen, record, prefix)
                    elif isinstance(action, SubmitAction):
                        return self._submit(page, guard, action, record, prefix)
            raise PortalError("the portal map ended without a submit action")  # pragma: no cover
        finally:
            guard.close()

    def _code_gate(self, page: Page, step: str, gate: CodeGate, email: str) -> None:
        problem = ""
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            request = gates.CodeRequest(
                email=email,
                digits=gate.digits,
                attempt=attempt,
                problem=problem,
                browser_visible=not self.options.headless,
            )
            code = self.code_source.code(request)
            if code:
                log.register_secret(code)
            result = fill.enter_code(page, step, gate, code, self.options.timeouts)
            if result.accepted:
                if gate.confirm is not None:
                    self.terminal.say("The portal accepted the code.")
                return
            problem = result.message
        raise PortalError(
            f"The portal refused the code {MAX_CODE_ATTEMPTS} times ({problem}); "
            "nothing was submitted."
        )

    def _review(
        self,
        page: Page,
        submission: SubmissionPlan,
        chosen: dict[str, dict[str, Option]],
        record: SubmissionRecord,
        prefix: str,
    ) -> None:
        values: list[fill.ReadBack] = []
        for step in submission.steps:
            if step.fields():
                values.extend(fill.read_back(page, step, chosen.get(step.name, {})))
        shot = self._shot(page, f"{prefix}-review")
        review = gates.Review(
            title=submission.title,
            portal=submission.portal,
            values=tuple(values),
            screenshot=shot,
        )
        self.recorder.filled(record)
        gates.render_review(review, self.terminal)
        if review.differences:
            names = ", ".join(v.field for v in review.differences)
            reason = f"the page no longer holds what was filled ({names}); nothing was submitted"
            self.recorder.declined(record, reason)
            raise ReadBackMismatch(f"{submission.title}: {reason}.")
        try:
            gates.confirm_submit(self.terminal, review)
        except NotConfirmed as error:
            self.recorder.declined(record, str(error))
            raise

    def _submit(
        self,
        page: Page,
        guard: browser.GuardedContext,
        action: SubmitAction,
        record: SubmissionRecord,
        prefix: str,
    ) -> Outcome:
        success = self.options.portal.success
        timeout_s = self.options.submit_timeout_s or success.timeout_s
        index, count = record.index, record.count
        error_cls, timeout_cls = browser.playwright_errors()
        # Durable BEFORE the click: a crash after this line leaves an intent, never silence.
        self.recorder.intent(record)
        guard.open_submit_once()
        try:
            with page.expect_response(
                lambda r: guard.submit.matches(r.request.method, r.url), timeout=timeout_s * 1000
            ) as answer:
                fill.locate(page, action.submit).click(timeout=self.options.timeouts.action_ms)
            response = answer.value
        except error_cls as error:
            reason = (
                f"no answer to the submit within {timeout_s:g} s"
                if isinstance(error, timeout_cls)
                else f"the submit click failed ({str(error).splitlines()[0]})"
            )
            self.recorder.unknown(record, reason)
            message = f"Outcome unknown: {reason}. Check the portal or the email; do not resend."
            self.terminal.say(message)
            return Outcome(index, count, "unknown", message)
        finally:
            guard.close_submit()
        if response.status >= 500:
            reason = f"the portal answered HTTP {response.status}"
            self.recorder.failed(record, reason)
            message = f"Failed: {reason}; the submission was not resent. Try again later."
            self.terminal.say(message)
            return Outcome(index, count, "failed", message)
        feedback_id = read_feedback_id(page, success, self.options.timeouts)
        self._try_shot(page, f"{prefix}-result")
        if feedback_id:
            self.recorder.submitted(record, feedback_id)
            message = f"Submitted {index} of {count}. Feedback ID: {feedback_id}"
            self.terminal.say(message)
            return Outcome(index, count, "submitted", message, feedback_id)
        reason = f"the portal answered HTTP {response.status} but showed no Feedback ID"
        if response.status >= 400:
            self.recorder.failed(record, reason)
            message = f"Failed: {reason}; the submission was not resent."
            self.terminal.say(message)
            return Outcome(index, count, "failed", message)
        self.recorder.unknown(record, reason)
        message = f"Outcome unknown: {reason}. Check the portal or the email; do not resend."
        self.terminal.say(message)
        return Outcome(index, count, "unknown", message)

    def _try_shot(self, page: Page, name: str) -> None:
        error_cls, _ = browser.playwright_errors()
        try:
            self._shot(page, name)
        except error_cls:
            logger.info("No screenshot of the result page could be taken.")


def read_feedback_id(page: Page, success: Success, timeouts: fill.Timeouts) -> str | None:
    """The Feedback ID shown after the submit: `.feedback-id` first, then the page's text."""
    error_cls, _ = browser.playwright_errors()
    pattern = re.compile(success.feedback_pattern)
    try:
        page.wait_for_load_state("domcontentloaded", timeout=timeouts.step_ms)
        element = page.locator(success.feedback_selector).first
        element.wait_for(state="attached", timeout=min(timeouts.step_ms, 5_000))
        match = pattern.search(element.inner_text())
        if match:
            return match.group(0)
    except error_cls:
        pass
    try:
        match = pattern.search(page.inner_text("body"))
    except error_cls:
        return None
    return match.group(0) if match else None
