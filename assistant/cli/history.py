"""`assistant history`: every submission attempt the journal remembers, newest first.

One block per attempt, whatever its outcome (submitted, declined, stopped, failed, unknown, or
left at the review), with where it went the reason it ended where it did, and its review screenshot:

    attempt 2  unknown  2026-10-02 14:03 UTC
      Bolt Plumbing, submission 2 of 2, to fcr at www.freecallerregistry.com: 1 number
        (+16195550103)
      profile: /home/dana/profiles/bolt.yaml
      screenshot: /data/runs/20261002T140102Z-batch/bolt-plumbing-s2-review.png
      reason: timeout after the click

An attempt sent to another host (`--url`, e.g. the replica) says "(practice)". An attempt still
`started` or `filled` says whether its run is alive (it holds its profile's run lock) or has
ended, and then how to close it. At a terminal, text wraps at its width between words; a path
is never broken: it goes on a line of its own when it does not fit. Every value is printed
literally.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.records.journal import Attempt

SHOWN_NUMBERS = 3


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
        str | None,
        typer.Option(
            "--number", metavar="NUMBER", help="Only attempts with this number (any notation)."
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            metavar="TEXT",
            help="Only attempts whose profile label or file path contains TEXT (any case).",
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """List every attempt, newest first.

    Each attempt shows when, its profile, numbers and outcome, its review screenshot, and
    the Feedback ID and receipt of a submission or the reason one was not submitted.
    """
    from assistant.records import duplicates
    from assistant.records.journal import Journal
    from assistant.terminal_text import columns, json_text

    wanted = e164(number) if number is not None else None
    with Journal.open(data_dir, read_only=True) as journal:
        attempts = journal.history(number=wanted)
        notice = duplicates.unknown_notice(journal.unsettled())
        where = journal.path
        folder = journal.folder
    if profile is not None:
        attempts = [a for a in attempts if matches(a, profile)]
    if json_output:
        typer.echo(json_text([a.to_json() for a in attempts]))
        return
    if not attempts:
        filtered = wanted is not None or profile is not None
        typer.echo(
            "No attempt matches." if filtered else f"No submissions recorded yet in {where}."
        )
    else:
        typer.echo(render_history(attempts, columns(sys.stdout), folder), nl=False)
    if notice:
        from assistant.terminal_text import literal

        typer.echo("\n" + literal(notice, newlines=True), err=True)


def _open_note(a: Attempt, folder: Path) -> str:
    """For an attempt still open (started, filled): whether its run lives, and if not how to
    close it; "" for any other."""
    from assistant.records import runlock
    from assistant.records.journal import OPEN

    if a.state not in OPEN:
        return ""
    alive = runlock.holder(folder, a.profile_path)
    if alive is not None and alive.token == a.owner:
        return f"in progress: pid {alive.pid}"
    return f"run ended, nothing clicked: assistant settle {a.id} --not-submitted"


def matches(attempt: Attempt, text: str) -> bool:
    """Whether `text` is part of the attempt's profile label or file path (any case), or
    names the same file."""
    needle = text.casefold()
    if needle in attempt.profile_label.casefold() or needle in attempt.profile_path.casefold():
        return True
    try:
        return str(Path(text).expanduser().resolve()) == attempt.profile_path
    except (OSError, RuntimeError):
        return False


def render_history(attempts: list[Attempt], width: int | None, folder: Path) -> str:
    """The attempts as blocks (see the module docstring), each line ending in a line break;
    `width` None means no wrapping."""
    blocks = ["".join(_lines(a, width, folder)) for a in attempts]
    return "\n".join(blocks)


def _lines(a: Attempt, width: int | None, folder: Path) -> list[str]:
    from assistant.terminal_text import literal

    when = a.updated_at[:16].replace("T", " ")
    head = f"attempt {a.id}  {literal(a.state)}  {when} UTC"
    if a.feedback_id:
        head += f"  Feedback ID {literal(a.feedback_id)}"
    count = len(a.numbers)
    shown = ", ".join(a.numbers[:SHOWN_NUMBERS])
    if count > SHOWN_NUMBERS:
        shown += f" and {count - SHOWN_NUMBERS} more"
    lines = [
        *_wrapped(head, width, indent=""),
        *_wrapped(
            f"{literal(a.profile_label)}, submission {a.part} of {a.parts}, to "
            f"{literal(a.portal)}{_at(a)}: {count} number{'' if count == 1 else 's'} ({shown})",
            width,
        ),
    ]
    if a.profile_path:
        lines += _path("profile", literal(a.profile_path), width)
    for shot in screenshots(a, folder):
        lines += _path("screenshot", literal(str(shot)), width)
    note = _open_note(a, folder)
    if note:
        lines += _wrapped(note, width)
    elif a.reason and a.state != "submitted":
        lines += _wrapped(f"reason: {literal(a.reason)}", width)
    if a.receipt_path:
        lines += _path("receipt", literal(a.receipt_path), width)
    return [f"{line}\n" for line in lines]


def screenshots(a: Attempt, folder: Path) -> list[Path]:
    """The review screenshot(s) of an attempt: those the journal holds (a confirmed one),
    else those its run's folder holds under its profile's and submission's name."""
    from assistant.records import runfiles

    if a.screenshots:
        return [Path(s) for s in a.screenshots]
    if not a.run_id or a.run_id in (".", "..") or "/" in a.run_id or "\\" in a.run_id:
        return []
    first = a.numbers[0] if a.numbers else ""
    return runfiles.review_shots(folder / "runs" / a.run_id, a.profile_label, a.part, first)


def _at(a: Attempt) -> str:
    """ " at HOST" (or " at HOST (practice)"), or "" when the journal did not record a host."""
    from assistant.terminal_text import literal

    return f" at {literal(a.destination.describe())}" if a.destination.host else ""


def _wrapped(text: str, width: int | None, indent: str = "  ") -> list[str]:
    """`text` indented, wrapped between words at `width` (a word is never broken)."""
    from assistant.terminal_text import wrap

    return wrap(text, width, indent=indent, subsequent=indent + "  ").split("\n")


def _path(name: str, path: str, width: int | None) -> list[str]:
    """`  name: PATH`, or the path whole on a line of its own when that does not fit."""
    line = f"  {name}: {path}"
    if width is None or len(line) <= width:
        return [line]
    return [f"  {name}:", f"    {path}"]
