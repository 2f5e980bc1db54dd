"""What the person reviewed, as the rest of the submission is held to it: the submission's
fingerprint the request guard recognises, the requests the map declares, what the one submit
must carry, and how the page now differs from the review (re-read right before the click).
"""

from __future__ import annotations

from collections.abc import Sequence

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
from assistant.portals.plan import SubmissionPlan
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
