"""`assistant due`: numbers whose last registration is older than the re-registration window,
then every other registered number with the day it falls due (`--within DAYS`: only those due
within DAYS days), soonest first.

Only real registrations count: a run against another host than the portal's own (`--url`, e.g.
the replica) registered nothing, so nothing of it falls due. `--include-practice` lists those
too, each with its host, for someone rehearsing the re-registration itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import AsOfOption, DataDirOption, WindowDaysOption, app, day_of
from assistant.records.duplicates import DEFAULT_WINDOW_DAYS

if TYPE_CHECKING:
    from assistant.records.journal import Attempt, DueNumber


@app.command()
def due(
    days: WindowDaysOption = DEFAULT_WINDOW_DAYS,
    as_of: AsOfOption = None,
    within: Annotated[
        int | None,
        typer.Option(
            "--within",
            min=0,
            metavar="DAYS",
            help="Of the numbers not due yet, list only those due within DAYS days.",
        ),
    ] = None,
    include_practice: Annotated[
        bool,
        typer.Option(
            "--include-practice",
            help="Also list numbers sent only to another host (--url, e.g. the replica).",
        ),
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """List numbers due again, and when the others fall due.

    Numbers last registered more than DAYS days ago, with the profile that holds them; then
    every other registered number with its next due date, soonest first (real registrations
    only, unless --include-practice).
    """
    from assistant.records.journal import Destination, Journal
    from assistant.terminal_text import literal

    now = _as_of(as_of) if as_of is not None else datetime.now(UTC)
    with Journal.open(data_dir, read_only=True) as journal:
        numbers = journal.due(days=days, now=now, include_practice=include_practice)
        attempts = journal.history()
    count = len(numbers)
    if not numbers:
        typer.echo(f"No number is due: none was last registered more than {days} days ago.")
    else:
        typer.echo(
            f"{count} number{'s' if count != 1 else ''} last registered more than {days} days ago:"
        )
    for d in numbers:
        where = d.registry
        if not d.real_portal:
            where += f" at {Destination(d.registry, d.host, real=False).describe()}"
        typer.echo(
            literal(
                f"  {d.number}  {where}  {d.last_submitted_at[:10]} ({d.days_since} days "
                f"ago, Feedback ID {d.feedback_id})  {d.profile_label}  {d.profile_path}"
            )
        )
    for line in _not_due_yet(attempts, numbers, now, days, within, include_practice):
        typer.echo(literal(line))


def _not_due_yet(
    attempts: list[Attempt],
    overdue: list[DueNumber],
    now: datetime,
    days: int,
    within: int | None,
    practice: bool,
) -> list[str]:
    """The lines of the registrations not listed as due, soonest due first (only those due
    within `within` days, when given), after a heading; none when there are none."""
    from assistant.records.journal import Destination
    from assistant.records.report import build, due_within

    listed = {(d.number, d.registry, "" if d.real_portal else d.host) for d in overdue}
    profiles = {a.id: (a.profile_label, a.profile_path) for a in attempts}
    lines = []
    for u in due_within(build(attempts, today=now.date(), days=days), within, practice=practice):
        s = u.standing
        if (u.row.number, s.registry, "" if s.real else s.host) in listed:
            continue
        where = s.registry
        if not s.real:
            where += f" at {Destination(s.registry, s.host, real=False).describe()}"
        left = "today" if u.days_left <= 0 else f"in {u.days_left} day{_s(u.days_left)}"
        label, path = profiles[s.attempt_id or 0]
        lines.append(
            f"  {u.row.number}  {where}  due {s.next_due} ({left}; registered {s.date}, "
            f"Feedback ID {s.feedback_id})  {label}  {path}"
        )
    if not lines:
        return []
    count = len(lines)
    soon = f"due within {within} days" if within is not None else "not due yet, soonest first"
    return [f"{count} number{_s(count)} {soon}:", *lines]


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _as_of(text: str) -> datetime:
    """The end of day `text` (UTC), so everything due on that day is listed."""
    day = day_of(text)
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
