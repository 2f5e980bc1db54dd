"""A person's repairs of a shipped map, in words: the effective map entry by entry (`assistant
map show`), only the repairs as a diff against the shipped map (`assistant map diff`, and what
`assistant learn` proposes), the review's footer, and the one command that repairs a map when
a run finds an element missing.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.errors import ElementMissing
from assistant.portals.elements import map_elements
from assistant.portals.model import Anchor, PortalMap, Target
from assistant.portals.overrides import EffectiveMap, ElementOverride, Overrides

ABSENT = "not on this portal"


def anchors(listed: tuple[Anchor, ...] | list[Anchor]) -> str:
    """ "type=email, else autocomplete=email, else label /e-?mail/"."""
    return ", else ".join(a.describe() for a in listed)


def show_lines(shipped: PortalMap, overrides: Overrides) -> list[str]:
    """The map as it is used, step by step, every element marked `shipped` or `yours`."""
    lines: list[str] = []
    step = ""
    for element in map_elements(shipped):
        if element.step != step:
            step = element.step
            lines.append(f"{step} step")
        mine = overrides.get(element.step, element.name)
        if mine is None:
            lines.append(f"  shipped  {element.name}: {anchors(element.target.any)}")
        elif mine.absent:
            lines.append(f"  yours    {element.name}: {ABSENT}")
        else:
            rest = [a for a in element.target.any if a not in (mine.any or ())]
            after = f", then as shipped: {anchors(rest)}" if rest else ""
            label = f' (label "{mine.expect_label}")' if mine.expect_label else ""
            lines.append(f"  yours    {element.name}: {anchors(mine.any or ())}{label}{after}")
    return lines


def diff_lines(shipped: PortalMap, overrides: Overrides) -> list[str]:
    """Only the repairs, against the shipped map: `+` what is yours, `-` what no longer
    counts, a space what stays as shipped (tried after yours)."""
    lines: list[str] = []
    for element in map_elements(shipped):
        mine = overrides.get(element.step, element.name)
        if mine is not None:
            lines.append(f"{element.where}:")
            lines.extend(_element_diff(element.target, mine))
    return lines


def _element_diff(target: Target, mine: ElementOverride) -> list[str]:
    if mine.absent:
        return [*(f"- {a.describe()}" for a in target.any), f"+ {ABSENT}"]
    lines = [f"+ {a.describe()}" for a in mine.any or ()]
    lines += [f"  {a.describe()}" for a in target.any if a not in (mine.any or ())]
    if mine.expect_label and mine.expect_label != target.expect_label:
        if target.expect_label:
            lines.append(f'- the label reads "{target.expect_label}"')
        lines.append(f'+ the label reads "{mine.expect_label}"')
    return lines


def review_notes(portal: PortalMap) -> list[str]:
    """The review's footer: one line per repair of yours the map in use holds, naming the
    host it was made for; with none, one line when you have some for other hosts."""
    if not isinstance(portal, EffectiveMap):
        return []
    if not portal.repairs and portal.elsewhere:
        return [in_force(portal)]
    notes = []
    for repair in portal.repairs:
        mine = repair.override
        what = ABSENT if mine.absent else f"{anchors(mine.any or ())} tried first"
        notes.append(f"Your repair for {portal.host} in use: {repair.where}: {what}")
    return notes


def in_force(portal: PortalMap) -> str:
    """One line naming the repairs of yours the map in use holds, and the host they are for
    ("" when there are none and none elsewhere); said by `plan` and `check`."""
    if not isinstance(portal, EffectiveMap):
        return ""
    elsewhere = ""
    if portal.elsewhere:
        hosts = ", ".join(portal.elsewhere)
        elsewhere = f" (yours for {hosts} apply only there)"
    if not portal.repairs:
        return f"No repairs of yours for {portal.host}{elsewhere}." if elsewhere else ""
    count = len(portal.repairs)
    which = "; ".join(repair.where for repair in portal.repairs)
    listed = f"; `assistant map diff {portal.shipped}`" if portal.host == portal.real_host else ""
    return (
        f"Your {count} repair{'' if count == 1 else 's'} for {portal.host} in force: {which} "
        f"(from {portal.source}{listed}){elsewhere}."
    )


def repair_command(portal: PortalMap, url: str | None, profile: str) -> str | None:
    """`assistant learn --portal fcr [--url URL] --profile PROFILE`, for a shipped map (a map
    file of your own is repaired by editing it: None)."""
    if not isinstance(portal, EffectiveMap):
        return None
    words = ["assistant", "learn", "--portal", portal.shipped]
    if url:
        words += ["--url", url]
    words += ["--profile", profile or "PROFILE"]
    return " ".join(shlex.quote(word) for word in words)


def with_repair_command(message: str, command: str | None) -> str:
    """`message` ending with the command that repairs the map (unchanged without one)."""
    if command is None:
        return message
    return f"{message.removesuffix(' (run `assistant check`)')}; to repair the map, run `{command}`"


@contextmanager
def pointing_to_repair(portal: PortalMap, url: str | None, profile: str) -> Iterator[None]:
    """Let an `ElementMissing` raised in the block end with the command that repairs it."""
    try:
        yield
    except ElementMissing as error:
        command = repair_command(portal, url, profile)
        raise ElementMissing(with_repair_command(str(error), command)) from None
