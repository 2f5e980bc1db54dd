"""Every number's standing at every registry, as `assistant report` and `assistant due` show it.

Built from the journal's attempts (and, optionally, the numbers of profiles given, so numbers
never sent show as "not registered"), without a browser or a terminal: pure data.

A row per number. For each registry the journal names (`fcr`, `trf`, `vsf`, …: whatever a
row was filed under, so a new registry becomes a column by itself), a `Standing`:

- the last registration: its Feedback ID, its day, whether it was real or practice (a run
  against another host than the registry's own, e.g. the replica), and the day it falls due
  again (`duplicates.next_due`). A real registration is shown before any practice one, however
  recent: practice registers nothing.
- attempts that need a person: an outcome nobody knows (`intent`, `unknown`: to settle) and
  attempts still open (`started`, `filled`: a run at work, or one that ended and left it).

Every value is kept as the journal holds it (text a page returned included); showing it
safely is the renderer's job (`assistant.records.report_page`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.records.duplicates import DEFAULT_WINDOW_DAYS, next_due
from assistant.records.journal import OPEN, UNSETTLED, Attempt, State

NOT_REGISTERED = "not registered"
DEFAULT_REGISTRY = "fcr"  # the column a report without any attempt shows


@dataclass(frozen=True, slots=True)
class Listed:
    """A number a profile lists (E.164), with its profile and caller name."""

    number: str
    profile_label: str
    profile_path: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Pending:
    """An attempt of a number that a person must look at: its id, state and whether it went
    to the registry's own host."""

    attempt_id: int
    state: State
    real: bool

    @property
    def unsettled(self) -> bool:
        """True for an outcome nobody knows (settle it); False for an open attempt."""
        return self.state in UNSETTLED

    def describe(self) -> str:
        """ "attempt 7 unknown: settle it", "attempt 8 open (filled)" ("(practice)" added for
        an attempt sent elsewhere than the registry's host)."""
        where = "" if self.real else " (practice)"
        if self.unsettled:
            return f"attempt {self.attempt_id} {self.state}{where}: settle it"
        return f"attempt {self.attempt_id} open ({self.state}){where}"


@dataclass(frozen=True, slots=True)
class Standing:
    """One number at one registry: its last registration (empty fields when none) and the
    attempts a person must look at."""

    registry: str
    feedback_id: str = ""
    date: str = ""  # YYYY-MM-DD (UTC) it was submitted
    real: bool = True
    host: str = ""
    next_due: str = ""  # YYYY-MM-DD it falls due again
    attempt_id: int | None = None
    pending: tuple[Pending, ...] = ()

    @property
    def registered(self) -> bool:
        """Whether a submission of the number to this registry is recorded (real or not)."""
        return self.attempt_id is not None

    @property
    def kind(self) -> str:
        """ "real", "practice", or "" when not registered."""
        if not self.registered:
            return ""
        return "real" if self.real else "practice"

    def status(self, today: dt.date) -> str:
        """ "not registered", "practice" (sent only to another host, e.g. the replica: nothing
        registered), "registered", or "due" (its next due day has come)."""
        if not self.registered:
            return NOT_REGISTERED
        if not self.real:
            return "practice"
        return "due" if self.next_due <= today.isoformat() else "registered"

    def attention(self) -> str:
        """The attempts to look at, "; "-joined ("" when none)."""
        return "; ".join(p.describe() for p in self.pending)


@dataclass(frozen=True, slots=True)
class Row:
    """One number: the profiles that list or sent it, its caller name (from a profile given),
    and its standing at each of the report's registries, in their order."""

    number: str
    profiles: tuple[str, ...]
    profile_paths: tuple[str, ...]
    display_name: str
    standings: tuple[Standing, ...]

    def next_due(self) -> str:
        """The earliest day a real registration of it falls due again ("" when none)."""
        days = [s.next_due for s in self.standings if s.registered and s.real]
        return min(days, default="")


@dataclass(frozen=True, slots=True)
class Report:
    """Every number's row (ordered by number), the registries (columns), and the day the
    report speaks of."""

    registries: tuple[str, ...]
    rows: tuple[Row, ...]
    today: dt.date
    days: int = DEFAULT_WINDOW_DAYS
    counts: dict[str, int] = field(default_factory=dict)


def build(
    attempts: Iterable[Attempt],
    listed: Sequence[Listed] = (),
    *,
    today: dt.date,
    days: int = DEFAULT_WINDOW_DAYS,
) -> Report:
    """The report of `attempts` (every attempt of a journal, any order) and the numbers
    `listed` by profiles; `days` after a registration it falls due again."""
    by_number: dict[str, list[Attempt]] = {}
    for attempt in sorted(attempts, key=lambda a: a.id):
        for number in attempt.numbers:
            by_number.setdefault(number, []).append(attempt)
    registries = tuple(sorted({_registry(a) for found in by_number.values() for a in found})) or (
        DEFAULT_REGISTRY,
    )
    names: dict[str, list[Listed]] = {}
    for item in listed:
        names.setdefault(item.number, []).append(item)
    rows = []
    for number in sorted(set(by_number) | set(names)):
        found = by_number.get(number, [])
        mine = names.get(number, [])
        places = [(i.profile_label, i.profile_path) for i in mine]
        places += [(a.profile_label, a.profile_path) for a in reversed(found)]
        places = list(dict.fromkeys(places))
        rows.append(
            Row(
                number=number,
                profiles=tuple(label for label, _ in places),
                profile_paths=tuple(path for _, path in places),
                display_name=next((i.display_name for i in mine if i.display_name), ""),
                standings=tuple(_standing(r, found, days) for r in registries),
            )
        )
    return Report(registries, tuple(rows), today, days, _counts(rows, today))


def _registry(attempt: Attempt) -> str:
    return attempt.registry or attempt.portal


def _standing(registry: str, attempts: Sequence[Attempt], days: int) -> Standing:
    """The number's standing at `registry` from its `attempts` (oldest first)."""
    here = [a for a in attempts if _registry(a) == registry]
    pending = tuple(
        Pending(a.id, a.state, a.real_portal) for a in here if a.state in UNSETTLED | OPEN
    )
    sent = [a for a in here if a.state is State.SUBMITTED]
    real = [a for a in sent if a.real_portal]
    chosen = max(real or sent, key=_when, default=None)
    if chosen is None:
        return Standing(registry, pending=pending)
    when = _when(chosen)
    return Standing(
        registry=registry,
        feedback_id=chosen.feedback_id or "",
        date=when[:10],
        real=chosen.real_portal,
        host=chosen.host,
        next_due=next_due(when, days),
        attempt_id=chosen.id,
        pending=pending,
    )


def _when(attempt: Attempt) -> str:
    return attempt.submitted_at or attempt.updated_at


def _counts(rows: Sequence[Row], today: dt.date) -> dict[str, int]:
    """How many numbers in all, with no real registration anywhere, with a real one due, and
    with an attempt to look at."""
    return {
        "numbers": len(rows),
        "not registered": sum(
            1 for r in rows if not any(s.registered and s.real for s in r.standings)
        ),
        "due": sum(
            1 for r in rows if any(s.real and s.status(today) == "due" for s in r.standings)
        ),
        "to look at": sum(1 for r in rows if any(s.pending for s in r.standings)),
    }


def due_within(report: Report, within: int | None, *, practice: bool = False) -> list[Due]:
    """Every registration of the report with its next due day, soonest first (then by
    number): all of them when `within` is None, else those due within `within` days of the
    report's day (the overdue included; 0: only those due by then). Only real registrations,
    unless `practice`."""
    result = []
    last = dt.date.fromordinal(report.today.toordinal() + within) if within is not None else None
    for row in report.rows:
        for s in row.standings:
            if not s.registered or (not s.real and not practice):
                continue
            if last is not None and dt.date.fromisoformat(s.next_due) > last:
                continue
            days_left = (dt.date.fromisoformat(s.next_due) - report.today).days
            result.append(Due(row, s, days_left))
    return sorted(result, key=lambda d: (d.standing.next_due, d.row.number, d.standing.registry))


@dataclass(frozen=True, slots=True)
class Due:
    """One registration and how many days are left before it falls due (negative: overdue)."""

    row: Row
    standing: Standing
    days_left: int
