"""What a batch is made of and what it reports: a `Job` per profile and registry (its plan,
split into submissions by the portal's limit), a `Result` per submission, and the `BatchReport`
whose `exit_code` says how it went.

Exit code precedence (the most urgent thing a person must act on wins):
7 an outcome is unknown (or a submission was skipped because an earlier one is unsettled)
> 10 (or 9, 11) the journal could not be written, so the batch stopped
> 6 a submission was refused because another run sent its numbers meanwhile
> 4 a submission failed > 3 one was declined, not confirmed or stopped (Ctrl-C, Ctrl-D)
> 0 everything attempted was submitted or skipped as already submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit, urlunsplit

from assistant.errors import ExitCode, UsageError
from assistant.portals.plan import Plan, build_plan
from assistant.records import duplicates
from assistant.sitting.session import FillOptions

if TYPE_CHECKING:
    from assistant.portals.model import PortalMap
    from assistant.profiles import LoadedProfile
    from assistant.records.journal.models import Destination


State = Literal[
    "submitted", "declined", "stopped", "failed", "unknown", "skipped", "refused", "not started"
]


# The summary's counts, always shown; "refused" (another run sent the numbers meanwhile) and
# "not started" (a part never begun: its profile failed, Ctrl-C, the journal) only when they
# happened. "skipped" is a part the duplicate guard held back.
STATES: tuple[State, ...] = ("submitted", "declined", "stopped", "failed", "unknown", "skipped")
WHEN_SEEN: tuple[State, ...] = ("refused", "not started")


@dataclass(frozen=True, slots=True)
class Job:
    """One profile of the batch on one portal, and its plan (split into submissions by the
    portal's limit). `fill` names the portal and where it is when the batch runs several
    (`plan_registry_jobs`); None: the batch's own (`BatchOptions.fill`)."""

    loaded: LoadedProfile
    plan: Plan
    fill: FillOptions | None = None


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
    registry: str = ""  # where it was sent, shown when a batch runs several registries
    reason: str = ""
    feedback_id: str | None = None
    blocked_by_unknown: bool = False  # skipped because an earlier outcome is unsettled


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
    # Where its submissions went (`FillOptions.destination`): the summary says PRACTICE.
    destination: Destination | None = None

    @property
    def practice(self) -> str:
        """The host of a practice run ("127.0.0.1:8765"), or "" for the real portal."""
        return self.destination.practice if self.destination is not None else ""

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


def plan_registry_jobs(loaded: Sequence[LoadedProfile], fills: Sequence[FillOptions]) -> list[Job]:
    """A `Job` per valid profile and portal (`fills`, one per registry), profile by profile:
    each profile goes through every registry named before the next one starts."""
    return [
        Job(item, build_plan(item.profile, fill.portal, fill.url, where=str(item.path)), fill)
        for item in loaded
        for fill in fills
    ]


def portal_fills(portals: Sequence[PortalMap], base: FillOptions) -> list[FillOptions]:
    """`base` once per portal, each with its own map and start URL (`start_url_for`).

    Raises `UsageError` when two maps file into one registry (fcr and fcr-classic are both the
    Free Caller Registry: the second would only be skipped as already sent), or when a `--url`
    names one page while several portals are named."""
    seen: dict[str, str] = {}
    for portal in portals:
        first = seen.setdefault(portal.registry, portal.name)
        if first != portal.name:
            raise UsageError(
                f"--portal names {first} and {portal.name}, two maps of one registry "
                f"({portal.registry}): a number is registered there once; name one of them"
            )
    several = len(portals) > 1
    return [
        replace(base, portal=portal, url=start_url_for(base.url, portal, several=several))
        for portal in portals
    ]


def start_url_for(url: str | None, portal: PortalMap, *, several: bool = False) -> str | None:
    """Where `portal` starts in a run pointed at `url` (`--url`): a URL naming a page as
    written; a bare origin ("http://127.0.0.1:8765" or ".../") with the map's own path, so that
    one `--url` serves every map of a batch over several registries (the replica serves the FCR
    at /fcr/, the TRF at /trf/, the VSF at /vsf/). With `several` portals, a `--url` naming a
    page is a `UsageError`: it could be only one of them."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query:
        if several:
            raise UsageError(
                f"--url {url} names one page, and --portal names several portals: give only "
                f"where they are ({urlunsplit((parts.scheme, parts.netloc, '/', '', ''))}), "
                "and each map's own path is kept"
            )
        return url
    own = urlsplit(portal.start_url)
    return urlunsplit((parts.scheme, parts.netloc, own.path or "/", own.query, ""))
