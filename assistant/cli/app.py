"""The Typer application every command module registers itself on."""

from __future__ import annotations

from datetime import date, datetime
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

# `due` and `report` count the days to a number's next registration the same way.
WindowDaysOption = Annotated[
    int,
    typer.Option(
        "--days", min=1, metavar="DAYS", help="Days after which a registration is due again."
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Count from this day instead of today, written like 2027-01-15.",
    ),
]


def day_of(text: str) -> date:
    """`--as-of`'s `text` (YYYY-MM-DD) as a date; `UsageError` if it is not one."""
    from assistant.errors import UsageError

    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date; write it like 2027-01-15") from None


def _arguments_by_their_names() -> None:
    """Show an argument that has a metavar by that name alone, as click does: typer writes its
    Python type after it in `--help` (`PATHS <list[Path]>`, `PROFILE <path>`) and braces round
    a required one in the usage line (`{PROFILE}`), which people do not read as meant."""
    from typer.core import TyperArgument

    typed = TyperArgument.display_type_rich
    usage = TyperArgument._usage_display_name

    def display_type_rich(self: TyperArgument, ctx: typer.Context) -> str | None:
        return None if self.metavar is not None else typed(self, ctx)

    def usage_display_name(self: TyperArgument) -> str:
        if self.metavar is None:
            return usage(self)
        name = self.metavar if self.required else f"[{self.metavar}]"
        return name + ("..." if self.nargs != 1 else "")

    setattr(TyperArgument, "display_type_rich", display_type_rich)  # noqa: B010
    setattr(TyperArgument, "_usage_display_name", usage_display_name)  # noqa: B010


_arguments_by_their_names()

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
