"""`assistant check`: does the live portal still look like its map? Nothing is typed."""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.cli.plan import PortalOption
from assistant.errors import ExitCode

if TYPE_CHECKING:
    from assistant.browser.drift import StepReport
    from assistant.portals.model import PortalMap


@app.command()
def check(
    portal: PortalOption = "fcr",
    url: Annotated[
        str | None,
        typer.Option("--url", metavar="URL", help="Check this start URL instead of the map's."),
    ] = None,
    headless: Annotated[bool, typer.Option("--headless", help="Run the browser unseen.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Compare the live portal with its map; types nothing.

    Opens the portal, checks each step it can reach without the emailed code against the
    map, lists the live options of each select, and reports drift. The options are
    remembered, so that validate, plan and fill can warn about a value the portal lacks.

    Exit 0 when it matches, 4 when not.
    """
    from assistant.browser import guarded_context, launch, loading
    from assistant.browser.drift import seen_options, survey
    from assistant.browser.step_state import Timeouts
    from assistant.hosts import allow_list
    from assistant.paths import data_dir as private_data_dir
    from assistant.portals import checked, load_portal, seen
    from assistant.portals.overrides import settle_legacy
    from assistant.portals.repairs import in_force, repair_command
    from assistant.terminal_text import columns

    portal_map = load_portal(portal, url)
    folder = private_data_dir(data_dir)  # refused here, before the browser opens, if unsafe
    start = url or portal_map.start_url
    hosts = allow_list(url, portal_map.allowed_hosts)
    info = launch.find_browser()
    if not headless and not launch.display_available():
        print("No display found: the browser runs headless.")
        headless = True
    print(f"Checking {start} against the map {portal_map.name} ({portal_map.title})")
    for line in (getattr(portal_map, "legacy_notice", ""), in_force(portal_map)):
        if line:
            say(line, None)
    settle_legacy(portal_map)  # said once
    with launch.running_browser(info, headless=headless) as launched:
        guard = guarded_context.GuardedContext(launched, hosts)
        try:
            loading.load_page(guard.page, start)
            reports = survey(guard.page, portal_map, Timeouts(), guard)
        finally:
            guard.close()
    # Remembered for validate, plan and fill: a value the portal lacks is then said at once.
    lists = seen_options(reports)
    host = seen.host_for(portal_map, url)
    seen.remember(folder, portal_map.name, host, lists)
    # Remembered for fill and batch: an element found drifted, with no repair since, stops
    # them before an emailed code is spent on it.
    checked.record(folder, portal_map, host, drifted_elements(portal_map, reports))
    width = columns(sys.stdout)
    drift = 0
    marks = {"ok": "ok   ", "absent": "--   "}
    for report in reports:
        say(f"step {report.name}: {report.note}", width)
        for item in report.fields:
            mark = marks.get(item.status, "DRIFT")
            # (a button is named by its anchor already)
            found = (
                f" found by {item.anchor}" if item.anchor and item.anchor not in item.field else ""
            )
            detail = f": {item.detail}" if item.detail else ""
            say(f"  {mark} {item.field}{found}{detail}", width)
            if item.options:
                say(f"        options: {', '.join(item.options)}", width, indent=" " * 17)
        drift += len(report.drift)
    if lists:
        say(
            f"The options of {', '.join(lists)} are remembered in "
            f"{seen.file_for(folder, portal_map.name)}: validate, plan and fill warn about a "
            "profile value they lack.",
            width,
            indent="",
        )
    if drift:
        relabelled = [f.field for r in reports for f in r.drift if f.status == "label"]
        command = repair_command(portal_map, url, "YOUR-PROFILE")
        if command is not None and len(relabelled) == drift:  # found, under another label
            command += "".join(f" --element {shlex.quote(name)}" for name in relabelled)
        say(advice(drift, portal, portal_map.name, command), width, indent="")
        raise typer.Exit(int(ExitCode.PORTAL))
    print("The portal matches its map.")


def drifted_elements(portal: PortalMap, reports: list[StepReport]) -> list[tuple[str, str, str]]:
    """(step, element, detail) of each element `reports` found drifted, the element named as
    repairs name it (`assistant.portals.elements`; a button as the report names it when no
    element of its step is named so)."""
    from assistant.browser.clicks import button_name
    from assistant.portals.elements import elements

    steps = {step.name: step for step in portal.steps}
    found: list[tuple[str, str, str]] = []
    for report in reports:
        step = steps.get(report.name)
        named = elements(step) if step is not None else []
        for item in report.drift:
            names = [e.name for e in named if e.name == item.field]
            names += [
                e.name for e in named if e.kind == "button" and button_name(e.target) == item.field
            ]
            found.append((report.name, names[0] if names else item.field, item.detail))
    return found


def advice(drift: int, portal: str, name: str, command: str | None = None) -> str:
    """What to do about `drift` differences: point at them with `command` (`assistant learn
    …`, for a shipped map), or edit the map file of your own."""
    count = f"{drift} difference{'' if drift == 1 else 's'}"
    if command is None:
        return (
            f"{count} from the map {name}: edit {portal} so that the elements marked DRIFT "
            f"match the portal, then run `assistant check --portal {portal}` again."
        )
    return (
        f"{count} from the map {name}: point at the elements marked DRIFT in the page; to "
        f"repair the map, run `{command}`"
    )


def say(text: str, width: int | None, indent: str = "      ") -> None:
    """Print `text` literally (it holds the live page's words), wrapped between words."""
    from assistant.terminal_text import literal, wrap

    print(wrap(literal(text), width, subsequent=indent))
