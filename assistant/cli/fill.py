"""`assistant fill PROFILE`: fill the portal from a profile, stop for review, submit if told."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import app
from assistant.cli.plan import PortalOption
from assistant.errors import ExitCode

if TYPE_CHECKING:
    from assistant.session import Outcome


@app.command()
def fill(
    profile: Annotated[Path, typer.Argument(help="The profile to register.", show_default=False)],
    portal: PortalOption = "fcr",
    url: Annotated[
        str | None,
        typer.Option("--url", help="Start here instead of the map's URL (e.g. a replica)."),
    ] = None,
    headless: Annotated[bool, typer.Option("--headless", help="Run the browser unseen.")] = False,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Private folder for runs and records.")
    ] = None,
    submit_timeout: Annotated[
        float | None,
        typer.Option("--submit-timeout", help="Seconds to wait for the answer to the submit."),
    ] = None,
) -> None:
    """Fill the portal in a browser, show what the page holds, and submit only when you type
    `submit`. Exit 0 submitted, 1 invalid profile, 3 not confirmed, 4 portal mismatch or
    failure, 7 outcome unknown."""
    from assistant import browser, gates
    from assistant.errors import NotConfirmed
    from assistant.plan import build_plan
    from assistant.portals import load_portal
    from assistant.profiles import load_profile
    from assistant.session import FillOptions, Session, Source, new_run_dir

    loaded = load_profile(profile)
    portal_map = load_portal(portal)
    result = build_plan(loaded.profile, portal_map, url)
    terminal = gates.Terminal()
    if not terminal.is_tty():
        raise NotConfirmed(
            "Input is not a terminal, so nobody could review and confirm; nothing was opened "
            "or submitted. Run `assistant fill` in a terminal."
        )
    info = browser.find_browser()
    if not headless and not browser.display_available():
        terminal.say("No display found: the browser runs headless (you cannot type in it).")
        headless = True
    options = FillOptions(
        portal=portal_map,
        url=url,
        headless=headless,
        data_dir=data_dir,
        submit_timeout_s=submit_timeout,
    )
    run_dir = new_run_dir(loaded.profile.label, data_dir)
    terminal.say(f"Screenshots and records of this run: {run_dir}")
    with browser.running_browser(info, headless=headless) as launched:
        session = Session(
            launched,
            options,
            terminal,
            gates.TerminalCodeSource(terminal),
            run_dir=run_dir,
            source=Source(str(loaded.path), loaded.sha256),
        )
        outcomes = session.run(loaded.profile, result)
    raise typer.Exit(int(exit_code(outcomes, len(result.submissions))))


def exit_code(outcomes: list[Outcome], planned: int) -> ExitCode:
    """0 when every planned submission was accepted; 7 if any ended unknown; else 4."""
    if any(o.state == "unknown" for o in outcomes):
        return ExitCode.OUTCOME_UNKNOWN
    if len(outcomes) == planned and all(o.state == "submitted" for o in outcomes):
        return ExitCode.OK
    return ExitCode.PORTAL
