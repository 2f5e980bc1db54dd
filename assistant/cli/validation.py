"""What `assistant validate` prints and the code it exits with, without the CLI framework.

`validate` is the command people run most, often from an editor or a pre-commit hook, so it
must start fast: importing typer (and with it click and a second pass over pydantic) cost more
than checking a profile. `assistant.cli.main` therefore runs a plain `validate [--json] PATH…`
here directly (`parse` says whether the arguments are that plain); anything else (`--help`, an
unknown option, no path) goes to the typer command in `assistant.cli.validate`, which calls
`run` too, so both routes print exactly the same.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ExitCode

if TYPE_CHECKING:
    from assistant.portals.model import PortalMap
    from assistant.profiles import Report


def parse(args: list[str]) -> tuple[list[Path], bool] | None:
    """(paths, as_json) for `validate`'s own arguments when they are only paths and `--json`;
    None for anything else, which the typer command parses (and explains) instead."""
    paths: list[Path] = []
    as_json = False
    for arg in args:
        if arg == "--json":
            as_json = True
        elif arg.startswith("-"):
            return None  # `--help`, `--`, `-`, an unknown or misspelled option: typer's job
        else:
            paths.append(Path(arg))
    return (paths, as_json) if paths else None


def run_as_command(paths: list[Path], *, as_json: bool) -> int:
    """`run`, ending as every typer command ends, so that both routes end alike: Ctrl-C exits
    130 without a word, and a reader that stops early (`assistant validate profiles | head`)
    ends it with exit 1, without a traceback."""
    try:
        return run(paths, as_json=as_json)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Python's advice (the signal module's note on SIGPIPE): point stdout at devnull, or
        # the flush at exit fails once more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def run(
    paths: list[Path],
    *,
    as_json: bool,
    portal: str | None = None,
    url: str | None = None,
    data_dir: Path | None = None,
) -> int:
    """Check the profiles at `paths`, print every problem and a summary (or the JSON report),
    and return the exit code: 0 when all are valid (warnings allowed), 1 when any is invalid.
    A path that is not there raises `UsageError` (exit 2), as every command's errors do.
    Values not among the options a portal showed last are warnings (`option_warnings`); with
    `portal`, caller names too long for phones are warned about only where that portal takes
    caller names (`caller_name_warnings`)."""
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
    return int(ExitCode.INVALID if invalid else ExitCode.OK)


def option_warnings(
    report: Report, portal: str | None, url: str | None, data_dir: Path | None
) -> None:
    """Add a warning to each valid profile for every value not among the options the
    portal showed last (`assistant.portals.seen`), or, for a field no page showed, among the
    options its map knows from the portal facts (`known_options`). Without --portal, the
    default map's. Without --portal, --url or remembered options, only the known options
    are read (`assistant.portals.known`): the maps' model is not imported for them."""
    from assistant.paths import data_dir_path

    # (the folder `assistant.portals.seen` keeps its files in; importing it to ask would cost
    # every validate the portal maps' import)
    remembered = data_dir_path(data_dir) / "options"
    if portal is None and url is None and not remembered.exists():
        from assistant.errors import Problem
        from assistant.portals import known

        lists = known.shipped_known(known.DEFAULT_PORTAL)
        for result in report.results:
            loaded = result.loaded
            if loaded is None:
                continue
            for path, message in known.problems_for(loaded.profile, lists, known.DEFAULT_PORTAL):
                file, line, column = loaded.places.get(path, (str(loaded.path), 1, 1))
                result.problems.append(Problem(file, line, column, path, message, "warning"))
        return
    from assistant.portals import DEFAULT_PORTAL, load_portal, seen

    portal_map = load_portal(portal or DEFAULT_PORTAL, url)
    if portal is not None:
        caller_name_warnings(report, portal_map)
        portal_needs(report, portal_map, url)
    host = seen.host_for(portal_map, url)
    lists_seen = seen.remembered(data_dir, portal_map.name, host)
    for result in report.results:
        if result.loaded is not None:
            result.problems.extend(
                seen.warnings(result.loaded, portal_map, lists_seen, host=host, known=True)
            )


def portal_needs(report: Report, portal_map: PortalMap, url: str | None) -> None:
    """What `--portal`'s map needs that a valid profile leaves out (a dispute form's `dispute:`
    section, a value the map requires) is an error here, as `plan` and `fill` would find it:
    "all valid" must not be said of a profile the named portal would refuse."""
    from assistant.errors import ProfileError
    from assistant.portals.plan import build_plan

    for result in report.results:
        loaded = result.loaded
        if loaded is None or result.errors:
            continue
        try:
            build_plan(loaded.profile, portal_map, url, where=str(loaded.path))
        except ProfileError as refused:
            result.problems.extend(p for p in refused.problems if p.path != "numbers")


def caller_name_warnings(report: Report, portal_map: PortalMap) -> None:
    """Caller names too long for phones matter only where they are sent: for a portal whose
    map has no caller-name field (none mapped, or a repair says the page has none) the warnings
    go; where the map does not know whether the page has one, they say so."""
    from assistant.errors import Problem
    from assistant.portals.model import RowsAction
    from assistant.portals.overrides import NOWHERE

    rows = [a for step in portal_map.steps for a in step.actions if isinstance(a, RowsAction)]
    mapped = [a for a in rows if a.display_name is not None and a.display_name != NOWHERE]
    unknown = all(a.display_name_when_present for a in mapped)
    for result in report.results:
        kept: list[Problem] = []
        for problem in result.problems:
            if problem.severity != "warning" or problem.path.rpartition(".")[2] != "display_name":
                kept.append(problem)
            elif mapped and unknown:
                said = (
                    f"{problem.message} (if the {portal_map.name} portal takes caller names: "
                    "its map does not know)"
                )
                kept.append(replace(problem, message=said))
            elif mapped:
                kept.append(problem)
        result.problems[:] = kept


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
