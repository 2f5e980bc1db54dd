"""The Typer application every command module registers itself on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="assistant",
    help=(
        "Registers outbound calling numbers with the Free Caller Registry from saved profiles, "
        "in a real browser, stopping for you to review and confirm before anything is submitted."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every step to stderr."),
) -> None:
    """Set up redacted logging for whichever command runs."""
    from assistant import log

    log.setup(verbose=verbose)
