"""`assistant validate PATH...`: check profiles without a browser, and say what is wrong where."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.app import DataDirOption, app
from assistant.errors import ExitCode

if TYPE_CHECKING:
    from assistant.profiles import Report


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
    from assistant.profiles import check_profiles
    from assistant.terminal_text import json_text, literal

    report = check_profiles(paths)
    option_warnings(report, portal, url, data_dir)
    if as_json:
        print(json_text(_as_json(report)))
    else:
        for result in report.results:
            for problem in result.problems:
                print(literal(problem))
        print(summary(report))
    invalid = any(not r.valid for r in report.results)
    raise typer.Exit(int(ExitCode.INVALID if invalid else ExitCode.OK))


def option_warnings(
    report: Report, portal: str | None, url: str | None, data_dir: Path | None
) -> None:
    """Add a warning to each valid profile for every value not among the options the
    portal showed last (`assistant.portals.seen`). Without --portal (nor --url), only when
    some options are remembered: nothing else is imported or loaded otherwise."""
    from assistant.paths import data_dir_path

    # (the folder `assistant.portals.seen` keeps its files in; importing it to ask would cost
    # every validate the portal maps' import)
    remembered = data_dir_path(data_dir) / "options"
    if portal is None and url is None and not remembered.exists():
        return
    from assistant.portals import DEFAULT_PORTAL, load_portal, seen

    portal_map = load_portal(portal or DEFAULT_PORTAL)
    host = seen.host_for(portal_map, url)
    lists = seen.remembered(data_dir, portal_map.name, host)
    for result in report.results:
        if result.loaded is not None and lists:
            result.problems.extend(seen.warnings(result.loaded, portal_map, lists, host=host))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    """One line: `3 profiles, 57 numbers: all valid` or `1 of 3 profiles invalid (4 errors)`."""
    total = len(report.results)
    invalid = [r for r in report.results if not r.valid]
    warnings = sum(len(r.problems) - len(r.errors) for r in report.results)
    if invalid:
        errors = sum(len(r.errors) for r in invalid)
        return f"{len(invalid)} of {_plural(total, 'profile')} invalid ({_plural(errors, 'error')})"
    tail = f" ({_plural(warnings, 'warning')})" if warnings else ""
    return f"{_plural(total, 'profile')}, {_plural(report.numbers, 'number')}: all valid{tail}"


def _as_json(report: Report) -> dict[str, Any]:
    profiles = []
    for result in report.results:
        loaded = result.loaded
        profiles.append(
            {
                "path": str(result.path),
                "valid": result.valid,
                "label": loaded.profile.label if loaded else None,
                "numbers": len(loaded.profile.numbers) if loaded else None,
                "sha256": loaded.sha256 if loaded else None,
                "problems": [
                    {
                        "file": p.file,
                        "line": p.line,
                        "column": p.column,
                        "path": p.path,
                        "message": p.message,
                        "severity": p.severity,
                    }
                    for p in result.problems
                ],
            }
        )
    return {
        "valid": all(r.valid for r in report.results),
        "summary": summary(report),
        "profiles": profiles,
    }
