"""The options of a select that the portal facts confirm (a map's `known_options`), read and
compared without the map's model, so that `validate`, which must start fast (see
`assistant.cli.validation`), can check a profile against them on every run.

The shipped map's YAML is read here as plain data (it is validated, with everything else in
it, whenever the map itself is loaded: `assistant.portals.model.KnownOptions`), and a value is
compared as a select's options are (`assistant.portals.formats.match_option`: case, spaces and
punctuation ignored, never a guess between two). A known list of ranges is kept for the record
and checks nothing: only part of the ranges is known, and a number outside a part says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.spelling import closest, either, fold
from assistant.terminal_text import excerpt

DEFAULT_PORTAL = "fcr"  # the map commands use without --portal (`assistant.portals.loader`)


@dataclass(frozen=True, slots=True)
class Known:
    """One select's known options: the map's name of the field ("category"), the profile
    path of its value ("calling.category"), the options, and whether they are only some."""

    field: str
    value: str
    options: tuple[str, ...]
    partial: bool


def shipped_known(name: str) -> list[Known]:
    """The known options of the selects of the shipped map `name` ([] for a name that is not
    a shipped map, or whose selects have none; ranges left out)."""
    import yaml

    path = Path(__file__).with_name(f"{name}.yaml")
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        return []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (safe)
    found: list[Known] = []
    for step in data.get("steps", []):
        for action in step.get("actions", []):
            known = action.get("known_options") if isinstance(action, dict) else None
            if not known or action.get("write") != "select" or "value" not in action:
                continue
            options = (*known.get("labels", ()), *known.get("values", ()))
            if options and action.get("format", "text") == "text":
                found.append(
                    Known(action["field"], action["value"], tuple(options), known["partial"])
                )
    return found


def value_of(profile: object, dotted: str) -> str | None:
    """The profile's value at a dotted path ("calling.category"), as text; None when unset."""
    value: object = profile
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return str(value)


def not_known(known: Known, wanted: str, portal: str) -> str | None:
    """Why `wanted` is not among the known options (None when it is one, in any spelling):
    which are known, whether only partly, and the option meant when it is a near miss."""
    key = fold(wanted)
    if not key or sum(1 for option in known.options if fold(option) == key) == 1:
        return None
    listed = ", ".join(known.options)
    text = (
        f'"{excerpt(wanted)}" is not among the {listed_count(len(known.options), known.field)} '
        f"known for {portal}: {listed}"
    )
    if known.partial:
        text += " (only partly known, from the portal facts: the portal may offer it)"
    else:
        text += " (from the portal facts)"
    near = closest(wanted, known.options)
    if near:
        return f"{text}; did you mean {either(near)}?"
    return f"{text}; `assistant check --portal {portal}` reads the portal's own list"


def problems_for(profile: object, known: Sequence[Known], portal: str) -> list[tuple[str, str]]:
    """(profile path, message) for each known list the profile's value is not among."""
    found: list[tuple[str, str]] = []
    for item in known:
        wanted = value_of(profile, item.value)
        if wanted is None or not wanted.strip():
            continue
        message = not_known(item, wanted, portal)
        if message is not None:
            found.append((item.value, message))
    return found


def listed_count(count: int, field: str) -> str:
    """ "16 categories", "51 states", "1 state", "6 calls per month options"."""
    if count == 1:
        return f"1 {field}" if " " not in field else f"1 {field} option"
    if " " in field:
        return f"{count} {field} options"
    if re.search(r"[^aeiou]y$", field):
        return f"{count} {field[:-1]}ies"
    if re.search(r"(s|x|z|ch|sh)$", field):
        return f"{count} {field}es"
    return f"{count} {field}s"
