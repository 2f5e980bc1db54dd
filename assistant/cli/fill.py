"""`assistant fill PROFILE`: fill the portal from a profile, stop for review, submit if told.

A batch of one (`assistant.cli.batch.run_profiles`), except that numbers the journal already
holds stop the run before anything opens (exit 6) instead of being skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.cli.batch import (
    CodesOption,
    CodeTimeoutOption,
    HeadlessOption,
    MaskContactOption,
    PortalsOption,
    ResubmitOption,
    SubmitTimeoutOption,
    TraceOption,
    UrlOption,
    WindowOption,
    run_profiles,
)
from assistant.records.duplicates import DEFAULT_WINDOW_DAYS


@app.command()
def fill(
    profile: Annotated[
        Path,
        typer.Argument(metavar="PROFILE", help="The profile to register.", show_default=False),
    ],
    portal: PortalsOption = "fcr",
    url: UrlOption = None,
    headless: HeadlessOption = False,
    data_dir: DataDirOption = None,
    resubmit: ResubmitOption = False,
    window_days: WindowOption = DEFAULT_WINDOW_DAYS,
    submit_timeout: SubmitTimeoutOption = None,
    trace: TraceOption = False,
    mask_contact: MaskContactOption = False,
    codes: CodesOption = None,
    code_timeout: CodeTimeoutOption = 300.0,
) -> None:
    """Register one profile: fill, review, submit when you say so.

    Fills the portal in a browser, shows what the page holds, and submits only when you
    type submit. The dispute forms (--portal trf, vsf) need the profile's dispute: section.

    Exit 0 submitted, 1 invalid profile, 3 not confirmed, 4 portal mismatch or failure,
    6 numbers already submitted (or unsettled, or sent by another run meanwhile) or the
    profile in use by another run, 7 outcome unknown, 9 the journal is damaged (`assistant
    doctor --repair-journal`), 10 the journal could not be written (a full disk: nothing was
    clicked), 11 another process kept the journal locked, 12 the mailbox for --codes mailbox
    is not set up or cannot be read.
    """
    run_profiles(
        [profile],
        command="fill",
        portal=portal,
        url=url,
        headless=headless,
        data_dir=data_dir,
        resubmit=resubmit,
        window_days=window_days,
        submit_timeout=submit_timeout,
        stop_on_duplicate=True,
        trace=trace,
        mask_contact=mask_contact,
        codes=codes,
        code_timeout=code_timeout,
    )
