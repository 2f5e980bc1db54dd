"""`assistant receipt ID`: where a submission's receipt is, or open it in a web browser."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from assistant.records.journal import Attempt, Journal


@app.command()
def receipt(
    which: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="An attempt number (as `assistant history` shows it) or a Feedback ID.",
            show_default=False,
        ),
    ],
    open_it: Annotated[
        bool, typer.Option("--open", help="Also open the receipt in the system's web browser.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Print the path of a submission's receipt, or open it.

    A receipt missing from disk is written again from the journal. Exit 0 when the path is
    printed (and, with --open, the receipt opened), 1 when no web browser could open it,
    2 when the journal holds no such submission or it has no receipt.
    """
    from assistant.records.journal import Journal
    from assistant.terminal_text import literal

    with Journal.open(data_dir) as journal:
        attempt = find(journal, which)
        path = _receipt_file(journal, attempt)
    typer.echo(literal(path))
    if open_it and not _open(path):
        typer.echo(
            "No web browser was found to open it on this machine; open the file above "
            "yourself, or name a browser in $BROWSER.",
            err=True,
        )
        raise typer.Exit(int(ExitCode.INVALID))


def find(journal: Journal, which: str) -> Attempt:
    """The attempt `which` names: its number, or the Feedback ID it was given (any case);
    `UsageError` when the journal holds neither."""
    from assistant.terminal_text import literal

    text = which.strip()
    if text.isdigit():
        return journal.get(int(text))
    wanted = text.upper()
    for attempt in journal.history():
        if attempt.feedback_id is not None and attempt.feedback_id.upper() == wanted:
            return attempt
    raise UsageError(
        f"no submission with Feedback ID {literal(text)!r} is in the journal at "
        f"{journal.path}; `assistant history` lists every attempt"
    )


def _receipt_file(journal: Journal, attempt: Attempt) -> Path:
    """The receipt of a submitted attempt, written again when it is missing from disk."""
    from assistant.records import receipts
    from assistant.terminal_text import literal

    if attempt.feedback_id is None:
        why = f"{attempt.state}: {literal(attempt.reason)}" if attempt.reason else attempt.state
        if attempt.state in ("intent", "unknown"):
            raise UsageError(
                f"attempt {attempt.id} has no receipt: its outcome is unknown ({why}); once "
                f"you know, run 'assistant settle {attempt.id} --submitted FEEDBACK_ID' "
                "(which writes the receipt) or --not-submitted"
            )
        raise UsageError(f"attempt {attempt.id} has no receipt: it was not submitted ({why})")
    if attempt.receipt_path and Path(attempt.receipt_path).is_file():
        return Path(attempt.receipt_path)
    # Moved, deleted, or never written (disk full then): the journal holds all it shows.
    path = receipts.write_receipt(journal.folder, attempt)
    journal.attach_receipt(attempt.id, path)
    return path


def _open(path: Path) -> bool:
    """Open `path` with the system's web browser; False when there is none (or it failed)."""
    import webbrowser

    try:
        viewer = webbrowser.get()
    except webbrowser.Error:
        return False
    return bool(viewer.open(path.resolve().as_uri()))
