"""`assistant due`: numbers whose last registration is older than the re-registration window.

Only real registrations count: a run against another host than the portal's own (`--url`, e.g.
the replica) registered nothing, so nothing of it falls due. `--include-practice` lists those
too, each with its host, for someone rehearsing the re-registration itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.errors import UsageError
from assistant.records.duplicates import DEFAULT_WINDOW_DAYS


@app.command()
def due(
    days: Annotated[
        int,
        typer.Option(
            "--days", min=1, metavar="DAYS", help="Days after which a registration is due again."
        ),
    ] = DEFAULT_WINDOW_DAYS,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Show what is due on this date, written like 2027-01-15 (default: today).",
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
    """List numbers due to be registered again.

    Numbers last registered more than DAYS days ago, with the profile that holds them (real
    registrations only, unless --include-practice).
    """
    from assistant.records.journal import Destination, Journal
    from assistant.terminal_text import literal

    now = _as_of(as_of) if as_of is not None else datetime.now(UTC)
    with Journal.open(data_dir, read_only=True) as journal:
        numbers = journal.due(days=days, now=now, include_practice=include_practice)
    if not numbers:
        typer.echo(f"No number is due: none was last registered more than {days} days ago.")
        return
    count = len(numbers)
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


def _as_of(text: str) -> datetime:
    """The end of day `text` (UTC), so everything due on that day is listed."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date; write it like 2027-01-15") from None
    return day.replace(hour=23, minute=59, second=59)
