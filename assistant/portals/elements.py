"""Every element a portal map touches, named as a person's overrides, `assistant learn` and
`assistant map` name it, with what kind of element it is and whether a portal may lack it.

Names, per step (unique within the step):

- a field: its `field` name ("contact email", "calls per month");
- the number rows: "numbers" (each row's number box; its anchors hold `{i}`, the row from 0),
  "display names" (each row's caller name) and "add a number" (the button that adds a row);
- a button that moves on: its `name` in the map ("send code", "continue"), else "button 1",
  "button 2"… in the order of its step; "after send code": what appears once it is clicked
  (the map's `expect`);
- the code gate: "verification code" (the box), "verify button" and "code accepted" (what
  appears once the page took the code);
- "submit button" (located, never clicked, by `assistant learn`);
- "wait for": what shows that the step has opened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, NoReturn

from assistant.portals.model import (
    ClickAction,
    CodeGate,
    FieldAction,
    PortalMap,
    RowsAction,
    Step,
    SubmitAction,
    Target,
)

# What a person must point at: a box to type in, a list to choose from, a checkbox, a file
# chooser, a button (or link), or anything at all (what shows that a step has opened).
Kind = Literal["text", "select", "checkbox", "file", "button", "any"]

_WRITE_KINDS: dict[str, Kind] = {
    "text": "text",
    "select": "select",
    "checkbox": "checkbox",
    "upload": "file",
}


@dataclass(frozen=True, slots=True)
class Element:
    """One element of one step of a map.

    `slot` is where its target sits: "wait_for" (the step's), else the attribute of the action
    at index `action` ("target", "number", "display_name", "add", "click", "expect", "input",
    "confirm", "accepted", "submit"). `absent_ok`: an override may say the portal lacks it
    (the run then goes on without it); `when_present`: the map itself says it may be missing.
    """

    step: str
    name: str
    target: Target
    kind: Kind
    slot: str
    action: int
    absent_ok: bool
    row: bool = False
    when_present: bool = False

    @property
    def where(self) -> str:
        """ "business step, calls per month", as messages name it."""
        return f"{self.step} step, {self.name}"

    @property
    def title(self) -> str:
        """The name as a person reads it: "Calls per month"."""
        return self.name[:1].upper() + self.name[1:]


def elements(step: Step) -> list[Element]:
    """The elements of `step`, in the order the step meets them ("wait for" first)."""
    found = [Element(step.name, "wait for", step.wait_for, "any", "wait_for", -1, False)]
    clicks = 0
    for index, action in enumerate(step.actions):
        at = (step.name, index)
        if isinstance(action, FieldAction):
            maybe = action.when_present
            kind = _WRITE_KINDS[action.write]
            found.append(_e(at, action.field, action.target, kind, "target", when_present=maybe))
        elif isinstance(action, RowsAction):
            found.append(_e(at, "numbers", action.number, "text", "number", False, row=True))
            if action.display_name is not None:
                names = action.display_name
                maybe = action.display_name_when_present
                row = _e(at, "display names", names, "text", "display_name", row=True)
                found.append(replace(row, when_present=maybe))
            if action.add is not None:
                found.append(_e(at, "add a number", action.add, "button", "add"))
        elif isinstance(action, ClickAction):
            clicks += 1
            name = action.name or f"button {clicks}"
            found.append(_e(at, name, action.click, "button", "click"))
            if action.expect is not None:
                found.append(_e(at, f"after {name}", action.expect, "any", "expect"))
        elif isinstance(action, CodeGate):
            found.append(_e(at, "verification code", action.input, "text", "input", False))
            if action.confirm is not None:
                found.append(_e(at, "verify button", action.confirm, "button", "confirm"))
            if action.accepted is not None:
                found.append(_e(at, "code accepted", action.accepted, "any", "accepted"))
        elif isinstance(action, SubmitAction):
            found.append(_e(at, "submit button", action.submit, "button", "submit", False))
    return found


def _e(
    at: tuple[str, int],
    name: str,
    target: Target,
    kind: Kind,
    slot: str,
    absent_ok: bool = True,
    *,
    row: bool = False,
    when_present: bool = False,
) -> Element:
    return Element(at[0], name, target, kind, slot, at[1], absent_ok, row, when_present)


def map_elements(portal: PortalMap) -> list[Element]:
    """Every element of every step of `portal`, in order."""
    return [element for step in portal.steps for element in elements(step)]


def find_element(portal: PortalMap, wanted: str) -> Element:
    """The element `wanted` names: "ELEMENT" when only one step has it, else "STEP: ELEMENT".

    Raises ValueError with a sentence saying what is known (or which steps to choose from).
    """
    step_name, _, name = wanted.rpartition(":")
    step_name, name = step_name.strip(), name.strip()
    steps = [s.name for s in portal.steps]
    if step_name and step_name not in steps:
        raise ValueError(
            f'no step "{step_name}" in the map {portal.name}; its steps: {", ".join(steps)}'
        )
    everything = map_elements(portal)
    matches = [e for e in everything if e.name == name and step_name in ("", e.step)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        return _choose(name, [e.step for e in matches])
    inside = [e for e in everything if step_name in ("", e.step)]
    known = ", ".join(dict.fromkeys(e.name for e in inside))
    where = f"the {step_name} step of " if step_name else ""
    raise ValueError(f'no element "{name}" in {where}the map {portal.name}; known: {known}')


def _choose(name: str, steps: list[str]) -> NoReturn:
    listed = f"{', '.join(steps[:-1])} and {steps[-1]}"
    raise ValueError(f'"{name}" is in the steps {listed}: name one, e.g. "{steps[0]}: {name}"')
