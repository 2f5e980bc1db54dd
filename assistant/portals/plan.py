"""Planning: profile × portal map -> one plan per submission, every value in its final form.

Pure: no browser, no I/O. Numbers are split into submissions of at most the map's
`number_limit` (45 numbers and a limit of 20 give 20, 20 and 5). Each field action carries the
value to write with the map's format applied; a select whose options are only known at run time
carries the wanted value and the rule to match it (`label`, `value`, `value_or_label`, `range`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.errors import Problem, ProfileError
from assistant.portals.formats import format_value
from assistant.portals.model import (
    ClickAction,
    CodeGate,
    FieldAction,
    MatchRule,
    PortalMap,
    ReviewGate,
    RowsAction,
    SubmitAction,
    Target,
    ValueFormat,
    WriteKind,
)
from assistant.profiles.model import Address, PhoneNumber, Profile


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlannedField(_Model):
    """Write `value` into `target`; `profile_value` is what the profile says (for the review)."""

    kind: Literal["field"] = "field"
    step: str
    field: str
    target: Target
    write: WriteKind
    format: ValueFormat
    match: MatchRule
    value: str
    profile_value: str
    optional: bool
    when_present: bool = False


class PlannedRow(_Model):
    """One number row: the number as typed, and its display name (empty when none)."""

    number: str
    display_name: str
    profile_number: str


class PlannedRows(_Model):
    """The numbers of one submission, one per repeated row."""

    kind: Literal["rows"] = "rows"
    step: str
    field: str = "numbers"
    number: Target
    display_name: Target | None
    display_name_when_present: bool = False
    add: Target | None
    format: ValueFormat
    rows: tuple[PlannedRow, ...]


PlannedAction = PlannedField | PlannedRows | ClickAction | CodeGate | ReviewGate | SubmitAction


class PlannedStep(_Model):
    """A step of the plan: wait for `wait_for` to be visible, then run the actions in order."""

    name: str
    wait_for: Target
    actions: tuple[PlannedAction, ...]

    def fields(self) -> list[PlannedField | PlannedRows]:
        """The actions of this step that write values."""
        return [a for a in self.actions if isinstance(a, PlannedField | PlannedRows)]


class SubmissionPlan(_Model):
    """Everything one submission will type, in order."""

    index: int  # 1-based
    count: int
    label: str
    portal: str
    numbers: tuple[str, ...]  # E.164
    steps: tuple[PlannedStep, ...]

    @property
    def title(self) -> str:
        """ "Submission 2 of 3 (20 numbers)" ("(1 number)"), as the review shows it."""
        count = len(self.numbers)
        return (
            f"Submission {self.index} of {self.count} ({count} number{'' if count == 1 else 's'})"
        )


class Plan(_Model):
    """The whole plan of one profile for one portal."""

    label: str
    portal: str
    start_url: str
    number_limit: int
    submissions: tuple[SubmissionPlan, ...]


def chunk_numbers(numbers: tuple[PhoneNumber, ...], limit: int) -> list[tuple[PhoneNumber, ...]]:
    """Numbers in profile order, split into groups of at most `limit`."""
    return [numbers[i : i + limit] for i in range(0, len(numbers), limit)]


def profile_value(profile: Profile, path: str) -> str | None:
    """The profile's value at a dotted path, as text (None when the profile leaves it empty)."""
    value: object = profile
    for part in path.split("."):
        value = getattr(value, part)
        if value is None:
            return None
    if isinstance(value, Address):  # format address_line
        place = f"{value.state} {value.zip}"
        return ", ".join(p for p in (value.line1, value.line2, value.city, place) if p)
    if isinstance(value, tuple):  # a list of numbers (dispute.sample_numbers)
        return ", ".join(str(v) for v in value) or None
    return str(value)


def build_plan(
    profile: Profile, portal: PortalMap, start_url: str | None = None, *, where: str = ""
) -> Plan:
    """The plan for `profile` on `portal`: one `SubmissionPlan` per chunk of numbers.

    Raises `ProfileError` naming each profile value the map needs but the profile leaves empty
    (in `where`, the profile's file, else its label); a dispute form's values, when the profile
    has no `dispute:` section, as that one section missing.
    """
    where = where or profile.label
    groups = chunk_numbers(profile.numbers, portal.number_limit)
    missing = [
        a.value
        for step in portal.steps
        for a in step.actions
        if isinstance(a, FieldAction)
        and a.value is not None
        and not a.optional
        and not (profile_value(profile, a.value) or "").strip()
    ]
    if profile.dispute is None and any(path.startswith("dispute.") for path in missing):
        missing = [path for path in missing if not path.startswith("dispute.")]
        missing.insert(0, "dispute")
    if missing:
        raise ProfileError([Problem(where, 1, 1, path, _needed(portal, path)) for path in missing])
    if not groups:
        raise ProfileError([Problem(where, 1, 1, "numbers", "no numbers to register")])
    submissions = tuple(
        SubmissionPlan(
            index=i,
            count=len(groups),
            label=profile.label,
            portal=portal.name,
            numbers=tuple(n.number for n in group),
            steps=tuple(
                PlannedStep(
                    name=step.name,
                    wait_for=step.wait_for,
                    actions=tuple(_plan_action(a, step.name, profile, group) for a in step.actions),
                )
                for step in portal.steps
            ),
        )
        for i, group in enumerate(groups, start=1)
    )
    return Plan(
        label=profile.label,
        portal=portal.name,
        start_url=start_url or portal.start_url,
        number_limit=portal.number_limit,
        submissions=submissions,
    )


def _needed(portal: PortalMap, path: str) -> str:
    if path == "dispute":
        return (
            f"{portal.title} (--portal {portal.name}) is a dispute form, and this profile has no "
            "dispute: section; add one with the label your calls were shown with (label), the "
            "carrier or app that showed it (shown_by) and the day it was seen (seen_on, "
            'YYYY-MM-DD): see "The dispute section" in docs/profiles.md'
        )
    return f"the portal map {portal.name} needs a value"


def _plan_action(
    action: FieldAction | RowsAction | ClickAction | CodeGate | ReviewGate | SubmitAction,
    step: str,
    profile: Profile,
    numbers: tuple[PhoneNumber, ...],
) -> PlannedAction:
    if isinstance(action, FieldAction):
        raw = (
            action.const if action.const is not None else profile_value(profile, action.value or "")
        )
        raw = raw or ""
        return PlannedField(
            step=step,
            field=action.field,
            target=action.target,
            write=action.write,
            format=action.format,
            match=action.match,
            value=format_value(raw, action.format) if raw else "",
            profile_value=raw,
            optional=action.optional,
            when_present=action.when_present,
        )
    if isinstance(action, RowsAction):
        return PlannedRows(
            step=step,
            number=action.number,
            display_name=action.display_name,
            display_name_when_present=action.display_name_when_present,
            add=action.add,
            format=action.format,
            rows=tuple(
                PlannedRow(
                    number=format_value(n.number, action.format),
                    display_name=(n.display_name or profile.display_name or "")
                    if action.display_name
                    else "",
                    profile_number=n.number,
                )
                for n in numbers
            ),
        )
    return action
