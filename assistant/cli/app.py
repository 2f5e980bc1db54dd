"""The Typer application every command module registers itself on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# Every command that reads or writes the private data folder takes the same option.
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DIR",
        help="Private folder for the journal, runs and receipts "
        "(default: $ASSISTANT_DATA_DIR, else the platform's data folder).",
    ),
]

app = typer.Typer(
    name="assistant",
    help=(
        "Registers outbound calling numbers with the Free Caller Registry from saved profiles, "
        "in a real browser, stopping for you to review and confirm before anything is submitted."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every step to stderr."),
) -> None:
    """Set up redacted logging for whichever command runs."""
    from assistant import log

    log.setup(verbose=verbose)
