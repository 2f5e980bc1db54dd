"""What the person reviewed, as the rest of the submission is held to it: the submission's
fingerprint the request guard recognises, the requests the map declares, what the one submit
must carry, and how the page now differs from the review (re-read right before the click).

And what the person already confirmed in this sitting, so that a later review of the same
profile can show what is new (`Confirmations`, `fold`): presentation only, never what is read
back, compared or sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.browser import (
    guarded_context,
    request_content,
    step_state,
)
from assistant.browser.request_content import Expected, Fingerprint
from assistant.browser.request_guard import Declared, Released
from assistant.portals.model import (
    PortalMap,
)
from assistant.portals.plan import PlannedField, PlannedRows, SubmissionPlan
from assistant.profiles.model import Profile
from assistant.terminal_text import literal


def fingerprint(profile: Profile, submission: SubmissionPlan) -> Fingerprint:
    """What a request of `submission` would carry, for the request guard to recognise."""
    numbers = frozenset(n for n in (request_content.national(x) for x in submission.numbers) if n)
    return Fingerprint(numbers, profile.company.name, profile.contact.email)


def declared_requests(portal: PortalMap) -> list[Declared]:
    """The requests the map says the portal sends by itself (`allow_requests`)."""
    return [Declared(r.name, r.method, r.url, frozenset(r.carries)) for r in portal.allow_requests]


def review_changes(
    reviewed: Sequence[step_state.ReadBack], now: Sequence[step_state.ReadBack]
) -> list[str]:
    """How the page now differs from what was reviewed: `company name: reviewed "A", now
    "B"` for each field (a field gone or new counts too, and so does a select whose value
    changed under the same label)."""
    then = {(v.step, v.field): v.shown for v in reviewed}
    current = {(v.step, v.field): v.shown for v in now}
    sent_then = {(v.step, v.field): v.in_request for v in reviewed}
    for v in now:
        key = (v.step, v.field)
        if key in then and then[key] == v.shown and sent_then[key] != v.in_request:
            current[key] = f"{v.shown} (sent as {v.in_request!r}, was {sent_then[key]!r})"
    changes = []
    for key in dict.fromkeys([*then, *current]):
        before, after = then.get(key), current.get(key)
        if before != after:
            shown = literal(before) if before is not None else "nothing"
            later = literal(after) if after is not None else "nothing"
            changes.append(f'{key[1]}: reviewed "{shown}", now "{later}"')
    return changes


def expected_in_request(reviewed: Sequence[step_state.ReadBack]) -> list[Expected]:
    """What the submit request must carry: every value reviewed, as the page sends it."""
    return [Expected(v.field, v.in_request, v.key) for v in reviewed if v.in_request]


def sent_as(released: Released | None) -> str:
    """What the journal and the receipt say the request let out carried."""
    if released is None:
        return ""
    numbers = ", ".join(released.numbers)
    return f"{released.describe()} ({numbers}), every value you reviewed checked in it"


def submit_rule(portal: PortalMap) -> guarded_context.SubmitRule | None:
    """The submit request the map names, if it names one (it then stays blocked at all times
    but right after the confirmation)."""
    request = portal.submit_action().request
    return guarded_context.SubmitRule(request.method, request.url) if request is not None else None


# The review row `assistant.browser.fields` gives a page without caller-name fields: every
# display name of the submission, "not on this portal".
CALLER_NAMES = "display names"


@dataclass(frozen=True, slots=True)
class Confirmed:
    """A review the person answered `submit` to: its submission's number and every value as
    the page held it then."""

    index: int
    values: tuple[step_state.ReadBack, ...]


class Confirmations:
    """What the person confirmed in this sitting: per profile, the first submission they
    typed `submit` to (the one whose review they read whole: nothing was folded before it)."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, str], Confirmed] = {}

    def first(self, profile: tuple[str, str]) -> Confirmed | None:
        """The first submission of `profile` (its path and label) confirmed, if any."""
        return self._first.get(profile)

    def confirm(
        self, profile: tuple[str, str], index: int, values: Sequence[step_state.ReadBack]
    ) -> None:
        """`profile`'s submission `index` was confirmed, with `values` reviewed; the first
        one confirmed is kept."""
        self._first.setdefault(profile, Confirmed(index, tuple(values)))


@dataclass(frozen=True, slots=True)
class Fold:
    """How a review shows what is new against the submission `against`, confirmed earlier:
    the rows `folded` (indexes into the review's values) are one line; the rows `changed` are
    not as they were then, each said in `said`."""

    against: int
    folded: frozenset[int]
    changed: frozenset[int]
    said: tuple[str, ...]


def foldable(submission: SubmissionPlan) -> frozenset[tuple[str, str]]:
    """The fields (step, field) a review may fold: the business fields, written the same in
    every submission of a profile. Never the numbers and caller names (new in each)."""
    return frozenset(
        (step.name, action.field)
        for step in submission.steps
        for action in step.fields()
        if isinstance(action, PlannedField)
    )


def fold(
    values: Sequence[step_state.ReadBack],
    earlier: Confirmed | None,
    fields: frozenset[tuple[str, str]],
) -> Fold | None:
    """Which rows of a review (`values`) are exactly as in `earlier` (None when nothing was
    confirmed before: the review is shown whole).

    A row is folded only when it is one of `fields`, the page holds it and it equals the
    profile, and everything read back of it (element, profile value, value meant, value shown,
    value sent, kind, name) is what the confirmed review read, with each (step, field) once on
    both sides. A foldable row read otherwise than then (or not there then) is `changed`; a field
    read then and gone now is said too."""
    if earlier is None:
        return None
    then: dict[tuple[str, str], list[step_state.ReadBack]] = {}
    for value in earlier.values:
        then.setdefault((value.step, value.field), []).append(value)
    now: dict[tuple[str, str], int] = {}
    for value in values:
        key = (value.step, value.field)
        now[key] = now.get(key, 0) + 1
    folded: set[int] = set()
    changed: set[int] = set()
    said: list[str] = []
    for index, value in enumerate(values):
        key = (value.step, value.field)
        if key not in fields:
            continue
        before = then.get(key, [])
        if len(before) == 1 and now[key] == 1 and before[0] == value:
            if value.equal and not value.absent:
                folded.add(index)
            continue
        changed.add(index)
        said.append(_not_as_then(value, before))
    for key, before in then.items():
        if key in fields and key not in now:
            shown = literal(before[0].shown)
            said.append(f'{literal(key[1])}: "{shown}" then, not on this page now')
    return Fold(earlier.index, frozenset(folded), frozenset(changed), tuple(said))


def _not_as_then(value: step_state.ReadBack, before: list[step_state.ReadBack]) -> str:
    """`contact phone: "555-555-0100" then, "(555) 555-0100" now`, or what else differs when
    the value shown is the same (what it sends, where it was read)."""
    name = literal(value.field)
    shown = literal(value.shown)
    if not before:
        return f'{name}: not on the page then, "{shown}" now'
    if len(before) != 1:
        return f'{name}: read {len(before)} times then, "{shown}" now'
    old = before[0]
    if old.shown != value.shown:
        return f'{name}: "{literal(old.shown)}" then, "{shown}" now'
    if old.in_request != value.in_request:
        return (
            f'{name}: "{shown}", sent as "{literal(old.in_request)}" then, as '
            f'"{literal(value.in_request)}" now'
        )
    if old.element != value.element:
        where, then = literal(value.element), literal(old.element)
        return f'{name}: "{shown}", read from {where} now, from {then} then'
    return f'{name}: "{shown}", but read back otherwise then'


def caller_names_note(
    profile: Profile, submission: SubmissionPlan, values: Sequence[step_state.ReadBack]
) -> str:
    """One line when the submission's numbers have caller names the portal has no field for
    (the map gives them none, or the page has none): what that means, and where to look.
    "" otherwise."""
    numbers = set(submission.numbers)
    names = list(
        dict.fromkeys(
            name
            for n in profile.numbers
            if n.number in numbers and (name := n.display_name or profile.display_name or "")
        )
    )
    if not names:
        return ""
    rows = [a for step in submission.steps for a in step.fields() if isinstance(a, PlannedRows)]
    mapped = any(a.display_name is not None for a in rows)
    absent = any(v.absent and v.field == CALLER_NAMES for v in values)
    if mapped and not absent:
        return ""
    listed = ", ".join(literal(name) for name in names)
    return (
        f"This portal takes no caller names; the display names of these numbers ({listed}) "
        "are not sent with this submission, and nothing else changes. Where caller names are "
        'registered instead: the README, "Caller names".'
    )
