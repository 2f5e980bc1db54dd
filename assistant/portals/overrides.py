"""A person's repairs of a shipped map: `CONFIG/portals/NAME.yaml`, merged over it at load.

CONFIG is platformdirs' user config folder for "assistant" (`~/.config/assistant` on Linux,
following `$XDG_CONFIG_HOME`). The file holds only what differs from the shipped map, per host
(a repair applies only to the host it was made for: the real portal's never touch a replica's
run, nor the other way round), step and element, named as `assistant.portals.elements` names
them:

    hosts:
      www.freecallerregistry.com:
        steps:
          business:
            calls per month:
              any:
                - {id: volume_band}    # tried before the shipped anchors (kept as fallbacks)
            service provider:
              absent: true             # this portal has none: the run goes on without it
      127.0.0.1:8765:                  # a replica's: only for runs with --url there
        steps: …

A file from before hosts (`steps:` at the top) holds the repairs of the map's own host, the
real portal: it is read so, and said so once (`legacy_notice`), when the file is rewritten in
the shape above (`settle_legacy`, its comments kept).

`any:` lists anchors of the kinds a map uses; `expect_label:` (beside `any:`) is the label
`assistant check` expects from then on; `absent: true` says the portal lacks the element: a
field shows "not on this portal" in the review, a button is not clicked. The file is validated
like a map and against the shipped map, so a typo is an error naming its line. It is written
`0600` in a `0700` folder; one that is a link, or that another user owns or may change (or
in such a folder), is refused (`assistant.paths.refuse_unsafe_settings`).

`assistant learn` writes these files, `assistant map` shows and drops them, and every command
that loads a shipped map (`assistant.portals.load_portal`) uses the map with them merged in: an
`EffectiveMap`, which says which repairs it holds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import Problem
from assistant.hosts import InvalidHost, normal_host
from assistant.inputfile import InputFileError, read_regular_file
from assistant.paths import (
    private_dir,
    refuse_link_or_special,
    refuse_unsafe_settings,
    write_private,
)
from assistant.portals.elements import Element, elements
from assistant.portals.mapfile import (
    PortalMapError,
    Position,
    one_problem,
    problems_of,
    read_yaml,
)
from assistant.portals.model import Action, Anchor, PortalMap, Step, Target
from assistant.portals.shipped import load_shipped

FOLDER = "portals"
MAX_BYTES = 64 * 1024
# Where an element said to be absent is looked for: nowhere (a field is then "not on this
# portal", exactly as a `when_present` field the page lacks).
NOWHERE = Target(any=(Anchor(css=":not(*)"),))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ElementOverride(_Model):
    """What a person says about one element: anchors to try first, or that it is absent."""

    any: tuple[Anchor, ...] | None = Field(default=None, min_length=1)
    expect_label: str | None = None
    absent: bool = False

    @model_validator(mode="after")
    def _anchors_or_absent(self) -> ElementOverride:
        if self.absent and (self.any or self.expect_label):
            raise ValueError("give either any: (anchors to try first) or absent: true, not both")
        if not self.absent and not self.any:
            raise ValueError("give any: (anchors to try first) or absent: true")
        return self


class Overrides(_Model):
    """Every repair of one map, by step and element name."""

    steps: dict[str, dict[str, ElementOverride]] = Field(default_factory=dict)

    def get(self, step: str, element: str) -> ElementOverride | None:
        """The override of one element, if any."""
        return self.steps.get(step, {}).get(element)

    def count(self) -> int:
        """How many elements are overridden."""
        return sum(len(mine) for mine in self.steps.values())

    def changed(self, step: str, element: str, override: ElementOverride | None) -> Overrides:
        """These overrides with one element's replaced (None: dropped)."""
        steps = {name: dict(mine) for name, mine in self.steps.items()}
        mine = steps.setdefault(step, {})
        if override is None:
            mine.pop(element, None)
        else:
            mine[element] = override
        return Overrides(steps={name: m for name, m in steps.items() if m})


class RepairFile(_Model):
    """A whole file of repairs: each host's (`hosts:`), or, in a file from before hosts, the
    map's own host's (`steps:` at the top: `legacy`)."""

    hosts: dict[str, Overrides] = Field(default_factory=dict)
    steps: dict[str, dict[str, ElementOverride]] | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> RepairFile:
        if self.steps is not None and self.hosts:
            raise ValueError(
                "give the repairs under hosts: (each host's), not also steps: at the top"
            )
        return self

    @property
    def legacy(self) -> bool:
        """A file from before hosts: its `steps:` are the map's own host's."""
        return self.steps is not None

    def for_host(self, host: str, real_host: str) -> Overrides:
        """The repairs that apply to `host` (the map's own is `real_host`)."""
        if self.steps is not None:
            return Overrides(steps=self.steps) if host == real_host else Overrides()
        return self.hosts.get(host, Overrides())

    def other_hosts(self, host: str, real_host: str) -> list[str]:
        """The hosts other than `host` that have repairs, in the file's order."""
        every = {real_host: Overrides(steps=self.steps)} if self.steps is not None else self.hosts
        return [name for name, mine in every.items() if name != host and mine.steps]


class Repair(_Model):
    """One override merged into a map."""

    step: str
    element: str
    override: ElementOverride

    @property
    def where(self) -> str:
        """ "business step, calls per month"."""
        return f"{self.step} step, {self.element}"


class EffectiveMap(PortalMap):
    """A shipped map with the person's overrides for one host merged over it (often none):
    `shipped` is its name, `source` the overrides file ("" without repairs for the host),
    `repairs` what it changed, `host` the host they are for, `elsewhere` the other hosts
    that have repairs (not applied here), `legacy_notice` what a file from before hosts now
    means ("" for any other)."""

    # Not part of the map itself: a dump of an effective map is a valid map.
    shipped: str = Field(exclude=True)
    source: str = Field(default="", exclude=True)
    repairs: tuple[Repair, ...] = Field(default=(), exclude=True)
    host: str = Field(default="", exclude=True)
    elsewhere: tuple[str, ...] = Field(default=(), exclude=True)
    legacy_notice: str = Field(default="", exclude=True)


# -- where they live --------------------------------------------------------------------------


def overrides_dir() -> Path:
    """`CONFIG/portals` (it need not exist)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("assistant", appauthor=False)) / FOLDER


def overrides_path(name: str) -> Path:
    """The overrides file of the shipped map `name` (it need not exist)."""
    return overrides_dir() / f"{name}.yaml"


def effective(name: str, base: PortalMap, host: str | None = None) -> EffectiveMap:
    """The shipped map `base` (called `name`) with the person's overrides for `host` (default:
    the map's own, the real portal) merged over it."""
    path = overrides_path(name)
    whole = read_repair_file(base, path)
    real = base.real_host
    host = host or real
    overrides = whole.for_host(host, real)
    merged_map = apply(base, overrides, str(path) if overrides.steps else "", name)
    notice = ""
    if whole.legacy:
        notice = (
            f"Your repairs of the map {name} in {path} name no host: since repairs belong to a "
            f"host, they apply to the real portal ({real}) only, not to a replica or another "
            f"--url. The file now says so (hosts: {real}); if you made them for a replica, "
            "move them under its host (e.g. 127.0.0.1:8765)."
        )
    return merged_map.model_copy(
        update={
            "host": host,
            "elsewhere": tuple(whole.other_hosts(host, real)),
            "legacy_notice": notice,
        }
    )


def read_overrides(base: PortalMap, path: Path, host: str | None = None) -> Overrides:
    """The overrides for `host` (default: the map's own) in `path` (none when it does not
    exist), validated against `base`.

    Raises `PortalMapError` naming the line of each problem, `UnsafeDataDir` for a link or a
    file or folder others may change.
    """
    return read_repair_file(base, path).for_host(host or base.real_host, base.real_host)


def read_repair_file(base: PortalMap, path: Path) -> RepairFile:
    """Every host's overrides in `path` (none when it does not exist), validated against
    `base`; raises as `read_overrides`."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return RepairFile()
    except OSError as error:  # e.g. a part of the path is a file
        raise one_problem(str(path), f"cannot be read: {error.strerror or error}") from None
    refuse_unsafe_settings(path, "decides where your values are typed")
    try:
        data = read_regular_file(path, MAX_BYTES, kind="file of map repairs")
    except InputFileError as error:
        raise one_problem(str(path), error.reason) from None
    return parse_repair_file(data, str(path), base)


def save_overrides(name: str, overrides: Overrides, host: str | None = None) -> Path:
    """Write `overrides` as the repairs for `host` (default: the map's own) in the overrides
    file of map `name` (`0600` in a `0700` folder), whole or not at all, other hosts' kept;
    with none left for any host, remove the file. Returns its path."""
    path = private_dir(overrides_dir()) / f"{name}.yaml"
    base = load_shipped(name)
    host = host or base.real_host
    whole = read_repair_file(base, path)
    hosts = {h: whole.for_host(h, base.real_host) for h in [base.real_host, *whole.hosts]}
    hosts[host] = overrides
    kept = {h: mine for h, mine in hosts.items() if mine.steps}
    if not kept:
        refuse_link_or_special(path)
        path.unlink(missing_ok=True)
        return path
    return write_private(path, render_repair_file(name, kept).encode("utf-8"))


def settle_legacy(portal: PortalMap) -> None:
    """Rewrite a file from before hosts, once its meaning was said (`legacy_notice`), as the
    real portal's repairs under `hosts:`, its own lines (comments too) kept below that key;
    a file that cannot be rewritten so is rewritten whole. A failure is left alone: the
    notice is then said again next time."""
    if not isinstance(portal, EffectiveMap) or not portal.legacy_notice:
        return
    path = overrides_path(portal.shipped)
    base = load_shipped(portal.shipped)
    try:
        whole = read_repair_file(base, path)
        if not whole.legacy:
            return
        old = read_regular_file(path, MAX_BYTES, kind="file of map repairs").decode("utf-8")
        real = base.real_host
        lines = old.splitlines()
        head = 0
        while head < len(lines) and (not lines[head].strip() or lines[head].startswith("#")):
            head += 1
        body = "\n".join(f"    {line}" if line.strip() else "" for line in lines[head:])
        text = "\n".join([*lines[:head], "hosts:", f"  {real}:  # the real portal", body]) + "\n"
        try:
            same = parse_repair_file(text.encode("utf-8"), str(path), base).for_host(real, real)
        except PortalMapError:
            same = None
        if same != whole.for_host(real, real):
            text = render_repair_file(portal.shipped, {real: whole.for_host(real, real)})
        write_private(path, text.encode("utf-8"))
    except (OSError, PortalMapError, UnicodeDecodeError, InputFileError):
        return


# -- reading and writing the file -------------------------------------------------------------


def parse_overrides(data: bytes, file: str, base: PortalMap) -> Overrides:
    """The map's own host's repairs in an overrides file's bytes (see `parse_repair_file`)."""
    return parse_repair_file(data, file, base).for_host(base.real_host, base.real_host)


def parse_repair_file(data: bytes, file: str, base: PortalMap) -> RepairFile:
    """Validate an overrides file's bytes against the shipped map `base`; `PortalMapError`
    lists every problem as `file:line:col: dotted.path: message`."""
    if len(data) > MAX_BYTES:
        raise one_problem(
            file, f"larger than {MAX_BYTES // 1024} KiB; a file of repairs is much smaller"
        )
    tree, positions = read_yaml(data, file, key_lines=True, what="map repairs")
    if tree is None:
        return RepairFile()
    if not isinstance(tree, dict):
        raise one_problem(file, "the repairs of a map are a mapping with one key, hosts")
    if isinstance(tree.get("hosts"), dict):  # a host written as a number or null: as text
        tree["hosts"] = {str(host): mine for host, mine in tree["hosts"].items()}
    try:
        whole = RepairFile.model_validate(tree)
    except ValidationError as error:
        raise PortalMapError(problems_of(error, positions, file)) from None
    problems: list[Problem] = []
    if whole.steps is not None:
        problems += _against(base, Overrides(steps=whole.steps), positions, file)
    hosts: dict[str, Overrides] = {}
    for host, mine in whole.hosts.items():
        line, col = positions.get(("hosts", host), (1, 1))
        try:
            normal = normal_host(host)
        except InvalidHost as error:
            problems.append(Problem(file, line, col, f"hosts.{host}", str(error)))
            continue
        if not normal or normal in hosts:
            why = "is not a host" if not normal else "is given twice (the same host)"
            problems.append(Problem(file, line, col, f"hosts.{host}", why))
            continue
        hosts[normal] = mine
        problems += _against(base, mine, positions, file, ("hosts", host))
    if problems:
        raise PortalMapError(problems)
    return RepairFile(hosts=hosts, steps=whole.steps)


def _against(
    base: PortalMap,
    overrides: Overrides,
    positions: dict[tuple[str | int, ...], Position],
    file: str,
    within: tuple[str, ...] = (),
) -> list[Problem]:
    """What the shipped map does not allow: unknown steps or elements, an element the run
    cannot go without said to be absent, a number row's anchor without `{i}`."""
    problems: list[Problem] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        path = (*within, *path)
        line, col = positions.get(path, (1, 1))
        problems.append(Problem(file, line, col, ".".join(str(p) for p in path), message))

    steps = {step.name: step for step in base.steps}
    for step_name, mine in overrides.steps.items():
        step = steps.get(step_name)
        if step is None:
            known = ", ".join(steps)
            problem(("steps", step_name), f"no step of that name in the map {base.name}; its "
                    f"steps: {known}")  # fmt: skip
            continue
        named = {element.name: element for element in elements(step)}
        for name, override in mine.items():
            path = ("steps", step_name, name)
            element = named.get(name)
            if element is None:
                known = ", ".join(named)
                problem(path, f"no element of that name in the {step_name} step; its elements: "
                        f"{known}")  # fmt: skip
            elif override.absent and not element.absent_ok:
                problem(path, "cannot be absent: the run cannot go on without it")
            elif element.row:
                for index, anchor in enumerate(override.any or ()):
                    if "{i}" not in str(getattr(anchor, anchor.kind)):
                        problem((*path, "any", index), "a number row's anchor must hold {i} "
                                "(the row: 0, 1, …), e.g. {id: 'phone_{i}'}")  # fmt: skip
    return problems


def render_repair_file(name: str, hosts: dict[str, Overrides]) -> str:
    """The overrides file's text: a comment saying what it is, then the YAML."""
    data = {
        "hosts": {
            host: {
                "steps": {
                    step: {element: _dumped(o) for element, o in mine.items()}
                    for step, mine in overrides.steps.items()
                }
            }
            for host, overrides in hosts.items()
        }
    }
    body = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=10_000
    )
    return (
        f'# Your repairs of the shipped portal map "{name}", merged over it whenever it is\n'
        "# loaded for a run at one of these hosts (each host's apply there only): anchors\n"
        "# under `any:` are tried before the shipped ones, and `absent: true` says this\n"
        f"# portal has no such element. `assistant map show {name}` shows the map with the\n"
        f"# real portal's, `assistant map reset {name}` drops them.\n{body}"
    )


def render_overrides(name: str, overrides: Overrides, host: str = "") -> str:
    """The file's text holding only `overrides`, for `host` (default: the map's own)."""
    if not host:
        host = load_shipped(name).real_host
    return render_repair_file(name, {host: overrides})


def _dumped(override: ElementOverride) -> dict[str, Any]:
    if override.absent:
        return {"absent": True}
    out: dict[str, Any] = {
        "any": [a.model_dump(exclude_none=True) for a in override.any or ()],
    }
    if override.expect_label is not None:
        out["expect_label"] = override.expect_label
    return out


# -- merging ----------------------------------------------------------------------------------


def apply(base: PortalMap, overrides: Overrides, source: str = "", name: str = "") -> EffectiveMap:
    """`base` with `overrides` merged over it: an overridden element's anchors come first, the
    shipped ones after them; an absent one is looked for nowhere (a field, display names) or
    left out (a button, what a click or the code should show)."""
    steps: list[Step] = []
    repairs: list[Repair] = []
    for step in base.steps:
        mine = overrides.steps.get(step.name, {})
        wait_for = step.wait_for
        actions: list[Action | None] = list(step.actions)
        for element in elements(step):
            override = mine.get(element.name)
            if override is None:
                continue
            repairs.append(Repair(step=step.name, element=element.name, override=override))
            if element.slot == "wait_for":
                wait_for = merged(step.wait_for, override)
            else:
                actions[element.action] = _patched(actions[element.action], element, override)
        kept = [a for a in actions if a is not None]
        if kept:  # a step whose one button is absent is left out whole (an acknowledgement)
            steps.append(step.model_copy(update={"wait_for": wait_for, "actions": kept}))
    fields = {key: getattr(base, key) for key in PortalMap.model_fields}
    fields["steps"] = steps
    return EffectiveMap(**fields, shipped=name or base.name, source=source, repairs=tuple(repairs))


def merged(target: Target, override: ElementOverride) -> Target:
    """`target` with the override's anchors tried first (and its expected label, if any)."""
    anchors = tuple(dict.fromkeys((*(override.any or ()), *target.any)))
    return Target(any=anchors, expect_label=override.expect_label or target.expect_label)


def _patched(action: Action | None, element: Element, override: ElementOverride) -> Action | None:
    if action is None:  # its button was said to be absent
        return None
    if not override.absent:
        current = getattr(action, element.slot)
        return action.model_copy(update={element.slot: merged(current, override)})
    if element.slot == "click":
        return None
    if element.slot == "target":
        return action.model_copy(update={"target": NOWHERE, "when_present": True})
    if element.slot == "display_name":
        return action.model_copy(
            update={"display_name": NOWHERE, "display_name_when_present": True}
        )
    return action.model_copy(update={element.slot: None})  # add, expect, confirm, accepted
