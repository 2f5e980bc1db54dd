"""One submission, from the duplicate guard to its recorded outcome (`Session`).

For each submission: the duplicate guard (`Recorder.check`); a fresh, fenced browser context
(`guarded_context.GuardedContext`); the start page loaded with bounded retries; each step waited
for, checked, filled and read back (`assistant.browser.fields`), with a screenshot into the run's
private folder; the code asked through a `CodeSource`; the review shown and the confirmation read
from the terminal (`assistant.sitting.gates`); then the intent (with what was reviewed) recorded
durably, exactly one submit click, and its outcome recorded. Running submissions one after the other
is `assistant.sitting.batch`'s job.

A journal row is opened (`started`) as soon as the guard lets a submission through, before
the browser opens for it, and is always closed before `run_submission` returns or raises:
failed (with the reason) or declined before the intent; submitted, failed or unknown after it.
A stop asked for (Ctrl-C, through `stop_requested`) is honoured between actions, and after the
intent it means no click: the submission is recorded failed ("nothing was sent").
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assistant import hosts, log
from assistant.browser import (
    clicks,
    code_entry,
    contact,
    driver,
    fields,
    guarded_context,
    loading,
    locate,
    outcome,
    preflight,
    screenshots,
    step_state,
)
from assistant.browser.request_guard import Released
from assistant.errors import (
    AssistantError,
    ChangedAfterReview,
    DataFolderError,
    JournalWriteFailed,
    NotConfirmed,
    OutcomeNotRecorded,
    PortalError,
    ReadBackMismatch,
    RequestRefused,
    Stopped,
)
from assistant.paths import data_dir, private_dir, write_private
from assistant.portals.model import (
    ClickAction,
    CodeGate,
    PortalMap,
    ReviewGate,
    SubmitAction,
)
from assistant.portals.plan import SubmissionPlan
from assistant.portals.repairs import pointing_to_repair, review_notes
from assistant.profiles.model import Profile
from assistant.records import runfiles
from assistant.records.journal.models import Destination
from assistant.records.recorder import Recorder, Reviewed, SubmissionRecord
from assistant.records.runfiles import fresh
from assistant.sitting import gates
from assistant.sitting.code_sources import CodeRequest, CodeSource
from assistant.sitting.reviewed import (
    Confirmations,
    caller_names_note,
    declared_requests,
    expected_in_request,
    fingerprint,
    fold,
    foldable,
    review_changes,
    sent_as,
    submit_rule,
)
from assistant.sitting.terminal import Terminal
from assistant.testhooks import crashpoint

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

logger = log.get_logger(__name__)

MAX_CODE_ATTEMPTS = 5


class Interrupted(Stopped):
    """The person pressed Ctrl-C: the submission stopped between two actions, nothing sent."""


def _never() -> bool:
    return False


def stopped_by_ctrl_c() -> str:
    """Why a submission stopped between two actions, by default (`Session.stop_reason`)."""
    return "stopped by Ctrl-C; nothing was submitted"


@dataclass(eq=False)
class Prepared:
    """A submission filled up to its review (`Session.prepare`): its fenced browser context
    open, its journal row started and waiting for an outcome (`open`)."""

    profile: Profile
    submission: SubmissionPlan
    record: SubmissionRecord
    notes: list[str]  # said under the review (e.g. "RESUBMITTING: …")
    prefix: str  # of its files' names (`runfiles`)
    guard: guarded_context.GuardedContext
    submit: SubmitAction  # the map's one submit action, right after the review gate
    states: list[step_state.StepState] = field(default_factory=list)
    values: list[step_state.ReadBack] | None = None  # read back ahead of the review, if it was
    screenshot: Path | None = None  # of the review, taken with `values`
    shot: step_state.Shot | None = (
        None  # of the review, taken as its step was filled (not yet saved)
    )
    open: bool = True  # its row has no outcome yet
    closed: bool = False  # its context is closed


@dataclass(frozen=True, slots=True)
class FillOptions:
    """How to run: which map, where the portal is, how long to wait."""

    portal: PortalMap
    url: str | None = None  # another start URL (e.g. the replica); its host is then the only one
    headless: bool = True
    data_dir: Path | None = None
    timeouts: step_state.Timeouts = field(default_factory=step_state.Timeouts)
    submit_timeout_s: float | None = None  # default: the map's success.timeout_s
    load_attempts: int = loading.DEFAULT_LOAD_ATTEMPTS
    trace: bool = False  # --trace: a Playwright trace per submission, in the run folder (0600)
    mask_contact: bool = False  # --mask-contact: black out email, phone and code in screenshots

    @property
    def start_url(self) -> str:
        """Where the browser starts."""
        return self.url or self.portal.start_url

    @property
    def destination(self) -> Destination:
        """The ledger this run's submissions are filed in (`Destination`): the host driven, in
        its one form, and the registry it belongs to. A known registry's host is real whichever
        map drives it (a copy of the FCR map, or `--url https://www.freecallerregistry.com./fcr/`
        files under fcr); any other host is filed under the map's registry, real only when it is
        the map's own host (not a `--url` elsewhere, e.g. the replica)."""
        host = hosts.host_of(self.start_url)
        known = hosts.registry_of(host)
        if known is not None:
            return Destination(known, host, real=True)
        return Destination(self.portal.registry, host, real=host == self.portal.real_host)

    @property
    def allowed_hosts(self) -> list[str]:
        """The hosts the browser may talk to: the `--url`'s, else the map's, each as a request
        may spell it (`hosts.allow_list`: a `--url` written with a trailing dot still reaches
        its host, a Unicode name is asked for in its xn-- form)."""
        return hosts.allow_list(self.url, self.portal.allowed_hosts)


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
    private_dir(path)
    log.attach_run_log(path)  # the run's own redacted debug log, run.log (0600)
    return path


class Session:
    """Runs submissions in one browser, one at a time; see the module docstring."""

    def __init__(
        self,
        launched: Browser,
        options: FillOptions,
        terminal: Terminal,
        code_source: CodeSource,
        *,
        run_dir: Path,
        recorder: Recorder,
        source: Source = Source(),
        stop_requested: Callable[[], bool] = _never,
        stop_reason: Callable[[], str] = stopped_by_ctrl_c,
        confirmations: Confirmations | None = None,
    ) -> None:
        self.browser = launched
        self.options = options
        self.terminal = terminal
        self.code_source = code_source
        self.run_dir = run_dir
        self.recorder = recorder
        self.source = source
        # Asked between two actions; true means stop there, for `stop_reason()`.
        self.stop_requested = stop_requested
        self.stop_reason = stop_reason
        # What the person confirmed in this sitting (a batch shares one among its sessions):
        # a later review of the same profile shows what is new (`gates.Review.fold`).
        self.confirmations = confirmations if confirmations is not None else Confirmations()
        self.last_guard: guarded_context.GuardedContext | None = None
        self._contact: tuple[str, ...] = ()  # masked in screenshots under --mask-contact

    def _record(self, submission: SubmissionPlan) -> SubmissionRecord:
        where = self.options.destination
        return SubmissionRecord(
            label=submission.label,
            profile_path=self.source.path,
            profile_sha256=self.source.sha256,
            portal=submission.portal,
            index=submission.index,
            count=submission.count,
            numbers=submission.numbers,
            run_dir=str(self.run_dir),
            registry=where.registry,
            host=where.host,
            real_portal=where.real,
        )

    def _shot(self, page: Page, name: str, *, quick: bool = False) -> Path:
        return self._save(name, self._capture(page, quick=quick), quick=quick)

    def _capture(self, page: Page, *, quick: bool = False) -> bytes:
        mask = (
            contact.contact_locators(page, self.options.portal, self._contact)
            if self.options.mask_contact
            else []
        )
        return screenshots.screenshot(page, mask, quick=quick)

    def _save(self, name: str, shot: bytes, *, quick: bool = False) -> Path:
        # A fresh name: a file of this run is never written over (see `assistant.records.runfiles`).
        return write_private(fresh(self.run_dir / f"{name}.{'jpg' if quick else 'png'}"), shot)

    def _early_capture(self, page: Page, *, quick: bool) -> Callable[[], bytes] | None:
        """What `fields.fill_step` photographs its step with while the page settles; None under
        --mask-contact (the masks are painted into the page, which a picture taken early could
        then never match)."""
        if self.options.mask_contact:
            return None
        return lambda: self._capture(page, quick=quick)

    def _review_shot(
        self, page: Page, prepared: Prepared, values: list[step_state.ReadBack], changes: int
    ) -> Path:
        """The review's screenshot, for the page read back as `values` (with `changes`): the
        one taken as the review step was filled if the page is still what it shows, else a new
        one."""
        early, prepared.shot = prepared.shot, None
        name = f"{prepared.prefix}-review"
        if early is not None and early.shows(values, changes):
            return self._save(name, early.image)
        return self._shot(page, name)

    def _trace_name(self, prefix: str) -> str:
        """`<prefix>-trace.zip`; for a practice run `<prefix>-PRACTICE-<host>-trace.zip`
        (`127.0.0.1-8765`): a trace of a practice run is never taken for a real one."""
        practice = self.options.destination.practice
        if not practice:
            return f"{prefix}-trace.zip"
        host = re.sub(r"[^A-Za-z0-9.-]+", "-", practice).strip("-")
        return f"{prefix}-PRACTICE-{host}-trace.zip"

    def _profile_key(self, submission: SubmissionPlan) -> tuple[str, str]:
        """Which profile a submission is of, for `confirmations`: its file and label, at this
        registry (a batch over several registries folds each registry's reviews apart: their
        pages differ, and "as in submission 1" must name one the person read on this form)."""
        return (f"{self.source.path} at {self.options.portal.registry}", submission.label)

    def _checkpoint(self, guard: guarded_context.GuardedContext | None = None) -> None:
        if self.stop_requested():
            reason = self.stop_reason()
            raise Interrupted(f"{reason[:1].upper()}{reason[1:]}.")
        if guard is not None:
            guard.raise_if_refused()  # the page tried to send what the map does not declare

    def run_submission(self, profile: Profile, submission: SubmissionPlan) -> Outcome:
        """One submission from the guard to its outcome: `prepare`, `show_review`, `ask`,
        `finish`, one after the other.

        Returns the outcome of the click (submitted, failed, unknown). Raises
        `DuplicateSubmission` before opening anything when the guard blocks its numbers (no
        row then); `NotConfirmed` (`Interrupted` for Ctrl-C), `PortalMismatch`,
        `ReadBackMismatch`, `PortalError` or `ConcurrentSubmission` when it stops before the
        click, with its journal row closed.
        """
        prepared = self.prepare(profile, submission)
        review = self.show_review(prepared)
        return self.finish(prepared, review, self.ask(review))

    def prepare(
        self, profile: Profile, submission: SubmissionPlan, *, read_back: bool = False
    ) -> Prepared:
        """The guard, the journal row (`started`), a fresh fenced context, and every step up
        to the review gate: the code asked, verified, the form filled and checked. With
        `read_back`, the review's values are read and its screenshot taken now too (for a
        submission prepared while the person reviews another).

        On any failure the context is closed and the row recorded failed, with the reason."""
        log.register_secret(profile.contact.email, profile.contact.phone)
        self._contact = (profile.contact.email, profile.contact.phone)
        record = self._record(submission)
        notes = self.recorder.check(record)
        self.recorder.started(record)  # every attempt past the guard leaves a row
        try:
            # A missing element's message ends with the command that repairs the map.
            with pointing_to_repair(self.options.portal, self.options.url, self.source.path):
                return self._prepare(profile, submission, record, notes, read_back)
        except BaseException as error:
            self.recorder.failed(record, _reason(error))
            raise

    def _prepare(
        self,
        profile: Profile,
        submission: SubmissionPlan,
        record: SubmissionRecord,
        notes: list[str],
        read_back: bool,
    ) -> Prepared:
        portal = self.options.portal
        self._checkpoint()
        # Every file of the submission is named by profile and submission (`runfiles`).
        prefix = runfiles.prefix(
            self.run_dir, submission.label, submission.index, submission.numbers[0]
        )
        trace = fresh(self.run_dir / self._trace_name(prefix)) if self.options.trace else None
        guard = guarded_context.GuardedContext(
            self.browser,
            self.options.allowed_hosts,
            submit_rule(portal),
            allowed=declared_requests(portal),
            trace=trace,
            fingerprint=fingerprint(profile, submission),
        )
        self.last_guard = guard
        page = guard.page
        timeouts = self.options.timeouts
        known = locate.map_targets(portal)
        prepared = Prepared(
            profile, submission, record, notes, prefix, guard, portal.submit_action()
        )
        try:
            self.terminal.say(f"{submission.title}: opening {self.options.start_url}")
            loading.load_page(page, self.options.start_url, attempts=self.options.load_attempts)
            for number, step in enumerate(submission.steps, start=1):
                self._checkpoint(guard)
                if not step.fields():
                    preflight.wait_for_step(page, step, timeouts, guard)
                else:
                    review = any(isinstance(a, ReviewGate) for a in step.actions)
                    # Photographed while the page settles after the writes (see `fill_step`);
                    # the review's picture (a PNG) shows every step's values.
                    state, _ = fields.fill_step(
                        page,
                        step,
                        timeouts,
                        guard=guard,
                        known=known,
                        capture=self._early_capture(page, quick=not review),
                        shown=list(prepared.states) if review else [],
                    )
                    prepared.states.append(state)
                    early, state.shot = state.shot, None
                    if review:
                        prepared.shot = early  # kept for the review, once read back
                    elif early is not None:
                        self._save(f"{prefix}-{number:02d}-{step.name}", early.image, quick=True)
                    else:
                        # The whole page as a JPEG (cheaper than a PNG): every row of a long
                        # step is in it. The review's shot (a PNG) stands for its own step.
                        self._shot(page, f"{prefix}-{number:02d}-{step.name}", quick=True)
                    crashpoint("filling")
                for action in step.actions:
                    self._checkpoint(guard)
                    if isinstance(action, ClickAction):
                        clicks.click(page, step.name, action, timeouts, guard)
                    elif isinstance(action, CodeGate):
                        self._code_gate(page, guard, step.name, action, profile.contact.email)
                    elif isinstance(action, ReviewGate):
                        # The map puts the submit right after it (checked when it is loaded).
                        if read_back:
                            values, changes = fields.read_back_counted(page, prepared.states)
                            prepared.values = values
                            prepared.screenshot = self._review_shot(page, prepared, values, changes)
                        return prepared
            raise PortalError("the portal map ended without a review gate")  # pragma: no cover
        except BaseException:
            self._close(prepared)
            raise

    def show_review(self, prepared: Prepared) -> gates.Review:
        """The review, from what the page holds now, shown at the terminal; the row is then
        `filled`. `ReadBackMismatch` (row failed, context closed) when the page differs from
        the profile: nothing to confirm then."""
        with self._closing(prepared):
            page = prepared.guard.page
            submission = prepared.submission
            # What the page did while it waited (prepared ahead, during another's review) is
            # decided now: a page that tried to send what it may not is never reviewed.
            prepared.guard.drain()
            prepared.guard.raise_if_refused()
            # Read from the page now, not kept from the filling: what will be sent is what it
            # holds. A review prepared earlier keeps its screenshot while the page is unchanged.
            values, changes = fields.read_back_counted(page, prepared.states)
            shot = prepared.screenshot
            if shot is None or values != prepared.values:
                shot = self._review_shot(page, prepared, values, changes)
            earlier = self.confirmations.first(self._profile_key(submission))
            review = gates.Review(
                title=submission.title,
                portal=submission.portal,
                values=tuple(values),
                screenshot=shot,
                label=submission.label,
                notes=(*anchor_notes(prepared.states), *review_notes(self.options.portal)),
                destination=self.options.destination,
                fold=fold(values, earlier, foldable(submission)),
                caller_names=caller_names_note(prepared.profile, submission, values),
            )
            self.recorder.filled(prepared.record)
            gates.render_review(review, self.terminal)
            for note in prepared.notes:  # e.g. "RESUBMITTING: …": a resubmission is never silent
                self.terminal.say(note)
            crashpoint("review")
            if review.differences:
                names = ", ".join(v.field for v in review.differences)
                reason = (
                    f"the page no longer holds what was filled ({names}); nothing was submitted"
                )
                self.recorder.failed(prepared.record, reason)
                prepared.open = False
                raise ReadBackMismatch(f"{submission.title}: {reason}.")
            return review

    def ask(
        self, review: gates.Review, cancel: threading.Event | None = None
    ) -> BaseException | None:
        """The person's answer to the review: None for `submit`, else why not (`NotConfirmed`,
        `Stopped` for Ctrl-C or Ctrl-D, or the error the question itself failed with, e.g. a
        terminal gone). Safe in a thread of its own given `cancel`, which then stands for
        Ctrl-C."""
        try:
            gates.confirm_submit(self.terminal, review, cancel=cancel)
        except BaseException as error:  # `finish` closes the row and the context, then raises
            return error
        return None

    def finish(
        self, prepared: Prepared, review: gates.Review, answer: BaseException | None
    ) -> Outcome:
        """After the person's `answer` to `review`: for `submit` (None), the intent recorded
        and exactly one click, then its outcome; otherwise the row declined (or failed) and
        the answer raised. The context is closed either way."""
        with self._closing(prepared, close=True):
            if answer is not None:
                answer = self._with_what_the_page_tried(prepared, answer)
            if isinstance(answer, NotConfirmed):
                self.recorder.declined(prepared.record, str(answer))
                prepared.open = False
                raise answer
            if answer is not None:  # the question itself failed (the terminal went away)
                raise answer
            self.confirmations.confirm(
                self._profile_key(prepared.submission), prepared.submission.index, review.values
            )
            crashpoint("confirmed")
            reviewed = Reviewed(
                values=tuple(
                    {"step": v.step, "field": v.field, "profile": v.profile, "sent": v.shown}
                    for v in review.values
                ),
                screenshots=(str(review.screenshot),),
            )
            return self._submit(prepared, review, reviewed)

    def _with_what_the_page_tried(self, prepared: Prepared, answer: BaseException) -> BaseException:
        """`answer` (not `submit`), saying what the page tried meanwhile, if it tried anything
        the guard refused or reached for a channel that is switched off: the run's words must
        match what happened."""
        guard = prepared.guard
        with suppress(Exception):
            guard.drain()
        notes = [f"{what}; it was refused, nothing was sent" for what in guard.guard.tried]
        notes += [
            f"the page tried to open {channel}, which the assistant switches off; nothing went "
            "out that way"
            for channel in guard.channels_tried
        ]
        if not notes or not isinstance(answer, NotConfirmed):
            return answer
        said = str(answer).rstrip(".")
        told = ". ".join(f"{n[:1].upper()}{n[1:]}" for n in notes)
        return type(answer)(f"{said}. Meanwhile {told[:1].lower()}{told[1:]}.")

    def abandon(self, prepared: Prepared, reason: str) -> None:
        """A prepared submission that will not be reviewed: its row failed with `reason`
        (nothing was sent), its context closed."""
        try:
            if prepared.open:
                prepared.open = False
                self.recorder.failed(prepared.record, reason)
        finally:
            self._close(prepared)

    @contextmanager
    def _closing(self, prepared: Prepared, *, close: bool = False) -> Iterator[None]:
        """On any failure in the block: the row, if still open, failed with the reason, and
        the context closed; with `close`, the context is closed in any case."""
        try:
            with pointing_to_repair(self.options.portal, self.options.url, self.source.path):
                yield
        except BaseException as error:
            try:
                if prepared.open:  # never confirmed, or refused at the intent: say why
                    prepared.open = False
                    self.recorder.failed(prepared.record, _reason(error))
            finally:
                self._close(prepared)
            raise
        if close:
            self._close(prepared)

    def _close(self, prepared: Prepared) -> None:
        guard = prepared.guard
        if prepared.closed:
            return
        prepared.closed = True
        guard.close()
        if guard.saved_trace is not None:
            self.terminal.say(
                f"Trace of {prepared.submission.title.lower()}: {guard.saved_trace} "
                f"(open it with: playwright show-trace {guard.saved_trace})"
            )

    def _code_gate(
        self,
        page: Page,
        guard: guarded_context.GuardedContext,
        step: str,
        gate: CodeGate,
        email: str,
    ) -> None:
        problem = ""
        for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
            request = CodeRequest(
                email=email,
                digits=gate.digits,
                attempt=attempt,
                problem=problem,
                browser_visible=not self.options.headless,
                stop_requested=self.stop_requested,
            )
            code = self.code_source.code(request)
            if code:
                log.register_secret(code)
            # A stop asked for while the code came (e.g. Ctrl-C during a mailbox read):
            # nothing is typed, nothing verified.
            self._checkpoint()
            result = code_entry.enter_code(page, step, gate, code, self.options.timeouts, guard)
            if result.accepted:
                if gate.confirm is not None:
                    self.terminal.say("The portal accepted the code.")
                return
            problem = result.message
        raise PortalError(
            f"The portal refused the code {MAX_CODE_ATTEMPTS} times ({problem}); "
            "nothing was submitted."
        )

    def _submit(self, prepared: Prepared, review: gates.Review, reviewed: Reviewed) -> Outcome:
        guard, record, prefix = prepared.guard, prepared.record, prepared.prefix
        page, action = guard.page, prepared.submit
        success = self.options.portal.success
        timeout_s = self.options.submit_timeout_s or success.timeout_s
        index, count = record.index, record.count
        error_cls, _ = driver.playwright_errors()
        # Found and read before the intent, so that nothing but the click follows it.
        button = clicks.find_one(
            page, "review", "the submit button", action.submit, self.options.timeouts.action_ms
        )
        before = outcome.before_click(page, success)
        # What the page did while the person read the review is decided with the gate shut;
        # then every value is read again: what is sent must be what was reviewed.
        guard.drain()
        guard.raise_if_refused()
        now = fields.read_back_steps(page, prepared.states)
        changed = review_changes(review.values, now)
        if changed:
            raise ChangedAfterReview(
                f"{record_title(record)}: the page changed what you reviewed before the click "
                f"({'; '.join(changed)}); nothing was submitted"
            )
        expected = expected_in_request(review.values)
        # Durable BEFORE the click: a crash after this line leaves an intent, never silence.
        try:
            self.recorder.intent(record, reviewed)
        except DataFolderError as error:  # not recorded (a full disk …): so never clicked
            prepared.open = False
            raise self._intent_not_recorded(record, error) from None
        prepared.open = False
        crashpoint("after-intent")
        if self.stop_requested():  # Ctrl-C after the confirmation: never a click after it
            self.recorder.failed(record, "stopped by Ctrl-C before the click; nothing was sent")
            raise Interrupted("Stopped by Ctrl-C before the click; nothing was submitted.")
        try:
            guard.open_submit(expected, writes=action.writes)
        except RequestRefused as refused:  # the page misbehaved after the last look: no click
            self.recorder.failed(record, f"{refused} (nothing was clicked)")
            raise
        try:
            started = time.monotonic()
            try:
                # Exactly one click, never retried, and it does not wait for the answer: the
                # answer is awaited below for as long as the person asked.
                page.locator(button.selector).click(
                    timeout=self.options.timeouts.action_ms, no_wait_after=True
                )
                answer = outcome.await_outcome(page, guard, success, before, timeout_s, started)
            except KeyboardInterrupt:
                # Only without batch's Ctrl-C switch: the click may have been made.
                self.recorder.unknown(record, "interrupted during the submit click")
                raise
            except error_cls as error:
                if guard.guard.submit_stopped is not None:
                    return self._stopped_in_browser(record, guard.guard.submit_stopped)
                reason = f"the submit click failed ({str(error).splitlines()[0]})"
                self.recorder.unknown(record, reason)
                message = (
                    f"Outcome unknown: {reason}. Check the portal or the email; do not resend."
                )
                self.terminal.say(message)
                return Outcome(index, count, "unknown", message)
        finally:
            guard.close_submit()
        if guard.guard.submit_stopped is not None:
            return self._stopped_in_browser(record, guard.guard.submit_stopped)
        if not guard.submit_in_flight():
            # (mid-navigation a screenshot would wait for the answer that did not come)
            self._try_shot(page, f"{prefix}-result")
        return self._record_answer(record, answer, timeout_s, guard.guard.released)

    def _stopped_in_browser(self, record: SubmissionRecord, why: str) -> Outcome:
        """The submit request was stopped in the browser (it did not carry what was
        reviewed)."""
        return self._not_sent(
            record, f"{why}; it was stopped in the browser, nothing was submitted"
        )

    def _not_sent(self, record: SubmissionRecord, reason: str) -> Outcome:
        """Nothing left the browser for the submit: recorded failed (`reason`), never
        resent."""
        self.recorder.failed(record, reason)
        message = f"Not sent: {reason}. The portal has changed; run `assistant check`."
        self.terminal.say(message)
        return Outcome(record.index, record.count, "failed", message)

    def _intent_not_recorded(
        self, record: SubmissionRecord, error: DataFolderError
    ) -> DataFolderError:
        """The journal could not record the intent, so nothing was clicked: the row closed
        as not sent if the journal still takes that write, else left for the next run of the
        profile to close (`Journal.close_abandoned`). Same class, so the same exit code."""
        written = error if isinstance(error, JournalWriteFailed) else None
        cause = f" ({written.cause})" if written else ""
        reason = f"the journal could not record the intent to submit{cause}; nothing was sent"
        attempt = self.recorder.attempt_id(record)
        try:
            self.recorder.failed(record, reason)
        except DataFolderError:
            row = (
                f"Attempt {attempt} could not be closed either: the next run of this profile "
                "records it as not sent."
            )
        else:
            row = f"Attempt {attempt} is recorded as not sent."
        then = written.advice if written else str(error)
        then = f"{then[:1].upper()}{then[1:]}{'' if then.endswith('.') else '.'}"
        return type(error)(
            f"The journal could not record the intent to submit{cause}; nothing was clicked. "
            f"{row} {then}"
        )

    def _record_answer(
        self,
        record: SubmissionRecord,
        answer: outcome.Answer,
        timeout_s: float,
        released: Released | None,
    ) -> Outcome:
        index, count = record.index, record.count
        if answer.state == "submitted" and answer.feedback_id and released is None:
            # The page shows an ID although no request left the browser: it made it up.
            return self._not_sent(
                record,
                f"the page showed Feedback ID {answer.feedback_id}, but no request left the "
                "browser, so nothing was sent",
            )
        if answer.state == "submitted" and answer.feedback_id:
            message = f"Submitted {index} of {count}. Feedback ID: {answer.feedback_id}"
            self.terminal.say(message)  # first: the ID is on the screen whatever follows
            try:
                receipt = self.recorder.submitted(record, answer.feedback_id, sent_as(released))
            except Exception as error:
                raise self._not_recorded(record, answer.feedback_id, error) from None
            if receipt:  # its own line, so the path is never wrapped and can be copied
                self.terminal.say(f"Receipt: {receipt}")
            return Outcome(index, count, "submitted", message, answer.feedback_id)
        status = f" (HTTP {answer.status})" if answer.status is not None else ""
        if answer.state == "failed":
            if answer.page_error:
                reason = f"the portal said {answer.page_error!r}{status}"
            else:
                reason = f"the portal answered HTTP {answer.status} and showed no Feedback ID"
            message = f"Failed: {reason}; the submission was not resent."
            self.terminal.say(message)  # first, as the Feedback ID: the answer is on the screen
            attempt = self.recorder.attempt_id(record)
            self._record_after_click(
                record,
                lambda: self.recorder.failed(record, reason),
                f"The portal refused submission {index} of {count}",
                f"run 'assistant settle {attempt} --not-submitted'",
            )
            return Outcome(index, count, "failed", message)
        if not answer.answered:
            reason = f"no answer to the submit within {timeout_s:g} s"
        elif answer.status is not None:
            reason = (
                f"the portal answered HTTP {answer.status} but showed neither a Feedback ID "
                f"nor an error within {timeout_s:g} s"
            )
        else:
            reason = f"the page showed neither a Feedback ID nor an error within {timeout_s:g} s"
        reason += f" (waited {answer.elapsed_s:.1f} s)"
        message = f"Outcome unknown: {reason}. Check the portal or the email; do not resend."
        self.terminal.say(message)
        attempt = self.recorder.attempt_id(record)
        self._record_after_click(
            record,
            lambda: self.recorder.unknown(record, reason),
            f"The outcome of submission {index} of {count} is unknown",
            f"settle it with 'assistant settle {attempt} --submitted FEEDBACK_ID' or "
            f"'assistant settle {attempt} --not-submitted'",
        )
        return Outcome(index, count, "unknown", message)

    def _record_after_click(
        self, record: SubmissionRecord, write: Callable[[], None], told: str, settle: str
    ) -> None:
        """`write` the outcome of the click; if the journal cannot, the row stays `intent`
        (an unknown outcome every run shows and the guard blocks) and the person is told how
        to settle it (`OutcomeNotRecorded`)."""
        try:
            write()
        except Exception as error:
            logger.debug("Recording the outcome failed", exc_info=error)
            raise OutcomeNotRecorded(
                f"{told}, but the journal could not record it ({_why(error)}). Once the journal "
                f"can be written again, {settle}. Until then its numbers count as sent with an "
                "unknown outcome."
            ) from None

    def _not_recorded(
        self, record: SubmissionRecord, feedback_id: str, error: Exception
    ) -> OutcomeNotRecorded:
        """The portal took the submission; the journal could not say so. The ID is all the
        person has: the message carries it and how to record it later."""
        logger.debug("Recording the Feedback ID failed", exc_info=error)
        attempt = self.recorder.attempt_id(record)
        return OutcomeNotRecorded(
            f"The portal accepted submission {record.index} of {record.count} as {feedback_id}, "
            f"but the journal could not record it ({_why(error)}). Keep this Feedback ID: once the "
            f"journal can be written again, run 'assistant settle {attempt} --submitted "
            f"{feedback_id}'. Until then its numbers count as sent with an unknown outcome."
        )

    def _try_shot(self, page: Page, name: str) -> None:
        error_cls, _ = driver.playwright_errors()
        try:
            self._shot(page, name)
        except (error_cls, OSError, DataFolderError) as error:  # e.g. the disk just filled up
            logger.info("No screenshot of the result page could be taken: %s", error)


def record_title(record: SubmissionRecord) -> str:
    """ "Submission 1 of 2" """
    return f"Submission {record.index} of {record.count}"


def anchor_notes(states: list[step_state.StepState]) -> list[str]:
    """The review's footer: every element found by an anchor other than its map's first."""
    notes = []
    for state in states:
        for name, found in state.located.items():
            if found.found and found.anchor > 0 and found.counts:
                notes.append(f"{state.step.name} step, {name}: found by {found.how()}")
    return notes


def _why(error: Exception) -> str:
    """Why a journal write failed, in a few words (the cause of a full or failing disk)."""
    if isinstance(error, JournalWriteFailed) and error.cause:
        return error.cause
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _reason(error: BaseException) -> str:
    """Why a submission stopped before the click, for its journal row."""
    text = str(error).strip()
    if isinstance(error, KeyboardInterrupt):
        return "stopped by Ctrl-C; nothing was submitted"
    if not text:
        return f"stopped by {type(error).__name__}; nothing was submitted"
    if isinstance(error, AssistantError):
        return text
    # Not one of ours (a browser error): its first line, not its call log.
    return f"{type(error).__name__}: {text.splitlines()[0]}"
