"""Many submissions in one sitting: `assistant batch` and `assistant fill` (a batch of one).

`run_batch` takes profiles that were all validated first, looks each submission up in the
journal (the duplicate guard), and fills the others one after the other in ONE browser (a fresh
context each), with the person reviewing and confirming each at the terminal. A submission that
fails, is declined or ends unknown is recorded and the batch goes on; numbers already submitted
within the window, or whose last outcome is unknown, are skipped with the reason (and when
they fall due again). For `fill` (`preflight`), an unknown outcome, or a profile with nothing
left to send, stops the run before anything opens, one line per earlier submission; otherwise
it resumes what an earlier run left (`resume`: only the numbers not yet sent go out). A
submission confirmed at its review but found, right before the click, to hold numbers another
run confirmed meanwhile is not sent and is listed `refused` (`ConcurrentSubmission`). Ctrl-C
stops between two actions: the current submission is `stopped` (never a click after a Ctrl-C),
the rest are listed as not started. `declined` means the person typed something other than
`submit`; Ctrl-C or Ctrl-D at a prompt is `stopped`. The result is a `BatchReport`, whose
`exit_code` says how it went.

A profile value the portal would refuse costs an emailed code per submission, so it stops that
profile, not the batch: a value not among the options its select showed within the last
`seen.OLD_DAYS` days (`assistant.portals.seen`) fails the profile's first submission before
anything opens; a failure the profile caused on the page (`PortalError.by_profile`: no option
matches a value, the page refuses one) fails that submission. Either way the profile's later
submissions are listed as not started, the reason said once; other profiles go on. Options a
page showed for a value it lacked are remembered for next time.

A journal that cannot be written (a full or failing disk, a lock held too long) stops the
batch: the submission it failed in is not clicked (if its intent could not be recorded) and
says what its row holds, the rest are listed as not started.

The summary's states and the exit code's precedence are `assistant.sitting.jobs`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from assistant.browser import driver
from assistant.errors import (
    AssistantError,
    ConcurrentSubmission,
    DataDirReadOnly,
    DataFolderError,
    DuplicateSubmission,
    JournalBusy,
    NoMatchingOption,
    NotConfirmed,
    OutcomeNotRecorded,
    PortalError,
    Stopped,
)
from assistant.log import get_logger
from assistant.portals import seen
from assistant.portals.plan import SubmissionPlan
from assistant.records import duplicates
from assistant.records.journal import Journal, JournalUnreadable, describe_owner, iso, utc_now
from assistant.records.journal import State as AttemptState
from assistant.records.journal.recorder import JournalRecorder
from assistant.sitting import gates
from assistant.sitting.ahead import Ahead, HeldTerminal, Turn
from assistant.sitting.code_sources import CodeSource, TerminalCodeSource, UnattendedCodeSource
from assistant.sitting.jobs import BatchOptions, BatchReport, Job, Result, State
from assistant.sitting.reviewed import Confirmations
from assistant.sitting.session import (
    FillOptions,
    Interrupted,
    Prepared,
    Session,
    Source,
    new_run_dir,
    stopped_by_ctrl_c,
)
from assistant.sitting.stopping import PromptWatch, StopSwitch
from assistant.sitting.terminal import Terminal

if TYPE_CHECKING:
    from playwright.sync_api import Browser


log = get_logger(__name__)

_T = TypeVar("_T")


class Batch:
    """One batch: its jobs, the journal, the person; see the module docstring."""

    def __init__(
        self,
        jobs: Sequence[Job],
        options: BatchOptions,
        journal: Journal,
        terminal: Terminal,
        code_source: CodeSource | None = None,
    ) -> None:
        self.jobs = list(jobs)
        self.options = options
        self.journal = journal
        self.switch = StopSwitch()
        self.terminal = PromptWatch(terminal, self.switch)
        self.code_source = code_source or TerminalCodeSource(self.terminal)
        self.recorder = JournalRecorder(
            journal, resubmit=options.resubmit, window_days=options.window_days
        )
        self.total = sum(len(job.plan.submissions) for job in self.jobs)
        self.journal_broken = False  # a submission's outcome could not be recorded
        # The options remembered, read once per portal map and host.
        self._lists: dict[tuple[str, str], dict[str, seen.Seen]] = {}
        # Several registries in one batch: each line and result names the registry.
        self.registries = len({self.fill(job).portal.registry for job in self.jobs}) > 1
        self.run_dir = Path()  # the run's private folder, made when the first one starts
        self._later: list[tuple[int, str]] = []  # (position, line) said in the parts' turn
        # What the person confirmed, per profile: later reviews of it show what is new.
        self.confirmations = Confirmations()

    def fill(self, job: Job) -> FillOptions:
        """How `job` runs: its own portal and URL in a batch over several registries, else the
        batch's."""
        return job.fill or self.options.fill

    def notice(self) -> str:
        """The unknown outcomes a person must settle ("" when none): shown at every start."""
        return duplicates.unknown_notice(self.journal.unsettled())

    def close_abandoned(self, owner: str) -> str:
        """Close as not sent the open attempts of this batch's profiles that a run which has
        ended left behind (killed, crashed); one line per attempt closed ("" when none).

        Only while this process holds the profiles' run locks (`assistant.records.runlock`): then no
        other run of them is alive, so their `started`/`filled` rows can never be clicked.
        """
        lines = []
        for path in dict.fromkeys(str(job.loaded.path.resolve()) for job in self.jobs):
            for attempt in self.journal.close_abandoned(path, owner):
                who = describe_owner(attempt.owner)
                filled = attempt.state is AttemptState.FILLED
                where = "at its review" if filled else "before its review"
                lines.append(
                    f"Attempt {attempt.id} ({attempt.profile_label}, {attempt.part} of "
                    f"{attempt.parts}) was left {where} by a run that has ended"
                    f"{f' ({who})' if who else ''}: recorded as not submitted, nothing was "
                    "clicked for it."
                )
        return "\n".join(lines)

    def preflight(self) -> None:
        """For `fill`: stop before anything opens (`DuplicateSubmission`, one line per earlier
        submission) when an outcome is unknown or nothing is left to send; otherwise resume
        what an earlier run left (`resume`)."""
        findings = self._findings()
        blocking = [f for per_job in findings for found in per_job for f in found]
        # Whether anything is left to send, number by number at each registry (a number sent to
        # the FCR may still be owed to the TRF).
        left = any(
            not {f.number for f in found} >= set(submission.numbers)
            for job, per_job in zip(self.jobs, findings, strict=True)
            for submission, found in zip(job.plan.submissions, per_job, strict=True)
        )
        unsettled = any(f.unsettled for f in blocking)
        if unsettled or (blocking and not left):
            raise DuplicateSubmission(duplicates.refusal(blocking))
        if blocking:
            self.resume(findings)

    def resume(self, findings: list[list[list[duplicates.Finding]]] | None = None) -> None:
        """Send only what is not yet sent: a submission all of whose numbers were submitted
        within the window is left for `run` to skip (saying when, as which Feedback ID); one
        only some of whose numbers were keeps its place (2 of 3) and sends the others, each
        number it leaves said. Unknown outcomes are never "not yet sent": a submission holding
        one is left whole for `run` to skip (`fill`'s `preflight` stops on it first), and the
        guard still runs for every submission (`run`, the intent). `findings`: what
        `_findings` gave, when the caller has just looked."""
        if findings is None:
            findings = self._findings()
        for i, (job, per_job) in enumerate(zip(self.jobs, findings, strict=True)):
            submissions = list(job.plan.submissions)
            for k, (submission, found) in enumerate(zip(submissions, per_job, strict=True)):
                sent = {f.number for f in found}
                unsettled = any(f.unsettled for f in found)
                if not sent or unsettled or sent >= set(submission.numbers):
                    continue
                rest = tuple(n for n in submission.numbers if n not in sent)
                submissions[k] = self._part_of(job, submission, rest)
                self.terminal.say(
                    f"{job.plan.label} (submission {submission.index} of {submission.count}): "
                    f"sending {_count(rest)} not yet sent; not again: "
                    + "; ".join(duplicates.refusal(found).splitlines())
                )
            plan = job.plan.model_copy(update={"submissions": tuple(submissions)})
            self.jobs[i] = Job(job.loaded, plan, job.fill)

    def _findings(self) -> list[list[list[duplicates.Finding]]]:
        """For each job, for each of its submissions, what keeps its numbers from being sent
        (`_blocking`), looked up once."""
        return [
            [self._blocking(job, submission) for submission in job.plan.submissions]
            for job in self.jobs
        ]

    def _blocking(self, job: Job, submission: SubmissionPlan) -> list[duplicates.Finding]:
        """The findings that keep numbers of `job`'s `submission` from being sent at its
        registry (recent ones not, with --resubmit)."""
        found = duplicates.findings(
            self.journal,
            self.fill(job).destination,
            submission.numbers,
            window_days=self.options.window_days,
        )
        return [f for f in found if f.unsettled or not self.options.resubmit]

    def _part_of(
        self, job: Job, submission: SubmissionPlan, numbers: tuple[str, ...]
    ) -> SubmissionPlan:
        """`submission` planned again with only `numbers`, in its own place (its index of its
        count), so the journal and the summary still call it what it was."""
        from assistant.portals.plan import build_plan

        profile = job.loaded.profile
        kept = tuple(n for n in profile.numbers if n.number in numbers)
        fill = self.fill(job)
        again = build_plan(profile.model_copy(update={"numbers": kept}), fill.portal, fill.url)
        return again.submissions[0].model_copy(
            update={"index": submission.index, "count": submission.count}
        )

    def run(self, open_browser: Callable[[], AbstractContextManager[Browser]]) -> BatchReport:
        """Run every submission (see the module docstring); `open_browser` is entered only
        when at least one submission is not skipped."""
        report = BatchReport(destination=self.options.fill.destination)
        pending: list[tuple[int, Job, SubmissionPlan]] = []
        position = 0
        self._later.clear()

        def say(line: str) -> None:
            # A part after one that runs is spoken of in its turn: lines keep the parts' order.
            if pending:
                self._later.append((position, line))
            else:
                self.terminal.say(line)

        for job in self.jobs:
            refusal: str | None = None  # asked once, for the first submission not skipped
            for submission in job.plan.submissions:
                position += 1
                where = (
                    f"[{position}/{self.total}] {job.plan.label}{self._at(job)} "
                    f"({submission.index} of {submission.count})"
                )
                skipped = self._skip(job, submission)
                if skipped is None and refusal is None:
                    refusal = self._refusal(job)
                if skipped is not None:
                    report.results.append(skipped)
                    say(f"{where}: skipped, {skipped.reason}")
                elif refusal:
                    # The first submission not skipped carries the reason; the rest follow it.
                    say(f"{where}: not started, {refusal}")
                    report.results.append(_result(job, submission, "failed", refusal))
                    refusal = ""
                    report.stopped[id(job)] = submission.index
                elif id(job) in report.stopped:
                    say(f"{where}: not started either")
                    report.results.append(self._not_started(job, submission, report))
                else:
                    pending.append((position, job, submission))
                    report.results.append(_result(job, submission, "not started", ""))
        if not pending:
            return report
        folder = self.options.fill.data_dir
        label = self.jobs[0].plan.label if len(self.jobs) == 1 else "batch"
        report.run_dir = new_run_dir(label, folder)
        self.run_dir = report.run_dir
        # Ctrl-C while the browser starts is heard (the driver and the browser run in a session
        # of their own, so the key reaches only this process) and honoured as soon as the
        # start-up returns: nothing is loaded after it. The switch is in place before the first
        # line of the run is shown, so no key pressed after that line ends it half-way.
        with self.switch.installed(), ExitStack() as stack:
            self.terminal.say(f"Screenshots and records of this run: {report.run_dir}")
            launched = stack.enter_context(open_browser())
            self._run_pending(launched, pending, report)
        return report

    def _run_pending(
        self,
        launched: Browser,
        pending: list[tuple[int, Job, SubmissionPlan]],
        report: BatchReport,
    ) -> None:
        assert report.run_dir is not None
        # Codes that come without the person: the next submission is prepared during a review.
        unattended = isinstance(self.code_source, UnattendedCodeSource)
        ahead: Ahead | None = None
        try:
            for i in range(len(pending)):
                self._say_later(before=pending[i][0])
                ahead = self._run_one(launched, pending, i, report, ahead, unattended)
            self._say_later()
        finally:
            if ahead is not None:  # the batch broke off: nothing of it may stay open
                ahead.drop("the batch stopped before its review; nothing was submitted")

    def _say_later(self, before: int | None = None) -> None:
        """Say the lines kept for the parts before position `before` (all when None)."""
        while self._later and (before is None or self._later[0][0] < before):
            self.terminal.say(self._later.pop(0)[1])

    def _run_one(
        self,
        launched: Browser,
        pending: list[tuple[int, Job, SubmissionPlan]],
        i: int,
        report: BatchReport,
        ahead: Ahead | None,
        unattended: bool,
    ) -> Ahead | None:
        """Submission `pending[i]`, from its preparation (unless `ahead` holds it) to its
        outcome; returns the next one when it was prepared during this one's review."""
        position, job, submission = pending[i]
        slot = position - 1
        taken = ahead if ahead is not None and ahead.submission is submission else None
        held_back = self._held_back(job, submission, report, taken)
        if held_back is not None:
            report.results[slot] = held_back
            if taken is not None:
                taken.drop(held_back.reason)
            return None
        attempt = _Attempt(self, report, pending, slot, job, submission)
        if taken is None:
            self.terminal.say(_header(position, self.total, job, submission, self._at(job)))
            session = self._session(launched, job, self.terminal)
            prepared = attempt.run(lambda: session.prepare(job.loaded.profile, submission))
        else:
            session = taken.session
            taken.terminal.release()  # its header and what it said while held back
            session.stop_requested = lambda: self.switch.requested
            session.stop_reason = stopped_by_ctrl_c
            prepared = attempt.run(taken.result)
        if prepared is None:
            return None
        review = attempt.run(lambda: session.show_review(prepared))
        if review is None:
            return None
        following = self._next_ahead(pending, i, report) if unattended else None
        if following is None:
            attempt.finish(session, prepared, review, session.ask(review))
            return None
        return self._during_review(launched, attempt, session, prepared, review, following)

    def _session(
        self,
        launched: Browser,
        job: Job,
        terminal: Terminal,
        *,
        stop_requested: Callable[[], bool] | None = None,
        stop_reason: Callable[[], str] = stopped_by_ctrl_c,
    ) -> Session:
        return Session(
            launched,
            self.fill(job),
            terminal,
            self.code_source,
            run_dir=self.run_dir,
            recorder=self.recorder,
            source=Source(str(job.loaded.path.resolve()), job.loaded.sha256),
            stop_requested=stop_requested or (lambda: self.switch.requested),
            stop_reason=stop_reason,
            confirmations=self.confirmations,
        )

    def _held_back(
        self, job: Job, submission: SubmissionPlan, report: BatchReport, taken: Ahead | None
    ) -> Result | None:
        """Why the submission is not run now (its result), or None to run it."""
        if self.journal_broken:
            return _result(job, submission, "not started", "the journal could not be written")
        if self.switch.requested:
            report.interrupted = True
            if taken is not None and taken.terminal.live:
                # its turn had come (it asked for a code): say why it ends, in its own words
                reason = (
                    str(taken.error)
                    if taken.error is not None
                    else "stopped by Ctrl-C before its review; nothing was submitted"
                )
                self.terminal.say(f"Not submitted: {reason}")
                return _result(job, submission, "stopped", reason)
            if taken is not None and taken.error is None:
                return _result(
                    job,
                    submission,
                    "stopped",
                    "prepared during the review before it, stopped by Ctrl-C before its "
                    "own review; nothing was submitted",
                )
            if taken is not None and not isinstance(taken.error, DuplicateSubmission):
                return _result(job, submission, "stopped", str(taken.error))
            return _result(job, submission, "not started", "stopped by Ctrl-C")
        if id(job) in report.stopped:
            return self._not_started(job, submission, report)
        return None

    def _next_ahead(
        self, pending: list[tuple[int, Job, SubmissionPlan]], i: int, report: BatchReport
    ) -> tuple[int, Job, SubmissionPlan] | None:
        """The submission to prepare during the review of `pending[i]`, if one may be: the
        next, unless a number is in both (the guard must see how this one ends first)."""
        if i + 1 >= len(pending) or self.journal_broken or self.switch.requested:
            return None
        following = pending[i + 1]
        _, job, submission = following
        if id(job) in report.stopped:
            return None
        # The guard must see how this one ends first, if it could block the next: the same
        # numbers in the same ledger (another registry's ledger is another).
        current = self.fill(pending[i][1]).destination
        if self.fill(job).destination == current and (
            set(submission.numbers) & set(pending[i][2].numbers)
        ):
            return None
        return following

    def _during_review(
        self,
        launched: Browser,
        attempt: _Attempt,
        session: Session,
        prepared: Prepared,
        review: gates.Review,
        following: tuple[int, Job, SubmissionPlan],
    ) -> Ahead:
        """Read the answer to `review` in a thread while the next submission is prepared here;
        finish this one as soon as it is answered. Returns the next, prepared or failed."""
        position, job, submission = following

        def finish(answer: BaseException | None) -> None:
            attempt.finish(session, prepared, review, answer)
            if not (self.journal_broken or self.switch.requested):
                held.release()  # from now on its progress shows as it happens

        turn = Turn(lambda cancel: session.ask(review, cancel), finish, self._stop_asked)

        def its_turn() -> bool:
            turn.wait()
            return not (self.journal_broken or self.switch.requested)

        held = HeldTerminal(self.terminal, its_turn)
        held.say(_header(position, self.total, job, submission, self._at(job)))
        following_session = self._session(
            launched,
            job,
            held,
            # Between two of its actions the answer to `review` is looked for (`pump`).
            stop_requested=lambda: turn.pump() or self._stop_asked() or turn.crash is not None,
            stop_reason=self._why_stopped,
        )
        assert isinstance(self.code_source, UnattendedCodeSource)
        following_session.code_source = self.code_source.through(held)
        ahead = Ahead(position, submission, following_session, held)
        try:
            with held.holding_logs(lambda: turn.finishing):
                try:
                    ahead.prepared = following_session.prepare(
                        job.loaded.profile, submission, read_back=True
                    )
                except Exception as error:  # reported at its own turn, never during this review
                    ahead.error = error
                turn.wait()
        except BaseException:  # finishing the one under review failed: the next is not kept
            ahead.drop("the batch stopped before its review; nothing was submitted")
            raise
        return ahead

    def _at(self, job: Job) -> str:
        """ " at trf (TNS robocall feedback form)" when the batch runs several registries."""
        if not self.registries:
            return ""
        portal = self.fill(job).portal
        return f" at {portal.registry} ({portal.title})"

    def _stop_asked(self) -> bool:
        return self.switch.requested or self.journal_broken

    def _why_stopped(self) -> str:
        if self.journal_broken and not self.switch.requested:
            return "not started: the journal could not be written; nothing was submitted"
        return stopped_by_ctrl_c()

    def _refusal(self, job: Job) -> str:
        """Why the job's profile is not started at all ("" when it may be): its values not
        among the options their selects showed within `seen.OLD_DAYS` days. Values not
        among an older list are only warned about: the portal may have changed since."""
        fill = self.fill(job)
        key = (fill.portal.name, fill.destination.host)
        if key not in self._lists:
            self._lists[key] = seen.remembered(fill.data_dir, *key)
        lists = self._lists[key]
        if not lists:
            return ""
        found = seen.unseen(fill.portal, job.loaded.profile, lists, host=fill.destination.host)
        for item in found:
            if item.old:
                self.terminal.say(str(seen.problem(job.loaded, item)))
        refused = [str(seen.problem(job.loaded, i, "error")) for i in found if not i.old]
        if not refused:
            return ""
        text = " ".join(r if r.endswith(("?", ".")) else f"{r}." for r in refused)
        return (
            f"{text} Nothing was sent for this profile: correct it, or run `assistant check` "
            "if the portal has changed since."
        )

    def _stop_profile(self, job: Job, submission: SubmissionPlan, later: list[int]) -> None:
        """Say once that the profile's `later` submissions (their numbers) are not started."""
        if not later:
            return
        several = len(later) > 1
        which = f"{_listed([str(i) for i in later])} of {submission.count}"
        self.terminal.say(
            f"Not started: submission{'s' if several else ''} {which} of {job.plan.label}; "
            f"{'they' if several else 'it'} would fail the same way, after an emailed code "
            f"{'each' if several else 'of its own'}. Correct the profile, then run it again."
        )

    def _not_started(self, job: Job, submission: SubmissionPlan, report: BatchReport) -> Result:
        failed = report.stopped[id(job)]
        return _result(
            job,
            submission,
            "not started",
            f"submission {failed} of this profile failed on one of its values",
        )

    def _remember(self, error: NoMatchingOption, job: Job) -> None:
        """Remember the options the page showed, so the next validate, plan or fill says at
        once that the value is not among them (a failure to write is only logged)."""
        from assistant.paths import data_dir

        fill = self.fill(job)
        try:
            folder = data_dir(fill.data_dir)
            seen.remember(folder, fill.portal.name, fill.destination.host, error.options)
        except (DataFolderError, OSError) as problem:
            log.warning("The options the page showed were not remembered: %s", problem)

    def _skip(self, job: Job, submission: SubmissionPlan) -> Result | None:
        """The skipped result when the guard blocks the submission's numbers, else None."""
        found = duplicates.findings(
            self.journal,
            self.fill(job).destination,
            submission.numbers,
            window_days=self.options.window_days,
        )
        blocking = [f for f in found if f.unsettled or not self.options.resubmit]
        if not blocking:
            return None
        unsettled = [f for f in blocking if f.unsettled]
        if unsettled:
            first = unsettled[0]
            reason = (
                f"outcome of attempt {first.attempt_id} unknown "
                f"({len(unsettled)} of its numbers): settle it first"
            )
        else:
            first = blocking[0]
            reason = (
                f"already submitted on {first.date} as {first.feedback_id}; "
                f"due again on {first.due}"
            )
        return _result(job, submission, "skipped", reason, blocked_by_unknown=bool(unsettled))


class _Attempt:
    """One submission's turn: runs its phases (`Session.prepare`, `show_review`, `finish`),
    turning a phase's failure into the submission's result (see the module docstring)."""

    def __init__(
        self,
        batch: Batch,
        report: BatchReport,
        pending: list[tuple[int, Job, SubmissionPlan]],
        slot: int,
        job: Job,
        submission: SubmissionPlan,
    ) -> None:
        self.batch = batch
        self.report = report
        self.pending = pending
        self.slot = slot
        self.job = job
        self.submission = submission

    def finish(
        self,
        session: Session,
        prepared: Prepared,
        review: gates.Review,
        answer: BaseException | None,
    ) -> None:
        """After the answer to its review: the click (or not) and its outcome, reported."""
        outcome = self.run(lambda: session.finish(prepared, review, answer))
        if outcome is None:
            return
        self._report(outcome.state, outcome.message, outcome.feedback_id)
        if outcome.state == "submitted" and self.batch.options.fill.destination.real:
            # A practice run registers nothing, so nothing of it falls due.
            due = duplicates.next_due(iso(utc_now()))
            self.report.results[self.slot] = replace(self.report.results[self.slot], due=due)

    def run(self, call: Callable[[], _T]) -> _T | None:
        """`call()`, or None when it failed (its result then said and reported)."""
        batch, job, submission = self.batch, self.job, self.submission
        error_cls, _ = driver.playwright_errors()
        try:
            return call()
        except OutcomeNotRecorded as error:
            # Submitted, but the journal cannot be written: nothing more may be sent whose
            # outcome could not be kept. The rest are listed as not started.
            batch.terminal.say(str(error))
            self._report("unknown", str(error))
            batch.journal_broken = True
        except (DataDirReadOnly, JournalBusy, JournalUnreadable) as error:
            # The journal cannot be written (a full disk …), so no step of this submission or
            # of any other can be recorded: nothing more is started. The error says what this
            # one's row holds; the rest are listed as not started.
            batch.terminal.say(f"Not submitted: {error}")
            self._report("failed", str(error))
            batch.journal_broken = True
            self.report.journal_error = error.exit_code
        except ConcurrentSubmission as error:  # confirmed here, sent by another run: refused
            batch.terminal.say(str(error))
            self._report("refused", str(error))
        except DuplicateSubmission as error:  # sent meanwhile (another run): skip it
            self.report.results[self.slot] = _skipped_by(job, submission, str(error))
        except NotConfirmed as error:
            if isinstance(error, Interrupted) or batch.switch.requested:
                self.report.interrupted = True
            stopped = isinstance(error, Stopped) or batch.switch.requested
            batch.terminal.say(f"Not submitted: {error}")
            self._report("stopped" if stopped else "declined", str(error))
        except (AssistantError, error_cls) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            batch.terminal.say(f"Failed: {message}")
            self._report("failed", message)
            if isinstance(error, NoMatchingOption):
                batch._remember(error, job)
            if isinstance(error, PortalError) and error.by_profile:
                self.report.stopped[id(job)] = submission.index
                later = [
                    p.index for _, j, p in self.pending if j is job and p.index > submission.index
                ]
                batch._stop_profile(job, submission, later)
        return None

    def _report(self, state: State, reason: str, feedback_id: str | None = None) -> None:
        self.report.results[self.slot] = _result(
            self.job, self.submission, state, reason, feedback_id
        )


def _header(position: int, total: int, job: Job, submission: SubmissionPlan, at: str = "") -> str:
    return (
        f"[{position}/{total}] {job.plan.label}{at} "
        f"(submission {submission.index} of {submission.count})"
    )


def _result(
    job: Job,
    submission: SubmissionPlan,
    state: State,
    reason: str,
    feedback_id: str | None = None,
    *,
    blocked_by_unknown: bool = False,
) -> Result:
    return Result(
        label=job.plan.label,
        part=submission.index,
        parts=submission.count,
        numbers=submission.numbers,
        registry=job.fill.portal.registry if job.fill is not None else "",
        state=state,
        reason=reason,
        feedback_id=feedback_id,
        blocked_by_unknown=blocked_by_unknown,
    )


def _count(numbers: Sequence[str]) -> str:
    """ "1 number", "15 numbers"."""
    return f"{len(numbers)} number{'' if len(numbers) == 1 else 's'}"


def _listed(items: list[str]) -> str:
    """`2`, `2 and 3`, `2, 3 and 4`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _skipped_by(job: Job, submission: SubmissionPlan, message: str) -> Result:
    unknown = "unknown outcome" in message
    return _result(job, submission, "skipped", message.splitlines()[0], blocked_by_unknown=unknown)
