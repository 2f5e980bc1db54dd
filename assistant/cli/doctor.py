"""`assistant doctor`: what the assistant runs on, whether a browser really starts, the
state of the private data folder (its permissions, the journal's integrity, and any submission
whose outcome is unknown), and the mailbox the codes can come from (set up or not, where its
password is kept, whether its server answers and the login works: read-only, never a code).

Doctor only looks: it never creates the data folder or the journal, and never changes a mode.
Exit 0 when a browser starts and the data folder can be used (a missing one can, it is made on
first use); 5 when no browser starts; else the exit code of what a command that records would
refuse the data folder with (8 not private, 9 unusable or a damaged journal, 10 read-only);
else 12 when a mailbox is set up that codes cannot be read from (no password, no answer, the
login refused), or 2 or 8 when the config file cannot be used.
Submissions with an unknown outcome are listed but do not change the exit code: they are past
work waiting for a person, not a fault of this machine, and every run names them too.

`--repair-journal` is the one change doctor makes, and only to a damaged journal: a private
copy of it as it was, then its indexes rebuilt (`Journal.repair`), then checked again (exit 0
repaired or nothing to repair, 9 still damaged). The browser is not started then.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.errors import AssistantError, BrowserMissing, ExitCode
from assistant.terminal_text import literal

if TYPE_CHECKING:
    from assistant.paths import DataDirState

# Continuation lines line up under the values: "Data folder " is the longest label.
INDENT = " " * 12


@app.command()
def doctor(
    data_dir: DataDirOption = None,
    repair_journal: Annotated[
        bool,
        typer.Option(
            "--repair-journal",
            help="Repair a damaged journal: keep a private copy of it as it is, rebuild its "
            "indexes, check it again (the browser is not started).",
        ),
    ] = False,
) -> None:
    """Show what the assistant runs on, and start the browser.

    Python, Playwright and browser versions and paths; the browser is started headless. Then
    the data folder, its permissions, the journal's integrity and any submission whose
    outcome is unknown; then the mailbox for codes: where its password is kept, whether its
    server answers and the login works. Exit 0 all usable, 5 no browser, 8-10 the data
    folder, 12 a mailbox set up that cannot be read (2 or 8: the config file).
    """
    if repair_journal:
        code = _repair(data_dir)
    else:
        code = _browser()
        folder = _data_folder(data_dir)
        mailbox = _mailbox()
        code = code or folder or mailbox
    if code:
        raise typer.Exit(int(code))


def _browser() -> ExitCode:
    """Report the browser and start it; NO_BROWSER when none starts."""
    from assistant.browser import launch

    print(f"Python      {platform.python_version()}  ({sys.executable})")
    print(f"Playwright  {launch.playwright_version()}")
    expected = launch.expected_chromium_version()
    print(f"Expects     Chromium {expected or 'unknown'}")
    try:
        info = launch.find_browser()
    except BrowserMissing as error:
        print(f"Browser     none found\n\n{error}", file=sys.stderr)
        return ExitCode.NO_BROWSER
    print(f"Browser     {info.version}  ({info.executable}, {info.source})")
    try:
        running = launch.smoke_test(info)
    except Exception as error:  # any launch failure is reported, never a traceback
        print(
            f"Smoke test  FAILED: {error}\n\n"
            f"The browser at {info.executable} did not start. {launch.INSTALL_HINT}",
            file=sys.stderr,
        )
        return ExitCode.NO_BROWSER
    print(f"Smoke test  ok: headless Chromium {running} rendered a blank page")
    if expected and info.major and not expected.startswith(f"{info.major}."):
        print(
            f"Note        Playwright {launch.playwright_version()} was built for Chromium "
            f"{expected}; this is {info.major}. It works for the assistant's needs; "
            "if something odd happens, run `.venv/bin/playwright install chromium` where the "
            "network allows it."
        )
    if not launch.display_available():
        print("Display     none: commands will run the browser headless")
    return ExitCode.OK


def _data_folder(override: Path | None) -> ExitCode:
    """Report the data folder as the commands would find it, then the journal's integrity
    and submissions with an unknown outcome; the exit code of what a command would refuse,
    else OK."""
    state, code = _folder_state(override)
    if code is not None:
        return code
    return _unknown_outcomes(state.path)


def _folder_state(override: Path | None) -> tuple[DataDirState, ExitCode | None]:
    """Report the data folder; with the exit code to stop with when it cannot be used, or is
    not there yet (OK), else None."""
    from assistant import paths

    state = paths.inspect_data_dir(override)
    where = literal(state.path)
    if not state.exists:
        print(f"Data folder {where}  (not there yet: made private, 0700, when first needed)")
    elif state.mode is None:  # a link, a file …: refused below, as every command refuses it
        print(f"Data folder {where}  ({state.kind}, not a folder)")
    else:
        private = "private" if state.private else "NOT private"
        writable = "writable" if state.writable else "NOT writable"
        print(f"Data folder {where}  (mode {state.mode:04o}: {private}, {writable})")
    if state.problem is not None:
        print(f"\n{literal(state.problem, newlines=True)}", file=sys.stderr)
        return state, state.problem.exit_code
    if not state.exists:
        return state, ExitCode.OK
    return state, None


def _unknown_outcomes(folder: Path) -> ExitCode:
    """Report the submissions whose outcome is unknown, read from the journal (never created
    here: a folder without one has none)."""
    from assistant.records import duplicates
    from assistant.records.journal import Journal
    from assistant.records.journal.schema import FILENAME, damaged, describe_problems

    journal_file = folder / FILENAME
    if not os.path.lexists(journal_file):
        print("Journal     none yet: nothing was recorded in this data folder")
        return ExitCode.OK
    try:
        with Journal.open(folder, read_only=True) as journal:
            problems = journal.integrity_problems()
            unsettled = journal.unsettled()
    except AssistantError as error:
        print(f"Journal     {literal(journal_file)}: cannot be read")
        print(f"\n{literal(error, newlines=True)}", file=sys.stderr)
        return error.exit_code
    if problems:
        refused = damaged(journal_file, problems)
        found = literal(describe_problems(problems))
        print(f"Journal     {literal(journal_file)}: DAMAGED ({found})")
        print(f"\n{literal(refused, newlines=True)}", file=sys.stderr)
        return refused.exit_code
    if not unsettled:
        print(f"Journal     {literal(journal_file)}: no submission with an unknown outcome")
        return ExitCode.OK
    print(f"Journal     {literal(journal_file)}")
    for line in literal(duplicates.unknown_notice(unsettled), newlines=True).splitlines():
        print(INDENT + line)
    return ExitCode.OK


def _mailbox() -> ExitCode:
    """Report the mailbox the codes can come from: set up or not, where its password is kept,
    whether its server answers and the login works; MAILBOX when one is set up that codes
    cannot be read from, the config file's own exit code when it cannot be read, else OK."""
    from assistant.mailbox.diagnosis import diagnose, missing_password

    try:
        found = diagnose()
    except AssistantError as error:
        print("Mailbox     the config file cannot be used")
        print(f"\n{literal(error, newlines=True)}", file=sys.stderr)
        return error.exit_code
    settings = found.settings
    if settings is None:
        print(
            "Mailbox     not set up: codes are typed at the terminal (`assistant mailbox "
            "setup` reads them from your mailbox)"
        )
        return ExitCode.OK
    default = found.config.codes == "mailbox"
    print(
        f"Mailbox     {literal(settings.user)} at {literal(settings.where)} (TLS "
        f"{settings.tls}, folder {literal(settings.folder)}), set up in "
        f"{literal(found.config.path)}"
    )
    print(
        INDENT
        + (
            'codes come from it (codes = "mailbox")'
            if default
            else "codes come from it with --codes mailbox"
        )
    )
    print(f"Password    {found.password or missing_password(settings)}")
    print(f"Reachable   {'yes' if not found.reachable else 'NO: ' + literal(found.reachable)}")
    if found.login:
        print(f"Login       FAILED: {literal(found.login)}")
    elif found.tried:
        idle = "IDLE: new mail is seen at once" if found.can_idle else "no IDLE: polled"
        print(f"Login       works ({idle})")
    else:
        print(
            "Login       not tried: "
            + ("no password" if found.reachable == "" else "the server does not answer")
        )
    return ExitCode.OK if found.works else ExitCode.MAILBOX


def _repair(override: Path | None) -> ExitCode:
    """`--repair-journal`: report the data folder, then repair its journal if it is damaged."""
    from assistant.records.journal import Journal
    from assistant.records.journal.schema import FILENAME, describe_problems

    state, code = _folder_state(override)
    if code is not None:
        if code == ExitCode.OK:
            print("Journal     none yet: nothing to repair")
        return code
    journal_file = state.path / FILENAME
    if not os.path.lexists(journal_file):
        print("Journal     none yet: nothing to repair")
        return ExitCode.OK
    with Journal.open(state.path) as journal:
        done = journal.repair()
    where = literal(journal_file)
    if not done.problems:
        print(f"Journal     {where}: the integrity check passes; nothing to repair")
        return ExitCode.OK
    print(f"Journal     {where}: DAMAGED ({literal(describe_problems(done.problems))})")
    print(f"Backup      {literal(done.backup)}  (a copy of it as it was, 0600)")
    if not done.remaining:
        print("Repaired    its indexes were rebuilt; the integrity check passes now")
        return ExitCode.OK
    why = done.refused or describe_problems(done.remaining)
    print(
        f"\nRebuilding the indexes did not repair the journal {where} ({literal(why)}). Move it "
        "aside and keep it (the copy above is the journal as it was): the next run starts a "
        "new one, which knows nothing of the submissions this one recorded.",
        file=sys.stderr,
    )
    return ExitCode.DATA_UNUSABLE
