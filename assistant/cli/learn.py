"""`assistant learn --profile PROFILE`: repair a shipped map by pointing at the portal's page
(the walk is `assistant.sitting.learn`; the repairs `assistant.portals.overrides`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.app import app
from assistant.cli.batch import UrlOption

ShippedPortalOption = Annotated[
    str,
    typer.Option(
        "--portal",
        metavar="MAP",
        help="The shipped map to repair: fcr (2026 wizard, the default) or fcr-classic (2024).",
    ),
]

NO_DISPLAY = (
    "learn shows you the portal in a browser window to click in, and this machine has no "
    "display (DISPLAY and WAYLAND_DISPLAY are not set): run it at your desktop, over `ssh -X`, "
    "or under `xvfb-run` with a VNC viewer (e.g. x11vnc) to see and click in that window."
)


@app.command()
def learn(
    profile: Annotated[
        Path,
        typer.Option(
            "--profile",
            metavar="PROFILE",
            help="The profile whose values are typed so that later steps open.",
            show_default=False,
        ),
    ],
    portal: ShippedPortalOption = "fcr",
    url: UrlOption = None,
    element: Annotated[
        list[str] | None,
        typer.Option(
            "--element",
            metavar="ELEMENT",
            help='Teach this element again although it is found ("calls per month", or '
            '"business: continue" where several steps have one); repeatable.',
            show_default=False,
        ),
    ] = None,
) -> None:
    """Repair a map by clicking in the portal what it cannot find.

    Opens the portal in a browser you can see and walks it like a fill (you type the
    emailed code as usual) up to the review; nothing is ever submitted. Wherever the map
    cannot find an element, finds several, or you named it with --element, the page asks
    you to click it. At the end it shows the repairs against the shipped map and saves
    them when you type yes.

    Exit 0 saved (or nothing to repair), 1 invalid profile or map, 2 bad option,
    3 not saved, 4 the portal failed, 5 no display or no browser.
    """
    from assistant.browser import guarded_context, launch, overlay
    from assistant.errors import NoDisplay, NotConfirmed, PortalError, UsageError
    from assistant.hosts import host_of
    from assistant.portals import available_portals
    from assistant.portals.elements import find_element
    from assistant.portals.loader import load_shipped
    from assistant.portals.overrides import overrides_path, read_overrides
    from assistant.profiles import load_profile
    from assistant.sitting.code_sources import TerminalCodeSource
    from assistant.sitting.learn import LearnOptions, allowed_hosts, offer_to_save
    from assistant.sitting.learn import learn as walk
    from assistant.sitting.terminal import Terminal

    if not launch.display_available():
        raise NoDisplay(NO_DISPLAY)
    if portal not in available_portals():
        known = ", ".join(available_portals())
        raise UsageError(
            f"learn repairs a shipped map ({known}); a map file of your own is repaired by "
            "editing it"
        )
    terminal = Terminal()
    if not terminal.is_tty():
        raise NotConfirmed(
            "Input is not a terminal: learn asks you for the emailed code and before saving; "
            "nothing was opened. Run `assistant learn` in a terminal."
        )
    loaded = load_profile(profile)
    shipped = load_shipped(portal)
    # Repairs belong to the host they are made for: the `--url`'s, else the real portal.
    host = host_of(url) if url else shipped.real_host
    existing = read_overrides(shipped, overrides_path(portal), host)
    reteach: set[tuple[str, str]] = set()
    for wanted in element or ():
        try:
            found = find_element(shipped, wanted)
        except ValueError as error:
            raise UsageError(str(error)) from None
        reteach.add((found.step, found.name))
    info = launch.find_browser()
    submit = shipped.submit_action().request
    with launch.running_browser(info, headless=False) as launched:
        guard = guarded_context.GuardedContext(
            launched,
            allowed_hosts(shipped, url),
            guarded_context.SubmitRule(submit.method, submit.url) if submit else None,
            allowed=[guarded_context.SubmitRule(r.method, r.url) for r in shipped.allow_requests],
        )
        try:
            learnt = walk(
                guard,
                shipped,
                existing,
                loaded.profile,
                person=overlay.AtTheBrowser(),
                code_source=TerminalCodeSource(terminal),
                say=terminal.say,
                options=LearnOptions(url=url, reteach=frozenset(reteach)),
            )
        finally:
            guard.close()
    if learnt.stopped:
        terminal.say(f"Learning stopped before the review: {learnt.stopped}")
    saved = offer_to_save(terminal, portal, shipped, learnt, host)
    if saved is not None:
        where = "" if url else f"; `assistant map diff {portal}` lists them"
        terminal.say(
            f"Saved to {saved}, for {host}. Every fill, batch, plan and check of {portal} "
            f"at {host} uses them, and only there{where}."
        )
    if learnt.stopped:  # what was learnt may be saved; the rest of the portal was not seen
        raise PortalError(
            f"learning stopped before the review ({learnt.stopped}); run `assistant learn` "
            "again to go further"
        )
