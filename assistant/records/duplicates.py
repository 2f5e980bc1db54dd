"""The duplicate guard: refuse to send a number the journal says was (or may have been) sent.

The portal accepts the same numbers again without a word, so only the journal stands between a
rerun and a double registration. A number is blocked when, in the same ledger (`Destination`:
the host driven and the registry it belongs to, so `fcr`, `fcr-classic` and any copy of them
are one, and a practice run on the replica never blocks a real one), it was `submitted` within
the window (90 days by default) or its latest attempt sits in `intent` or `unknown` (any age).
`--resubmit` lifts the first kind only: an outcome nobody knows must be settled by a human
before the same numbers go out again, or a rerun could send them twice. No message of the guard
suggests `--resubmit`: it says when the numbers fall due again (`next_due`), and `fill` sends
what a profile has left (`assistant.sitting.batch`), so re-sending is only ever a choice made
on purpose.

The guard runs twice for each submission: `check` before the browser opens for it, and
`recheck` inside the journal transaction that records the intent, right before the click, so
that of two runs confirming the same numbers at once the second is refused
(`ConcurrentSubmission`) instead of sending them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from assistant.errors import ConcurrentSubmission, DuplicateSubmission
from assistant.records.journal import Attempt, Destination, Journal, State, parse_iso, utc_now

DEFAULT_WINDOW_DAYS = 90
NAMED_IN_REFUSAL = 3  # more blocked numbers of one earlier submission are counted, not listed


@dataclass(frozen=True, slots=True)
class Finding:
    """One number the journal already knows: which attempt, in which state, when."""

    number: str
    registry: str
    state: State
    attempt_id: int
    date: str  # YYYY-MM-DD (UTC) of the submission, or of the confirmation when unsettled
    feedback_id: str | None
    due: str = ""  # YYYY-MM-DD the guard lets a submitted number go again ("" when unsettled)

    @property
    def unsettled(self) -> bool:
        """True when the outcome is unknown (a human must settle it before anything else)."""
        return self.state is not State.SUBMITTED

    def summary(self) -> str:
        """What the journal knows, e.g. for the review's "RESUBMITTING: …" line."""
        if self.unsettled:
            return (
                f"{self.number} has an unknown outcome (attempt {self.attempt_id}, "
                f"sent to {self.registry} on {self.date})"
            )
        return (
            f"{self.number} was submitted to {self.registry} on {self.date} "
            f"(attempt {self.attempt_id}, Feedback ID {self.feedback_id})"
        )

    def message(self) -> str:
        """The summary and what to do about it, as one actionable line."""
        if self.unsettled:
            return (
                f"{self.summary()}: settle it with "
                f"'assistant settle {self.attempt_id} --submitted FEEDBACK_ID' or "
                f"'assistant settle {self.attempt_id} --not-submitted'"
            )
        return f"{self.summary()}; due again on {self.due}"


def findings(
    journal: Journal,
    destination: Destination,
    numbers: Sequence[str],
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    now: datetime | None = None,
) -> list[Finding]:
    """Every number of `numbers` that is blocked in `destination`'s ledger, in the order given
    (unsettled wins over submitted when both apply, since it is the stronger reason)."""
    now = now or utc_now()
    wanted = list(dict.fromkeys(numbers))
    unsettled: dict[str, Attempt] = {}
    for attempt in journal.unsettled():
        if destination.holds(attempt.destination):
            for number in attempt.numbers:
                unsettled.setdefault(number, attempt)
    since = now - timedelta(days=window_days)
    recent = {
        record.number: record.attempt
        for record in journal.submitted_numbers(destination, since, wanted)
    }
    result: list[Finding] = []
    for number in wanted:
        if number in unsettled:
            attempt = unsettled[number]
            when = attempt.confirmed_at or attempt.created_at
            result.append(_finding(number, attempt, when))
        elif number in recent:
            attempt = recent[number]
            when = attempt.submitted_at or attempt.updated_at
            result.append(_finding(number, attempt, when, next_due(when, window_days)))
    return result


def check(
    journal: Journal,
    destination: Destination,
    numbers: Sequence[str],
    *,
    resubmit: bool = False,
    window_days: int = DEFAULT_WINDOW_DAYS,
    now: datetime | None = None,
) -> list[Finding]:
    """Raise `DuplicateSubmission` (one line per earlier submission, see `refusal`) unless
    nothing is blocked.

    With `resubmit`, recent submissions are allowed and returned (for the review to show as
    "RESUBMITTING: …"); unknown outcomes still raise, whatever `resubmit` says.
    """
    found = findings(journal, destination, numbers, window_days=window_days, now=now)
    blocking = [f for f in found if f.unsettled or not resubmit]
    if blocking:
        raise DuplicateSubmission(refusal(blocking))
    return found


def recheck(
    journal: Journal,
    destination: Destination,
    numbers: Sequence[str],
    *,
    reviewed: Sequence[Finding] = (),
    window_days: int = DEFAULT_WINDOW_DAYS,
    now: datetime | None = None,
) -> None:
    """The guard again, right before the click (inside the intent's write transaction): raise
    `ConcurrentSubmission` when a number is now blocked by anything but what the review
    already showed (`reviewed`: the findings `check` let through with `--resubmit`).

    A submission of these numbers that another run confirmed while this one waited at the
    review is blocking whatever `--resubmit` says: nobody reviewed sending them a second time.
    """
    shown = {(f.number, f.attempt_id) for f in reviewed if not f.unsettled}
    found = findings(journal, destination, numbers, window_days=window_days, now=now)
    blocking = [f for f in found if (f.number, f.attempt_id) not in shown]
    if not blocking:
        return
    by_attempt: dict[int, list[Finding]] = {}
    for finding in blocking:
        by_attempt.setdefault(finding.attempt_id, []).append(finding)
    others = "; ".join(
        _sent_meanwhile(journal.get(attempt_id), [f.number for f in found_here])
        for attempt_id, found_here in by_attempt.items()
    )
    raise ConcurrentSubmission(
        f"Not sent: {others}, while this submission waited at the review; nothing was "
        "clicked for it. See both with 'assistant history'."
    )


def _sent_meanwhile(attempt: Attempt, numbers: Sequence[str]) -> str:
    shown = ", ".join(numbers)
    which = f"attempt {attempt.id} ({attempt.profile_label}, {attempt.part} of {attempt.parts})"
    if attempt.state is State.SUBMITTED:
        return (
            f"{shown} {'was' if len(numbers) == 1 else 'were'} submitted to {attempt.registry} "
            f"by {which}, Feedback ID {attempt.feedback_id}"
        )
    when = (attempt.confirmed_at or attempt.updated_at).replace("T", " ").replace("Z", " UTC")
    return (
        f"{shown} {'was' if len(numbers) == 1 else 'were'} confirmed for {attempt.registry} "
        f"by {which} at {when} by {attempt.confirmed_by or 'someone'}, outcome "
        f"{'not known yet' if attempt.state is State.INTENT else 'unknown'}"
    )


def refusal(blocking: Sequence[Finding]) -> str:
    """One line per earlier submission that blocks numbers, in the order first met, saying
    what it was and when it falls due: "30 numbers were submitted to fcr on 2026-11-29 as
    FCRFE…; due again on 2027-02-27", or for an unknown outcome the `settle` commands. Up to
    three numbers are named instead of counted."""
    groups: dict[int, list[Finding]] = {}
    for finding in blocking:
        groups.setdefault(finding.attempt_id, [])
        if finding.number not in (f.number for f in groups[finding.attempt_id]):
            groups[finding.attempt_id].append(finding)
    lines: list[str] = []
    for attempt_id, found in groups.items():
        first = found[0]
        one = len(found) == 1
        numbers = [f.number for f in found]
        if len(numbers) <= NAMED_IN_REFUSAL:
            what = numbers[0] if one else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        else:
            what = f"{len(numbers)} numbers"
        if first.unsettled:
            lines.append(
                f"{what} {'has' if one else 'have'} an unknown outcome (attempt {attempt_id}, "
                f"sent to {first.registry} on {first.date}): settle it with "
                f"'assistant settle {attempt_id} --submitted FEEDBACK_ID' or "
                f"'assistant settle {attempt_id} --not-submitted'"
            )
        else:
            lines.append(
                f"{what} {'was' if one else 'were'} submitted to {first.registry} on {first.date} "
                f"as {first.feedback_id}; due again on {first.due}"
            )
    return "\n".join(lines)


def unknown_notice(attempts: Sequence[Attempt]) -> str:
    """The notice shown at the start of every run while outcomes are unsettled ("" if none)."""
    if not attempts:
        return ""
    count = len(attempts)
    lines = [
        f"{count} submission{'s' if count != 1 else ''} "
        f"{'have' if count != 1 else 'has'} an unknown outcome; "
        "their numbers will not be sent again until you settle them:"
    ]
    for a in attempts:
        when = (a.confirmed_at or a.created_at).replace("T", " ").replace("Z", " UTC")
        shown = ", ".join(a.numbers[:3]) + (
            f" and {len(a.numbers) - 3} more" if len(a.numbers) > 3 else ""
        )
        lines.append(
            f"  attempt {a.id}: {a.profile_label} ({a.part} of {a.parts}) to {a.portal}, "
            f"confirmed {when} by {a.confirmed_by or 'nobody'}: {shown}"
        )
        lines.append(
            f"    check the contact mailbox or the portal, then run "
            f"'assistant settle {a.id} --submitted FEEDBACK_ID' or "
            f"'assistant settle {a.id} --not-submitted'"
        )
    return "\n".join(lines)


def next_due(submitted_at: str, days: int = DEFAULT_WINDOW_DAYS) -> str:
    """The day (YYYY-MM-DD, UTC) a registration submitted at `submitted_at` (ISO, as the
    journal keeps it) falls due again: `days` after its day, the day `assistant due --as-of`
    first lists it."""
    return (parse_iso(submitted_at).date() + timedelta(days=days)).isoformat()


def _finding(number: str, attempt: Attempt, when: str, due: str = "") -> Finding:
    return Finding(
        number=number,
        registry=attempt.registry,
        state=attempt.state,
        attempt_id=attempt.id,
        date=when[:10],
        feedback_id=attempt.feedback_id,
        due=due,
    )
