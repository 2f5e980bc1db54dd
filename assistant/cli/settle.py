"""`assistant settle`: a human says how a submission with an unknown outcome ended, or closes an
attempt left `started` or `filled` (at its review) by a run that has ended: nothing was clicked
for it, so it can only be settled as not submitted. An attempt whose run is still going (it
holds the profile's run lock) is refused: finish or stop that run first."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.app import DataDirOption, app
from assistant.errors import UsageError


@app.command()
def settle(
    attempt_id: Annotated[int, typer.Argument(metavar="ID", help="The attempt to settle.")],
    submitted: Annotated[
        str | None,
        typer.Option(
            "--submitted",
            metavar="FEEDBACK_ID",
            help="It was submitted: the Feedback ID from the page or the portal's email.",
        ),
    ] = None,
    not_submitted: Annotated[
        bool, typer.Option("--not-submitted", help="It was not submitted; its numbers may be sent.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Say how a submission with an unknown outcome ended.

    Its numbers are then either remembered as submitted or free to send again. An attempt a
    run that has ended left open is closed with --not-submitted.
    """
    from assistant.records import receipts, runlock
    from assistant.records.journal import OPEN, Journal, State
    from assistant.terminal_text import literal

    if (submitted is None) == (not not_submitted):
        raise UsageError(
            f"say how attempt {attempt_id} ended: either --submitted FEEDBACK_ID or --not-submitted"
        )
    feedback_id = submitted.strip() if submitted is not None else None
    with Journal.open(data_dir) as journal:
        current = journal.get(attempt_id)
        if current.state in OPEN | {State.INTENT}:  # states whose run may still act
            alive = runlock.holder(journal.folder, current.profile_path)
            if alive is not None and alive.token == current.owner:
                raise UsageError(
                    f"attempt {attempt_id} is {current.state} in a run that is still going "
                    f"({alive.describe()}); finish or stop that run, then settle what is left"
                )
        attempt = receipts.record_settled(journal, attempt_id, feedback_id)
    if attempt.feedback_id is not None:
        where = attempt.receipt_path or "not written (see the log)"
        typer.echo(
            literal(
                f"Attempt {attempt.id} settled as submitted (Feedback ID {attempt.feedback_id}); "
                f"receipt: {where}"
            )
        )
    else:
        typer.echo(
            f"Attempt {attempt.id} settled as not submitted; its "
            f"{len(attempt.numbers)} number{'s' if len(attempt.numbers) != 1 else ''} "
            "can be sent again."
        )
