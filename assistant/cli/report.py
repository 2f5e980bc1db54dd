"""`assistant report [PROFILES]`: every number, where it is registered and when it falls due.

One page (or CSV, `--csv`) for the whole data folder: a row per number the journal knows or a
profile given lists, a column per registry the journal names (see `assistant.records.report`
for what a cell says, `assistant.records.report_page` for the page and the CSV).

Written into the private data folder, `<data dir>/reports/numbers-DATE.html` (or `.csv`),
mode 0600 in a 0700 folder, unless `--out FILE` names another file (also written 0600: it
holds every number and Feedback ID) or `--out -` (printed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import AsOfOption, DataDirOption, WindowDaysOption, app, day_of
from assistant.records.duplicates import DEFAULT_WINDOW_DAYS

if TYPE_CHECKING:
    from assistant.records.report import Listed


@app.command()
def report(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PROFILES",
            help="Profile files or folders whose numbers to include, sent or not.",
            show_default=False,
        ),
    ] = None,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Write CSV (a number file's columns first), not HTML.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Write here (0600) instead of the data folder's reports/; - prints it.",
        ),
    ] = None,
    days: WindowDaysOption = DEFAULT_WINDOW_DAYS,
    as_of: AsOfOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write one page of every number's registrations.

    Each number, its profile, and for each registry its last Feedback ID, date, real or
    practice and next due date; attempts to settle or still open are marked; numbers of the
    PROFILES given that were never sent say "not registered". Sortable and filterable in a
    browser without a network, printable; --csv for a spreadsheet.
    """
    from assistant import paths as private
    from assistant.records import report_page
    from assistant.records.journal import Journal
    from assistant.records.report import build

    today = day_of(as_of) if as_of is not None else datetime.now(UTC).date()
    listed = _listed(paths or [])
    with Journal.open(data_dir, read_only=True) as journal:
        attempts = journal.history()
        source = journal.path
        folder = journal.folder
    made = build(attempts, listed, today=today, days=days)
    csv_wanted = as_csv or (out is not None and out.suffix.lower() == ".csv")
    text = (
        report_page.render_csv(made) if csv_wanted else report_page.render_html(made, str(source))
    )
    if out is not None and str(out) == "-":
        typer.echo(text, nl=False)
        return
    if out is None:
        folder = private.data_dir(folder)  # written into: it must be there, and private
        target = private.private_dir(folder / "reports") / (
            f"numbers-{today.isoformat()}.{'csv' if csv_wanted else 'html'}"
        )
    else:
        target = out.expanduser().absolute()
    private.write_private(target, text.encode("utf-8"))
    count = len(made.rows)
    typer.echo(f"Report of {count} number{'' if count == 1 else 's'} written to {target}")


def _listed(paths: list[Path]) -> list[Listed]:
    """Every number of the profiles at `paths`; `ProfileError` naming every problem of a file
    that is not a valid profile. A number two profiles list is no problem here: its row names
    both."""
    if not paths:
        return []
    from assistant.errors import ProfileError
    from assistant.profiles import check_profiles
    from assistant.records.report import Listed

    results = check_profiles(paths).results
    problems = [p for r in results if r.loaded is None for p in r.problems]
    if problems:
        raise ProfileError(problems)
    return [
        Listed(
            number=n.number,
            profile_label=r.loaded.profile.label,
            profile_path=str(r.loaded.path.resolve()),
            display_name=n.display_name or r.loaded.profile.display_name or "",
        )
        for r in results
        if r.loaded is not None
        for n in r.loaded.profile.numbers
    ]
