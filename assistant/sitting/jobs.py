"""What a batch is made of and what it reports: a `Job` per profile (its plan, split into
submissions by the portal's limit), a `Result` per submission, and the `BatchReport` whose
`exit_code` says how it went.

Exit code precedence (the most urgent thing a person must act on wins):
7 an outcome is unknown (or a submission was skipped because an earlier one is unsettled)
> 10 (or 9, 11) the journal could not be written, so the batch stopped
> 6 a submission was refused because another run sent its numbers meanwhile
> 4 a submission failed > 3 one was declined, not confirmed or stopped (Ctrl-C, Ctrl-D)
> 0 everything attempted was submitted or skipped as already submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assistant.errors import ExitCode
from assistant.portals.plan import Plan, build_plan
from assistant.records import duplicates
from assistant.sitting.session import FillOptions

if TYPE_CHECKING:
    from assistant.portals.model import PortalMap
    from assistant.profiles import LoadedProfile


State = Literal["submitted", "declined", "stopped", "failed", "unknown", "skipped", "refused"]


# The summary's counts, always shown; "refused" (another run sent the numbers meanwhile) only
# when it happened.
STATES: tuple[State, ...] = ("submitted", "declined", "stopped", "failed", "unknown", "skipped")


@dataclass(frozen=True, slots=True)
class Job:
    """One profile of the batch and its plan (split into submissions by the portal's limit)."""

    loaded: LoadedProfile
    plan: Plan


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How to run the batch."""

    fill: FillOptions
    resubmit: bool = False
    window_days: int = duplicates.DEFAULT_WINDOW_DAYS
    stop_on_duplicate: bool = False  # `fill`: refuse (exit 6) instead of skipping


@dataclass(frozen=True, slots=True)
class Result:
    """How one submission of the batch ended, for the summary."""

    label: str
    part: int
    parts: int
    numbers: tuple[str, ...]
    state: State
    reason: str = ""
    feedback_id: str | None = None
    blocked_by_unknown: bool = False  # skipped because an earlier outcome is unsettled
    due: str = ""  # submitted for real: the day (YYYY-MM-DD) it falls due again


@dataclass
class BatchReport:
    """Every submission of the batch, in order, and whether Ctrl-C stopped it."""

    results: list[Result] = field(default_factory=list)
    interrupted: bool = False
    run_dir: Path | None = None
    # Profiles stopped by a value of theirs (by id of their job): the submission that failed.
    stopped: dict[int, int] = field(default_factory=dict)
    # The exit code of the journal's failure that stopped the batch (e.g. 10, a full disk).
    journal_error: ExitCode | None = None

    def count(self, state: State) -> int:
        """How many submissions ended in `state`."""
        return sum(1 for r in self.results if r.state == state)

    @property
    def exit_code(self) -> ExitCode:
        """7 unknown > the journal's failure (9-11) > 6 refused > 4 failed > 3 declined/stopped
        > 0 (this module's docstring)."""
        if any(r.state == "unknown" or r.blocked_by_unknown for r in self.results):
            return ExitCode.OUTCOME_UNKNOWN
        if self.journal_error is not None:
            return self.journal_error
        if any(r.state == "refused" for r in self.results):
            return ExitCode.DUPLICATE
        if any(r.state == "failed" for r in self.results):
            return ExitCode.PORTAL
        if self.interrupted or any(r.state in ("declined", "stopped") for r in self.results):
            return ExitCode.NOT_CONFIRMED
        return ExitCode.OK


def plan_jobs(loaded: Sequence[LoadedProfile], portal: PortalMap, url: str | None) -> list[Job]:
    """A `Job` per valid profile, in order."""
    return [Job(item, build_plan(item.profile, portal, url)) for item in loaded]
