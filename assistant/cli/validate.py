"""`assistant validate PATH...`: check profiles without a browser, and say what is wrong where.

The typer command gives `validate` its help and parses unusual arguments; a plain
`validate [--json] PATH…` never comes here (see `assistant.cli.validation`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.app import DataDirOption, app


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATHS",
            help="Profile files, or folders searched for *.yaml / *.yml.",
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable report instead.")
    ] = False,
    portal: Annotated[
        str | None,
        typer.Option(
            "--portal",
            metavar="MAP",
            help="Warn about values not among the options this map's portal showed last "
            "(remembered by check and fill; default: fcr's, when remembered).",
            show_default=False,
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url", metavar="URL", help="The options shown at this URL (e.g. a replica)."
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Check profiles without a browser.

    Prints every problem as FILE:LINE:COL: path: message, then a summary.

    Exit 0 when all are valid (warnings allowed), 1 when any is invalid, 2 for a bad path.
    """
    from assistant.cli.validation import run

    raise typer.Exit(run(paths, as_json=as_json, portal=portal, url=url, data_dir=data_dir))
