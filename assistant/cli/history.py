"""`assistant history`: every submission attempt the journal remembers, newest first.

The Host column says where each attempt went: the portal's own host, or another one (`--url`,
e.g. the replica) marked "(practice)". An attempt still `started` or `filled` says whether its
run is alive (it holds its profile's run lock) or has ended, and then how to close it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.journal import Attempt


def e164(text: str) -> str:
    """A phone number in any common US notation as E.164; `UsageError` if it is not one."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise UsageError(
            f"--number {text!r} is not a phone number; write it like +16195550100 or (619) 555-0100"
        )
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


@app.command()
def history(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the attempts as JSON (values read back included).")
    ] = False,
    number: Annotated[
        str | None, typer.Option("--number", help="Only attempts with this number (any notation).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Only attempts of this profile (label or path).")
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Show every submission attempt: when, profile, numbers, outcome, Feedback ID, receipt."""
    import json

    from assistant import guard
    from assistant.journal import Journal

    wanted = e164(number) if number is not None else None
    with Journal.open(data_dir, read_only=True) as journal:
        attempts = journal.history(number=wanted, profile=profile)
        notice = guard.unknown_notice(journal.unsettled())
        where = journal.path
        folder = journal.folder
    if json_output:
        typer.echo(json.dumps([a.to_json() for a in attempts], indent=2, ensure_ascii=False))
        return
    if not attempts:
        filtered = wanted is not None or profile is not None
        typer.echo(
            "No attempt matches." if filtered else f"No submissions recorded yet in {where}."
        )
    else:
        _table(attempts, folder)
    if notice:
        typer.echo("\n" + notice, err=True)


def _state(a: Attempt, folder: Path) -> str:
    """The state as shown: with its reason, and for an open attempt whether its run lives."""
    from assistant import runlock
    from assistant.journal import OPEN

    if a.state in OPEN:
        alive = runlock.holder(folder, a.profile_path)
        if alive is not None and alive.token == a.owner:
            return f"{a.state} (in progress: pid {alive.pid})"
        return f"{a.state} (run ended, nothing clicked: assistant settle {a.id} --not-submitted)"
    return f"{a.state} ({a.reason})" if a.reason and a.state != "submitted" else str(a.state)


def _table(attempts: list[Attempt], folder: Path) -> None:
    import io
    import os
    import sys

    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("ID", "When (UTC)", "Profile", "Portal", "Host", "Numbers", "State"):
        table.add_column(column, overflow="fold")
    table.add_column("Feedback ID", overflow="fold")
    table.add_column("Receipt", overflow="fold")
    for a in attempts:
        shown = ", ".join(a.numbers[:2]) + (", …" if len(a.numbers) > 2 else "")
        table.add_row(
            str(a.id),
            a.updated_at[:16].replace("T", " "),
            f"{a.profile_label} ({a.part}/{a.parts})",
            a.portal,
            a.destination.describe(),
            f"{len(a.numbers)}: {shown}",
            _state(a, folder),
            a.feedback_id or "",
            a.receipt_path or "",
        )
    # Piped into a file or another program, nothing should be folded or cut: use a wide line.
    wide = not sys.stdout.isatty() and not os.environ.get("COLUMNS")
    console = Console(highlight=False, width=250 if wide else None, file=io.StringIO())
    with console.capture() as captured:
        console.print(table)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))
