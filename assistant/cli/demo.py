"""`assistant demo`: the whole flow against the bundled replica portal, stopping at the review.

Starts the replica (wizard layout) on 127.0.0.1, fills `profiles/lakeside-closures.yaml`
headless, takes the code from the replica's outbox (only the demo may: it is the replica), and
shows the review. At a terminal it asks for `submit` and, if typed, submits to the replica;
without one it prints the review and exits 0, nothing submitted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from assistant.cli.app import app
from assistant.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from assistant.sitting.code_sources import CodeRequest, Outbox
    from assistant.sitting.terminal import Terminal

DEMO_PROFILE = "lakeside-closures.yaml"


def examples_folder() -> Path:
    """The example `profiles/` folder: in the current directory, else beside the package."""
    import assistant

    for candidate in (
        Path("profiles"),
        Path(assistant.__file__).resolve().parent.parent / "profiles",
    ):
        if (candidate / DEMO_PROFILE).is_file():
            return candidate
    raise UsageError(f"no example profiles/{DEMO_PROFILE} here or beside the assistant package")


@app.command()
def demo() -> None:
    """Try the whole flow on the bundled replica portal.

    Fills the replica from the sample profile and stops at the review.
    """
    import contextlib
    import tempfile

    from assistant.browser import launch
    from assistant.cli.batch import render_summary
    from assistant.portals import load_portal
    from assistant.profiles import load_profile
    from assistant.records.journal import Journal
    from assistant.replica import Replica
    from assistant.sitting.batch import Batch
    from assistant.sitting.jobs import BatchOptions, plan_jobs
    from assistant.sitting.session import FillOptions
    from assistant.sitting.terminal import Terminal

    loaded = load_profile(examples_folder() / DEMO_PROFILE)
    folder = Path(tempfile.mkdtemp(prefix="assistant-demo-"))  # 0700, private
    terminal = Terminal()
    terminal.say(f"Demo data (replica portal, screenshots, records) goes to {folder}")
    info = launch.find_browser()
    with Replica(layout="wizard", data_dir=folder / "replica") as portal:
        terminal.say(f"Replica portal running at {portal.url} (not the real one).")
        portal_map = load_portal("fcr")
        options = BatchOptions(
            fill=FillOptions(portal=portal_map, url=portal.url, headless=True, data_dir=folder)
        )
        jobs = plan_jobs([loaded], portal_map, portal.url)
        with (
            Journal.open(folder, check_integrity=True) as journal,
            launch.running_browser(info, headless=True) as launched,
        ):
            run = Batch(jobs, options, journal, terminal, _DemoOutbox(portal, terminal))
            report = run.run(lambda: contextlib.nullcontext(launched))
        received = portal.submissions()
    if not terminal.is_tty():
        terminal.say("Demo finished at the review: nothing was submitted.")
        raise typer.Exit(int(ExitCode.OK))
    render_summary(report, terminal)
    count = len(received)
    terminal.say(f"The replica recorded {count} submission{'' if count == 1 else 's'}.")
    raise typer.Exit(int(report.exit_code))


class _DemoOutbox:
    """The replica's outbox as the code source, saying so (a real run asks the person)."""

    def __init__(self, portal: Outbox, terminal: Terminal) -> None:
        from assistant.sitting.code_sources import OutboxCodeSource

        self._source = OutboxCodeSource(portal)
        self._terminal = terminal

    def through(self, terminal: Terminal) -> _DemoOutbox:
        """The same outbox, saying so through `terminal`."""
        return _DemoOutbox(self._source.outbox, terminal)

    def code(self, request: CodeRequest) -> str | None:
        """The replica's newest code for the address."""
        code = self._source.code(request)
        self._terminal.say(
            "Demo: took the verification code from the replica's outbox "
            "(a real run asks you for the emailed code)."
        )
        return code
