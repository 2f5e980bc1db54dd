"""`assistant check`: does the live portal still look like its map? Nothing is typed."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.app import app
from assistant.cli.plan import PortalOption
from assistant.errors import ExitCode


@app.command()
def check(
    portal: PortalOption = "fcr",
    url: Annotated[
        str | None, typer.Option("--url", help="Check this start URL instead of the map's.")
    ] = None,
    headless: Annotated[bool, typer.Option("--headless", help="Run the browser unseen.")] = False,
) -> None:
    """Open the portal, check each step reachable without a code against the map, list the
    live options of each select, and report drift. Exit 0 when it matches, 4 when not."""
    from assistant import browser
    from assistant.fill import Timeouts
    from assistant.portals import load_portal
    from assistant.survey import survey

    portal_map = load_portal(portal)
    start = url or portal_map.start_url
    hosts = [browser_host(url)] if url else list(portal_map.allowed_hosts)
    info = browser.find_browser()
    if not headless and not browser.display_available():
        print("No display found: the browser runs headless.")
        headless = True
    print(f"Checking {start} against the map {portal_map.name} ({portal_map.title})")
    with browser.running_browser(info, headless=headless) as launched:
        guard = browser.GuardedContext(launched, hosts)
        try:
            browser.load_page(guard.page, start)
            reports = survey(guard.page, portal_map, Timeouts(), guard)
        finally:
            guard.close()
    drift = 0
    marks = {"ok": "ok   ", "absent": "--   "}
    for report in reports:
        print(f"step {report.name}: {report.note}")
        for item in report.fields:
            mark = marks.get(item.status, "DRIFT")
            found = f" found by {item.anchor}" if item.anchor else ""
            detail = f": {item.detail}" if item.detail else ""
            print(f"  {mark} {item.field}{found}{detail}")
            if item.options:
                print(f"        options: {', '.join(item.options)}")
        drift += len(report.drift)
    if drift:
        print(f"{drift} difference(s) from the map; edit the map or wait for a fix.")
        raise typer.Exit(int(ExitCode.PORTAL))
    print("The portal matches its map.")


def browser_host(url: str) -> str:
    """The host name of `url`."""
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""
