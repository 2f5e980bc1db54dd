"""`assistant batch PATH...`: many profiles in one sitting, each submission reviewed and confirmed.

`run_profiles` is also what `assistant fill PROFILE` calls: a fill is a batch of one that stops
(exit 6) on an unknown outcome or when nothing is left to send, and otherwise sends only the
numbers not yet sent. Both hold the run lock of every
profile they run (`assistant.records.runlock`) from before the journal is read to the end: a second
run of a profile another run holds stops at once, before any browser opens (exit 6, naming that
run's pid and start time); attempts a run that has ended left open are closed as not sent.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.records.duplicates import DEFAULT_WINDOW_DAYS

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from playwright.sync_api import Browser

    from assistant.browser.launch import BrowserInfo
    from assistant.sitting.jobs import BatchReport
    from assistant.sitting.terminal import Terminal

PortalsOption = Annotated[
    str,
    typer.Option(
        "--portal",
        metavar="MAP[,MAP...]",
        help="Portal map: fcr (the default: the 2026 wizard), fcr-classic (2024), trf (TNS "
        "robocall feedback), vsf (Verizon voice spam feedback) or a .yaml file; several "
        "separated by commas (fcr,trf,vsf) send each profile to each registry, one review each.",
    ),
]
UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url", metavar="URL", help="Start here instead of the map's URL (e.g. a replica)."
    ),
]
HeadlessOption = Annotated[bool, typer.Option("--headless", help="Run the browser unseen.")]
ResubmitOption = Annotated[
    bool,
    typer.Option(
        "--resubmit",
        help="Send numbers again although they were submitted within the window "
        "(the review says RESUBMITTING). Unknown outcomes must still be settled first.",
    ),
]
WindowOption = Annotated[
    int,
    typer.Option(
        "--window-days",
        min=1,
        metavar="DAYS",
        help="Numbers submitted this many days back count as sent.",
    ),
]
SubmitTimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--submit-timeout", metavar="SECONDS", help="Seconds to wait for the answer to the submit."
    ),
]
TraceOption = Annotated[
    bool,
    typer.Option(
        "--trace",
        help="Record a Playwright trace of each submission in the run's private folder "
        "(it holds every value typed; the run prints how to open it).",
    ),
]
MaskContactOption = Annotated[
    bool,
    typer.Option(
        "--mask-contact",
        help="Black out the contact email, phone and the code box in screenshots.",
    ),
]


class Codes(StrEnum):
    """Where the emailed codes come from."""

    mailbox = "mailbox"
    terminal = "terminal"


CodesOption = Annotated[
    Codes | None,
    typer.Option(
        "--codes",
        metavar="mailbox|terminal",
        help='Where the emailed codes come from: "terminal" (you type them) or "mailbox" '
        "(read over IMAP; see `assistant mailbox`). Default: codes in the config file, else "
        "terminal.",
        show_default=False,
    ),
]
CodeTimeoutOption = Annotated[
    float,
    typer.Option(
        "--code-timeout",
        min=1,
        metavar="SECONDS",
        help="With --codes mailbox: seconds to wait for the code mail before asking you.",
    ),
]


@app.command()
def batch(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATHS", help="Profile files or folders.", show_default=False),
    ] = None,
    portal: PortalsOption = "fcr",
    url: UrlOption = None,
    headless: HeadlessOption = False,
    data_dir: DataDirOption = None,
    resubmit: ResubmitOption = False,
    due: Annotated[
        bool,
        typer.Option("--due", help="Run the profiles holding numbers due to be registered again."),
    ] = False,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=1,
            metavar="DAYS",
            help="With --due: days after which a registration is due again.",
        ),
    ] = DEFAULT_WINDOW_DAYS,
    window_days: WindowOption = DEFAULT_WINDOW_DAYS,
    submit_timeout: SubmitTimeoutOption = None,
    trace: TraceOption = False,
    mask_contact: MaskContactOption = False,
    codes: CodesOption = None,
    code_timeout: CodeTimeoutOption = 300.0,
) -> None:
    """Register many profiles in one sitting, in one browser.

    Every profile is validated first (nothing runs if one is invalid); then each submission
    is filled, reviewed and submitted when you type submit. Numbers already submitted are
    skipped. With several portals (--portal fcr,trf,vsf), each profile goes to each registry
    in turn, and --url gives where they all are (e.g. the replica's http://127.0.0.1:8765/).

    Exit 0 all submitted or skipped as submitted, 1 invalid profiles, 3 declined or
    stopped, 4 failed, 6 refused (another run sent its numbers meanwhile) or a profile in
    use by another run, 7 outcome unknown, 9 the journal is damaged (nothing ran), 10 the
    journal could not be written, 11 another process kept it locked (the batch stopped; the
    order is 7, 10, 6, 4, 3), 12 the mailbox for --codes mailbox is not set up or cannot be
    read (nothing ran).
    """
    from assistant.errors import UsageError

    if due:
        if paths:
            raise UsageError("give either profile paths or --due, not both")
        paths = _due_profiles(days, data_dir)
        if not paths:
            typer.echo(f"No number is due: none was last registered more than {days} days ago.")
            raise typer.Exit(0)
        window_days = days  # the due numbers are, by definition, outside the window
    elif not paths:
        raise UsageError("name at least one profile file or folder, or pass --due")
    run_profiles(
        paths,
        command="batch",
        portal=portal,
        url=url,
        headless=headless,
        data_dir=data_dir,
        resubmit=resubmit,
        window_days=window_days,
        submit_timeout=submit_timeout,
        trace=trace,
        mask_contact=mask_contact,
        codes=codes,
        code_timeout=code_timeout,
    )


def _due_profiles(days: int, data_dir: Path | None) -> list[Path]:
    """The profile files holding numbers due, each once, oldest due first."""
    from assistant.records.journal import Journal

    with Journal.open(data_dir) as journal:
        found = journal.due(days=days)
    return [Path(p) for p in dict.fromkeys(d.profile_path for d in found)]


def run_profiles(
    paths: list[Path],
    *,
    command: str,
    portal: str,
    url: str | None,
    headless: bool,
    data_dir: Path | None,
    resubmit: bool,
    window_days: int,
    submit_timeout: float | None,
    stop_on_duplicate: bool = False,
    trace: bool = False,
    mask_contact: bool = False,
    codes: Codes | None = None,
    code_timeout: float = 300.0,
) -> None:
    """Validate, guard, run and summarise; exits with the batch's code (see
    `assistant.sitting.batch`)."""
    from assistant.browser import launch
    from assistant.errors import NotConfirmed, PortalMismatch, ProfileError
    from assistant.mailbox import code_source_setup
    from assistant.paths import data_dir as private_data_dir
    from assistant.portals import checked, load_portal
    from assistant.portals.overrides import settle_legacy
    from assistant.profiles import load_profiles
    from assistant.records import runlock
    from assistant.records.journal import Journal
    from assistant.sitting.batch import Batch
    from assistant.sitting.jobs import BatchOptions, plan_registry_jobs, portal_fills
    from assistant.sitting.session import FillOptions
    from assistant.sitting.terminal import Terminal

    names = portal_names(portal)
    # Each with your repairs for the host it runs at (one --url's host serves every map).
    portal_maps = [load_portal(name, url) for name in names]
    loaded, problems = load_profiles(paths)
    if problems:
        raise ProfileError(problems)
    for portal_map in portal_maps:
        legacy = getattr(portal_map, "legacy_notice", "")
        if legacy:
            print(legacy)
            settle_legacy(portal_map)  # said once
    # A mailbox chosen but not set up stops the run here, before anything opens.
    mailbox = code_source_setup(codes.value if codes else None)
    base = FillOptions(
        portal=portal_maps[0],
        url=url,
        headless=headless,
        data_dir=data_dir,
        submit_timeout_s=submit_timeout,
        trace=trace,
        mask_contact=mask_contact,
    )
    fills = portal_fills(portal_maps, base)
    # An element the last `check` found drifted, with no repair since: stopped here, before
    # anything opens and before an emailed code is spent on it (issue 19 item 4).
    first = str(loaded[0].path) if loaded else "PROFILE"  # (a batch may name a folder)
    for name, fill in zip(names, fills, strict=True):
        drifted = checked.refusal(data_dir, fill.portal, name, fill.url, first)
        if drifted is not None:
            raise PortalMismatch(drifted)
    jobs = plan_registry_jobs(loaded, fills)
    terminal = Terminal()
    if not terminal.is_tty():
        raise NotConfirmed(
            "Input is not a terminal, so nobody could review and confirm; nothing was opened "
            f"or submitted. Run `assistant {command}` in a terminal."
        )
    info = launch.find_browser()
    # Said when the browser opens, not before: a run that opens none (everything skipped, a
    # duplicate refused) has nothing to say about a display.
    no_display = not headless and not launch.display_available()
    headless = headless or no_display
    if headless != base.headless:  # each submission's options say how the browser runs
        jobs = [replace(job, fill=replace(job.fill, headless=True)) for job in jobs if job.fill]
        fills = [replace(fill, headless=True) for fill in fills]
    options = BatchOptions(
        fill=fills[0],
        resubmit=resubmit,
        window_days=window_days,
        stop_on_duplicate=stop_on_duplicate,
    )
    profiles = list(dict.fromkeys(job.loaded.path for job in jobs))  # one per registry
    with (
        runlock.hold(private_data_dir(data_dir), profiles, command) as me,
        Journal.open(data_dir, check_integrity=True) as journal,
    ):
        run = Batch(jobs, options, journal, terminal)
        closed = run.close_abandoned(me.token)
        if closed:
            terminal.say(closed)
        if mailbox is not None:  # asks the terminal (Ctrl-C aware) when the mailbox has none
            run.code_source = mailbox.source(
                fallback=run.code_source, say=run.terminal.say, timeout_s=code_timeout
            )
        notice = run.notice()
        if notice:
            terminal.say(notice)
        if stop_on_duplicate:
            run.preflight()
        else:
            run.resume()
        report = run.run(
            lambda: _browser(info, headless=headless, no_display=no_display, terminal=terminal)
        )
    render_summary(report, terminal)
    raise typer.Exit(int(report.exit_code))


def portal_names(portal: str) -> list[str]:
    """The maps `--portal` names: one, or several separated by commas ("fcr,trf,vsf")."""
    from assistant.errors import UsageError

    names = [name.strip() for name in portal.split(",")]
    if not all(names):
        raise UsageError(
            f'--portal "{portal}" has an empty name; write the maps separated by commas, '
            "e.g. --portal fcr,trf,vsf"
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise UsageError(f"--portal names {', '.join(twice)} twice; name each map once")
    return names


def _browser(
    info: BrowserInfo, *, headless: bool, no_display: bool, terminal: Terminal
) -> AbstractContextManager[Browser]:
    """The batch's browser, about to open; headless, said once, where no display was found
    for the headed one asked for."""
    from assistant.browser import launch

    if no_display:
        terminal.say("No display found: the browser runs headless (you cannot type in it).")
    return launch.running_browser(info, headless=headless)


def render_summary(report: BatchReport, terminal: Terminal) -> None:
    """The closing table: every submission with its result, Feedback ID (and the day a real
    registration falls due again) or reason, at the terminal's width (values wrap, never
    cut), every value printed literally; for a practice run its title says PRACTICE and the
    host."""
    from rich.table import Table
    from rich.text import Text

    from assistant.sitting.jobs import STATES, WHEN_SEEN
    from assistant.terminal_text import literal, rendered

    table = Table(title=Text("Summary"), title_justify="left")
    # A batch over several registries: one row per profile, registry and part.
    registries = len({r.registry for r in report.results}) > 1
    columns = ("#", "Profile", "Registry", "Part", "Numbers", "Result", "Feedback ID / reason")
    for column in columns if registries else columns[:2] + columns[3:]:
        table.add_column(Text(column), overflow="fold")
    for position, r in enumerate(report.results, start=1):
        cells = (
            str(position),
            r.label,
            *((r.registry,) if registries else ()),
            f"{r.part} of {r.parts}",
            str(len(r.numbers)),
            r.state,
            f"{r.feedback_id}, due again {r.due}" if r.due else r.feedback_id or r.reason,
        )
        table.add_row(*(Text(literal(cell)) for cell in cells))
    states = STATES + tuple(state for state in WHEN_SEEN if report.count(state))
    counts = ", ".join(f"{report.count(state)} {state}" for state in states)
    lines: list[Table | Text] = [table, Text(f"{counts}.")]
    if report.practice:  # a practice run is never taken for registrations
        said = f"at {literal(report.practice)}, not the real portal: nothing here is registered."
        lines[:0] = [Text(f"PRACTICE {said}")]
    if report.interrupted:
        lines.append(Text("Stopped by Ctrl-C: nothing was clicked after it."))
    terminal.output.write(rendered(lines, width=terminal.width(), colour=False))
    terminal.output.flush()
